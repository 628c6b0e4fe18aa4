"""Negotiation read model: the activities that open a dossier's negotiations, keep each
`negotiation` row and the dossier's timeline current, and record offers, schedules and payments.

Figures stay in the database (encrypted under the client's key); the workflow sees ids, codes,
dates and counts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import dossier as dossier_io
from activities.contracts import negotiation as io
from activities.rows import get_dossier, get_negotiation, get_offer
from config.settings import Settings
from domain.clock import utcnow
from domain.negotiation.consent_rules import ConsentStatus
from domain.negotiation.states import ENDED_STATES, NegotiationState, OfferStatus
from domain.negotiation.timing import monthly_due_dates, paris_date
from domain.staff_notifications import NotificationKind
from domain.workflow_ids import negotiation_workflow_id
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.negotiation import (
    CreditorConsent,
    NegotiationOffer,
    RepaymentInstalment,
)
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.deadlines import refresh_dossier_deadline
from services.effective import effective
from services.negotiations.setup import open_negotiations
from services.staff_notifications import notify_assignee

OFFER_TABLE = "negotiation_offer"
INSTALMENT_TABLE = "repayment_instalment"
CENT = Decimal("0.01")


class NegotiationRecordActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.LOAD_NEGOTIATION_FACTS.name)
    def load_negotiation_facts(self, ref: io.NegotiationRef) -> io.NegotiationFacts:
        with session_scope(self.settings) as session:
            get_negotiation(session, ref.negotiation_id)
            given = session.exec(
                select(CreditorConsent.id)
                .where(CreditorConsent.negotiation_id == ref.negotiation_id)
                .where(CreditorConsent.status == ConsentStatus.GIVEN.value)
                .where(effective(CreditorConsent))
                .order_by(col(CreditorConsent.requested_at).desc())
            ).first()
        return io.NegotiationFacts(
            follow_up_days=list(self.settings.negotiation_follow_up_days),
            no_response_days=self.settings.negotiation_no_response_days,
            counter_offer_decision_days=self.settings.counter_offer_decision_days,
            instalment_grace_days=self.settings.instalment_grace_days,
            instalment_broken_after_days=self.settings.instalment_broken_after_days,
            consent_id=given,
        )

    @activity.defn(name=io.OPEN_NEGOTIATIONS.name)
    def open_negotiations(self, ref: dossier_io.DossierRef) -> io.OpenedNegotiations:
        for attempt in range(2):
            try:
                with session_scope(self.settings) as session:
                    get_dossier(session, ref.dossier_id)
                    ids = open_negotiations(session, ref.dossier_id, self.settings)
                return io.OpenedNegotiations(negotiation_ids=ids)
            except IntegrityError:
                # Two attempts raced on the same creditor: the other one created it.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    @activity.defn(name=io.RECORD_NEGOTIATION_PROGRESS.name)
    def record_negotiation_progress(self, record: io.NegotiationProgress) -> None:
        """The row's state, round and deadline, and one timeline entry per event key.

        The summary is prefixed with "Créancier n°<number> : " on the dossier's timeline. An
        ended negotiation stays ended: a late retry of an earlier step never reopens it.
        """
        for attempt in range(2):
            try:
                with session_scope(self.settings) as session:
                    self._record(session, record)
                return
            except IntegrityError:
                if attempt:  # Two attempts raced on the same event key: the other wrote it.
                    raise

    def _record(self, session: Session, record: io.NegotiationProgress) -> None:
        negotiation = get_negotiation(session, record.negotiation_id)
        now = utcnow()
        state = NegotiationState(record.state)
        if negotiation.ended_at is None or state in ENDED_STATES:
            negotiation.state = state.value
            negotiation.next_deadline = record.next_deadline
            negotiation.next_deadline_label = record.next_deadline_label
            if record.round is not None:
                negotiation.round = record.round
            if record.ended and negotiation.ended_at is None:
                negotiation.ended_at = now
            if record.escalation_route:
                negotiation.escalation_route = record.escalation_route
            negotiation.updated_at = now
            session.add(negotiation)
            session.flush()
            refresh_dossier_deadline(session, negotiation.dossier_id)
        if record.missed_instalment:
            alerted_at = record.missed_alerted_at or now
            _mark_missed_alert(session, negotiation.id, record.missed_instalment, alerted_at)
        if record.event_kind and _is_no_response(negotiation.id, record.event_key):
            # The creditor let the reply deadline pass: the case worker decides what follows.
            notify_assignee(
                session,
                self.settings,
                dossier_id=negotiation.dossier_id,
                kind=NotificationKind.CREDITOR_NO_RESPONSE,
                source_key=record.event_key,
            )
        if record.event_kind and not _event_exists(session, record.event_key):
            session.add(
                TimelineEvent(
                    dossier_id=negotiation.dossier_id,
                    negotiation_id=negotiation.id,
                    kind=record.event_kind[:40],
                    summary=f"Créancier n°{negotiation.number} : {record.summary}"[:300],
                    actor=record.actor,
                    idempotency_key=record.event_key or None,
                )
            )

    @activity.defn(name=io.LOAD_OFFER.name)
    def load_offer(self, ref: io.OfferRef) -> io.OfferFacts:
        with session_scope(self.settings) as session:
            offer = get_offer(session, ref.offer_id)
            return io.OfferFacts(
                offer_id=offer.id,
                round=offer.round,
                made_by=offer.made_by,
                offer_type=offer.offer_type,
                status=offer.status,
                valid_until=offer.valid_until.isoformat(),
                instalments=offer.instalments,
                first_due_date=offer.first_due_date.isoformat() if offer.first_due_date else None,
            )

    @activity.defn(name=io.SET_OFFER_STATUS.name)
    def set_offer_status(self, change: io.OfferStatusChange) -> None:
        with session_scope(self.settings) as session:
            offer = get_offer(session, change.offer_id)
            offer.status = change.status
            if change.decision_deadline is not None:
                offer.decision_deadline = change.decision_deadline
            if change.client_decision is not None:
                offer.client_decision = change.client_decision
                offer.client_decided_at = change.decided_at or utcnow()
                # Only the client decides a counter-offer: their case worker hears of it.
                accepted = change.client_decision == OfferStatus.ACCEPTED.value
                notify_assignee(
                    session,
                    self.settings,
                    dossier_id=get_negotiation(session, offer.negotiation_id).dossier_id,
                    kind=(
                        NotificationKind.COUNTER_OFFER_ACCEPTED
                        if accepted
                        else NotificationKind.COUNTER_OFFER_REFUSED
                    ),
                    source_key=f"counter_offer:{offer.id}:{change.client_decision}",
                )
            if change.sent_at is not None and offer.sent_at is None:
                offer.sent_at = change.sent_at
            session.add(offer)

    @activity.defn(name=io.CREATE_SCHEDULE.name)
    def create_schedule(self, request: io.ScheduleRequest) -> io.RepaymentSchedule:
        """The instalments of the accepted offer, monthly from its first due date; once."""
        with session_scope(self.settings) as session:
            existing = session.exec(
                select(RepaymentInstalment)
                .where(RepaymentInstalment.negotiation_id == request.negotiation_id)
                .order_by(col(RepaymentInstalment.number))
            ).all()
            if existing:
                return _schedule([row.due_date for row in existing])
            negotiation = get_negotiation(session, request.negotiation_id)
            offer = get_offer(session, request.offer_id)
            count = offer.instalments or 0
            if count <= 0:
                return _schedule([])
            cipher = self._cipher(session, negotiation.dossier_id)
            amounts = _instalment_amounts(cipher, offer, count)
            # A plan without a first date starts a month after the agreement.
            first = offer.first_due_date or _month_after(paris_date(utcnow()))
            due_dates = monthly_due_dates(first, count)
            for number, (due, amount) in enumerate(zip(due_dates, amounts, strict=True), start=1):
                row = RepaymentInstalment(
                    negotiation_id=negotiation.id,
                    offer_id=offer.id,
                    number=number,
                    due_date=due,
                )
                session.add(row)
                session.flush()
                assert row.id is not None
                row.amount_enc = (
                    None
                    if amount is None
                    else cipher.encrypt(INSTALMENT_TABLE, "amount", row.id, str(amount))
                )
                session.add(row)
            append_audit(
                session,
                "system",
                "negotiation.schedule_created",
                "negotiation",
                negotiation.id,
                detail={"offer": offer.id, "instalments": count},
            )
            return _schedule(due_dates)

    @activity.defn(name=io.RECORD_INSTALMENT.name)
    def record_instalment(self, payment: io.InstalmentPayment) -> None:
        with session_scope(self.settings) as session:
            row = session.exec(
                select(RepaymentInstalment)
                .where(RepaymentInstalment.negotiation_id == payment.negotiation_id)
                .where(RepaymentInstalment.number == payment.number)
            ).first()
            if row is None:
                raise ApplicationError(
                    f"L'échéance n°{payment.number} n'existe pas dans ce plan.",
                    type="InstalmentNotFound",
                    non_retryable=True,
                )
            if row.paid_at is not None:
                return
            row.paid_at = payment.paid_at
            row.paid_recorded_by = payment.actor
            session.add(row)
            append_audit(
                session,
                payment.actor,
                "negotiation.instalment_paid",
                "negotiation",
                payment.negotiation_id,
                detail={"instalment": payment.number},
            )

    def _cipher(self, session: Session, dossier_id: str) -> ClientCipher:
        dossier = session.get(Dossier, dossier_id)
        client = session.get(Client, dossier.client_id) if dossier else None
        if client is None or client.wrapped_key is None:
            raise ApplicationError(
                "Les données de ce client ont été effacées.",
                type="ClientErased",
                non_retryable=True,
            )
        return ClientCipher.for_client(client, self.settings)


def _mark_missed_alert(
    session: Session, negotiation_id: str, number: int, alerted_at: datetime
) -> None:
    """When the missed-instalment alert went out; the first time only (a retry keeps it)."""
    row = session.exec(
        select(RepaymentInstalment)
        .where(RepaymentInstalment.negotiation_id == negotiation_id)
        .where(RepaymentInstalment.number == number)
    ).first()
    if row is not None and row.missed_alerted_at is None:
        row.missed_alerted_at = alerted_at
        session.add(row)


def _event_exists(session: Session, key: str) -> bool:
    if not key:
        return False
    found = session.exec(select(TimelineEvent.id).where(TimelineEvent.idempotency_key == key))
    return found.first() is not None


def _instalment_amounts(
    cipher: ClientCipher, offer: NegotiationOffer, count: int
) -> list[Decimal | None]:
    """The offer's instalment amount each time, the last one paying what is left of the total
    (the pages ensure (n - 1) x m < total <= n x m); without an instalment amount, the total split
    in equal cents, the last instalment taking what rounding left over."""
    each = cipher.decrypt(OFFER_TABLE, "instalment_amount", offer.id, offer.instalment_amount_enc)
    total = cipher.decrypt(OFFER_TABLE, "amount", offer.id, offer.amount_enc)
    if each:
        amount: Decimal | None = Decimal(each)
        if not total:
            return [amount] * count
        return [*([amount] * (count - 1)), Decimal(total) - Decimal(each) * (count - 1)]
    if not total:
        return [None] * count
    share = (Decimal(total) / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts: list[Decimal | None] = [share] * (count - 1)
    return [*amounts, Decimal(total) - share * (count - 1)]


def _schedule(due_dates: list[date]) -> io.RepaymentSchedule:
    return io.RepaymentSchedule(due_dates=[day.isoformat() for day in due_dates])


def _month_after(day: date) -> date:
    return monthly_due_dates(day, 2)[1]


def _is_no_response(negotiation_id: str, event_key: str) -> bool:
    """The workflow's "no response" step keys its event "<workflow id>:no_response:<wait>"."""
    prefix = f"{negotiation_workflow_id(negotiation_id)}:no_response:"
    return event_key.startswith(prefix)
