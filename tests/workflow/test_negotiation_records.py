"""The negotiation read-model activities on their own (real SQLite, real keys), where a workflow
test would not reach easily: retries, calendar edges, anonymisation at the end of retention."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from support.negotiation import (
    draft_offer,
    give_consent,
    record_reply_row,
    seed_negotiations,
)
from temporalio.testing import ActivityEnvironment

from activities.contracts import dossier as dossier_io
from activities.contracts import negotiation as io
from activities.negotiation_records import NegotiationRecordActivities
from activities.retention import RetentionActivities
from config.settings import Settings
from domain.dossier_stages import Outcome, Stage
from domain.legal_calendar import add_months
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.timing import end_of_day, monthly_due_dates
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.statistics import DossierStatistic
from security.datakeys import ClientCipher

NEGOTIATION_TABLES: list[Any] = [
    CreditorConsent,
    NegotiationOffer,
    CreditorReply,
    SharingLedgerEntry,
    RepaymentInstalment,
]


def _run(function: Any, *args: Any) -> Any:
    return ActivityEnvironment().run(function, *args)


def test_monthly_dates_keep_the_day_or_take_the_month_end() -> None:
    assert monthly_due_dates(date(2027, 1, 31), 4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)
    # End of 12 March in Paris: 23:00 UTC in winter, 22:00 in summer.
    assert end_of_day(date(2027, 3, 12)) == datetime(2027, 3, 12, 23, tzinfo=UTC)
    assert end_of_day(date(2027, 7, 12)) == datetime(2027, 7, 12, 22, tzinfo=UTC)


def test_the_schedule_is_created_once_with_encrypted_amounts(settings: Settings) -> None:
    seed = seed_negotiations(settings, creditors=1)
    [negotiation_id] = seed.negotiation_ids
    offer_id = draft_offer(
        settings,
        negotiation_id,
        amount="1000.00",
        instalments=3,
        instalment_amount=None,
        first_due_date=date(2027, 1, 31),
    )
    records = NegotiationRecordActivities(settings)
    request = io.ScheduleRequest(negotiation_id, offer_id)
    first = _run(records.create_schedule, request)
    again = _run(records.create_schedule, request)
    assert first == again
    assert first.due_dates == ["2027-01-31", "2027-02-28", "2027-03-31"]
    with session_scope(settings) as session:
        rows = session.exec(
            select(RepaymentInstalment).where(RepaymentInstalment.negotiation_id == negotiation_id)
        ).all()
        client = session.get(Client, seed.client_id)
        assert client is not None
    cipher = ClientCipher.for_client(client, settings)
    amounts = [
        cipher.decrypt("repayment_instalment", "amount", row.id or 0, row.amount_enc)
        for row in sorted(rows, key=lambda r: r.number)
    ]
    # Split in cents, the last one takes the rest; nothing in clear.
    assert amounts == ["333.33", "333.33", "333.34"]
    assert all(row.amount_enc and "333" not in row.amount_enc for row in rows)

    payment = io.InstalmentPayment(negotiation_id, 2, seed.actor, datetime.now(UTC))
    _run(records.record_instalment, payment)
    _run(records.record_instalment, payment)  # A retry changes nothing.
    with session_scope(settings) as session:
        paid = session.exec(
            select(RepaymentInstalment.number).where(col(RepaymentInstalment.paid_at).is_not(None))
        ).all()
    assert paid == [2]


def test_the_last_instalment_pays_what_is_left_of_the_total(settings: Settings) -> None:
    """1 240 € in 6 x 239,70 €: five of 239,70 € and a last one of 41,50 €, as the offer says."""
    seed = seed_negotiations(settings, creditors=1)
    [negotiation_id] = seed.negotiation_ids
    offer_id = draft_offer(
        settings,
        negotiation_id,
        amount="1240.00",
        instalments=6,
        instalment_amount="239.70",
        first_due_date=date(2027, 1, 15),
    )
    _run(
        NegotiationRecordActivities(settings).create_schedule,
        io.ScheduleRequest(negotiation_id, offer_id),
    )
    with session_scope(settings) as session:
        rows = session.exec(
            select(RepaymentInstalment).where(RepaymentInstalment.negotiation_id == negotiation_id)
        ).all()
        client = session.get(Client, seed.client_id)
        assert client is not None
    cipher = ClientCipher.for_client(client, settings)
    amounts = [
        cipher.decrypt("repayment_instalment", "amount", row.id or 0, row.amount_enc)
        for row in sorted(rows, key=lambda r: r.number)
    ]
    assert amounts == ["239.70"] * 5 + ["41.50"]


def test_progress_is_recorded_once_and_an_ended_negotiation_never_reopens(
    settings: Settings,
) -> None:
    seed = seed_negotiations(settings, creditors=2)
    negotiation_id = seed.negotiation_ids[1]
    records = NegotiationRecordActivities(settings)

    def progress(key: str, state: str, **extra: Any) -> io.NegotiationProgress:
        return io.NegotiationProgress(
            negotiation_id=negotiation_id,
            event_key=key,
            state=state,
            event_kind="negotiation_progress" if key else "",
            summary=f"étape {state}",
            **extra,
        )

    _run(records.record_negotiation_progress, progress("k:offer", "awaiting_reply", round=1))
    _run(records.record_negotiation_progress, progress("k:offer", "awaiting_reply", round=1))
    ended = progress("k:end", "abandoned", ended=True)
    _run(records.record_negotiation_progress, ended)
    # A late retry of an earlier step: its state does not come back.
    _run(records.record_negotiation_progress, progress("", "awaiting_reply", round=1))
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        events = session.exec(
            select(TimelineEvent).where(TimelineEvent.negotiation_id == negotiation_id)
        ).all()
    assert (row.state, row.round) == ("abandoned", 1) and row.ended_at is not None
    assert [(e.kind, e.summary, e.dossier_id) for e in events] == [
        ("negotiation_progress", "Créancier n°2 : étape awaiting_reply", seed.dossier_id),
        ("negotiation_progress", "Créancier n°2 : étape abandoned", seed.dossier_id),
    ]


def test_facts_and_offers_for_the_workflow(settings: Settings) -> None:
    seed = seed_negotiations(settings, creditors=1)
    [negotiation_id] = seed.negotiation_ids
    records = NegotiationRecordActivities(settings)
    facts = _run(records.load_negotiation_facts, io.NegotiationRef(negotiation_id))
    assert (facts.follow_up_days, facts.no_response_days, facts.consent_id) == ([15, 30], 45, None)
    consent_id = give_consent(settings, negotiation_id, [ShareCategory.IDENTITY])
    facts = _run(records.load_negotiation_facts, io.NegotiationRef(negotiation_id))
    assert facts.consent_id == consent_id

    offer_id = draft_offer(settings, negotiation_id, valid_until=date(2027, 5, 4))
    loaded = _run(records.load_offer, io.OfferRef(offer_id))
    assert (loaded.valid_until_date, loaded.status, loaded.made_by) == (
        date(2027, 5, 4),
        "draft",
        "us",
    )
    deadline = datetime(2027, 5, 1, 10, tzinfo=UTC)
    change = io.OfferStatusChange(offer_id, "sent", decision_deadline=deadline)
    _run(records.set_offer_status, change)
    with session_scope(settings) as session:
        row = session.get(NegotiationOffer, offer_id)
        assert row is not None
    assert row.status == "sent" and row.decision_deadline is not None

    opened = _run(records.open_negotiations, dossier_io.DossierRef(seed.dossier_id))
    assert opened.negotiation_ids == seed.negotiation_ids


def _rows(settings: Settings, negotiation_ids: list[str]) -> dict[str, int]:
    with session_scope(settings) as session:
        counts = {
            model.__tablename__: len(
                session.exec(
                    select(model).where(col(model.negotiation_id).in_(negotiation_ids))
                ).all()
            )
            for model in NEGOTIATION_TABLES
        }
        counts["negotiation"] = len(
            session.exec(select(Negotiation).where(col(Negotiation.id).in_(negotiation_ids))).all()
        )
    return counts


def _fill(settings: Settings, negotiation_id: str, dossier_id: str, client_id: str) -> None:
    """A consent, an offer and a reply, a ledger entry and a schedule: every table used."""
    consent_id = give_consent(settings, negotiation_id, [ShareCategory.IDENTITY])
    offer_id = draft_offer(settings, negotiation_id, instalments=2)
    record_reply_row(settings, negotiation_id, "accepted")
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None and negotiation.creditor_id is not None
        session.add(
            SharingLedgerEntry(
                negotiation_id=negotiation_id,
                dossier_id=dossier_id,
                client_id=client_id,
                creditor_id=negotiation.creditor_id,
                consent_id=consent_id,
                message_kind="offer",
                categories=json.dumps(["identity"]),
                message_key=f"test:{negotiation_id}",
                channel="email",
            )
        )
    request = io.ScheduleRequest(negotiation_id, offer_id)
    _run(NegotiationRecordActivities(settings).create_schedule, request)


def test_anonymisation_deletes_the_negotiations_of_the_dossier_only(settings: Settings) -> None:
    gone = seed_negotiations(settings, creditors=2)
    kept = seed_negotiations(settings, creditors=1, client_email="autre@example.org")
    for seed in (gone, kept):
        for negotiation_id in seed.negotiation_ids:
            _fill(settings, negotiation_id, seed.dossier_id, seed.client_id)
    assert _rows(settings, gone.negotiation_ids) == {
        "creditor_consent": 2,
        "negotiation_offer": 2,
        "creditor_reply": 2,
        "sharing_ledger": 2,
        "repayment_instalment": 4,
        "negotiation": 2,
    }
    with session_scope(settings) as session:
        dossier = session.get(Dossier, gone.dossier_id)
        assert dossier is not None
        dossier.stage, dossier.outcome = Stage.CLOSED, Outcome.RESOLVED
        dossier.closed_at = datetime.now(UTC)
        session.add(dossier)

    report = _run(
        RetentionActivities(settings).anonymise_dossier, dossier_io.DossierRef(gone.dossier_id)
    )
    assert report.rows_deleted["negotiation"] == 2
    assert report.rows_deleted["repayment_instalment"] == 4
    assert set(_rows(settings, gone.negotiation_ids).values()) == {0}
    assert _rows(settings, kept.negotiation_ids) == {
        "creditor_consent": 1,
        "negotiation_offer": 1,
        "creditor_reply": 1,
        "sharing_ledger": 1,
        "repayment_instalment": 2,
        "negotiation": 1,
    }
    with session_scope(settings) as session:
        assert session.get(Dossier, gone.dossier_id) is None
        [statistic] = session.exec(select(DossierStatistic)).all()
    assert (statistic.outcome, statistic.creditor_count) == ("resolved", 2)
