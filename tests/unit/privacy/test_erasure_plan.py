"""Erasure record group by record group: what goes now, what is withheld, why and until when."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.privacy.erasure import Basis, DossierFacts, RecordGroup, plan_erasure
from domain.retention import RetentionPolicy

NOW = datetime(2026, 12, 5, 10, tzinfo=UTC)
POLICY = RetentionPolicy()


def test_no_dossier_everything_goes_with_the_key() -> None:
    plan = plan_erasure([], NOW, POLICY)
    assert plan.complete and plan.withheld == []


def test_a_closed_dossier_keeps_its_history_five_years_and_documents_three() -> None:
    closed = datetime(2025, 3, 1, tzinfo=UTC)
    plan = plan_erasure([DossierFacts(False, False, closed)], NOW, POLICY)
    assert not plan.complete
    assert plan.erases(RecordGroup.CORRESPONDENCE)
    kept = {d.group: (d.basis, d.until) for d in plan.withheld}
    assert kept[RecordGroup.NEGOTIATION_HISTORY] == (
        Basis.HISTORY,
        datetime(2030, 3, 1, tzinfo=UTC),
    )
    assert kept[RecordGroup.FINANCIAL][1] == datetime(2030, 3, 1, tzinfo=UTC)
    assert kept[RecordGroup.ACCOUNT][0] == Basis.WITH_HISTORY
    assert kept[RecordGroup.DOCUMENTS] == (Basis.CLAIMS, datetime(2028, 3, 1, tzinfo=UTC))


def test_documents_go_before_the_history_and_everything_after_five_years() -> None:
    closed = datetime(2022, 6, 1, tzinfo=UTC)  # documents expired, history not yet
    plan = plan_erasure([DossierFacts(False, False, closed)], NOW, POLICY)
    assert plan.erases(RecordGroup.DOCUMENTS) and not plan.erases(RecordGroup.NEGOTIATION_HISTORY)
    long_ago = datetime(2020, 1, 10, tzinfo=UTC)
    assert plan_erasure([DossierFacts(False, False, long_ago)], NOW, POLICY).complete
    # The latest closure counts.
    both = [DossierFacts(False, False, long_ago), DossierFacts(False, False, closed)]
    assert not plan_erasure(both, NOW, POLICY).complete


def test_an_open_dossier_or_a_legal_hold_keeps_everything_but_emails_or_all() -> None:
    running = plan_erasure([DossierFacts(True, False, None)], NOW, POLICY)
    assert [d.group for d in running.withheld] == [
        RecordGroup.ACCOUNT,
        RecordGroup.FINANCIAL,
        RecordGroup.NEGOTIATION_HISTORY,
        RecordGroup.DOCUMENTS,
    ]
    assert all(d.basis == Basis.CONTRACT and d.until is None for d in running.withheld)
    held = plan_erasure([DossierFacts(False, True, datetime(2019, 1, 1, tzinfo=UTC))], NOW, POLICY)
    assert len(held.withheld) == len(RecordGroup) and held.withheld[0].basis == Basis.LEGAL_HOLD
