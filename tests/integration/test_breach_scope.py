"""A breach's scope computed from the data: a compromised account's reads and changes from the
audit log, within its window only; the document store from the documents it holds."""

from __future__ import annotations

from datetime import timedelta

from support.files import pdf_with
from support.webapp import Staff, make_team, seed_dossier

from config.settings import Settings
from domain.breach.scope_sources import ScopeSource
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from services.audit import append_audit, audit_client_data_read
from services.breaches import scope
from services.documents import new_document


def _dossiers(settings: Settings, staff: Staff, count: int) -> list[Dossier]:
    return [
        seed_dossier(settings, staff.case_worker, email=f"personne{n}@exemple.fr")
        for n in range(count)
    ]


def _upload(settings: Settings, dossier: Dossier, uploader: StaffUser) -> None:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier.id)
        actor = session.get(StaffUser, uploader.id)
        assert row is not None and actor is not None
        new_document(
            session,
            row,
            DocumentKind.INCOME,
            ("bulletin.pdf", pdf_with(b"salaire")),
            actor,
            settings,
            reason="test",
        ).store(session, settings)


def test_a_compromised_account_touches_what_the_audit_log_says_within_its_window(
    settings: Settings,
) -> None:
    staff = make_team(settings)
    read, listed, outside, someone_elses = _dossiers(settings, staff, 4)
    start = utcnow()
    with session_scope(settings) as session:
        # What the account did during the window: a client read, a dossier page...
        audit_client_data_read(session, f"staff:{staff.colleague.id}", read.client_id, "page")
        audit_client_data_read(session, f"staff:{staff.colleague.id}", read.client_id, "page")
        append_audit(session, f"staff:{staff.colleague.id}", "dossier.read", "dossier", listed.id)
        # ...and another account's reads, which are not this breach's.
        audit_client_data_read(
            session, f"staff:{staff.supervisor.id}", someone_elses.client_id, "page"
        )
    end = utcnow()
    with session_scope(settings) as session:
        audit_client_data_read(
            session, f"staff:{staff.colleague.id}", outside.client_id, "after the window"
        )
    assert staff.colleague.id is not None
    with session_scope(settings) as session:
        result = scope.compute(
            session,
            ScopeSource.ACCOUNT,
            staff_id=staff.colleague.id,
            window=(start - timedelta(seconds=1), end),
        )
    assert set(result.records_by_person) == {
        f"client:{read.client_id}",
        f"client:{listed.client_id}",
    }
    # Two records: the client row (read twice, one record) and the dossier.
    assert result.records == 2
    assert result.data_categories == {"account", "negotiation_history"}
    assert result.person_categories == ["clients"]
    # Each person is told of their own data only.
    assert result.categories_by_person == {
        f"client:{read.client_id}": {"account"},
        f"client:{listed.client_id}": {"negotiation_history"},
    }


def test_the_document_store_touches_every_person_with_a_document(settings: Settings) -> None:
    staff = make_team(settings)
    first, second, without = _dossiers(settings, staff, 3)
    _upload(settings, first, staff.case_worker)
    _upload(settings, first, staff.case_worker)
    _upload(settings, second, staff.case_worker)
    with session_scope(settings) as session:
        result = scope.compute(session, ScopeSource.DOCUMENTS)
    assert result.records_by_person == {
        f"client:{first.client_id}": 2,
        f"client:{second.client_id}": 1,
    }
    assert result.records == 3 and result.data_categories == {"documents"}
    assert f"client:{without.client_id}" not in result.records_by_person


def test_a_backup_touches_everyone_and_every_category(settings: Settings) -> None:
    staff = make_team(settings)
    dossiers = _dossiers(settings, staff, 2)
    with session_scope(settings) as session:
        result = scope.compute(session, ScopeSource.BACKUP)
    assert set(result.records_by_person) == {f"client:{d.client_id}" for d in dossiers}
    assert {"account", "negotiation_history"} <= result.data_categories
