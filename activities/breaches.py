"""The BreachWorkflow's activities: load the breach, record an event with the read model it
leaves, alert the DPO and management, and inform the affected people in batches.

Each is idempotent: an event is written once per key; each email is an outbox row keyed by the
breach and its recipient, sent at most once (services/email_outbox.py), and each affected
person's delivery is recorded on their row, so a batch retried after a crash goes on with
those not informed yet.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import breach as io
from activities.email_sending import deliver_queued
from activities.heartbeating import heartbeating
from config.settings import Settings
from domain.breach.deadline import hours_left
from domain.breach.rules import BreachState, Nature
from domain.clock import as_utc, utcnow
from domain.french_dates import french_datetime
from models.breach import Breach, BreachAffected, BreachNotification
from models.client import Client
from models.database import session_scope
from models.outbox import OutboxEmail
from models.privacy_request import PrivacyRequest
from models.staff import Role, StaffUser
from rendering.email import RenderedEmail, render_email
from security.datakeys import ClientCipher, ClientErasedError, KeyHolder
from services.audit import audit_client_data_read
from services.breaches.information import information_context
from services.breaches.queries import remaining_steps
from services.breaches.timeline import add_event
from services.email_outbox import deliver, find_queued, queue_email

BREACH_MISSING = "BreachMissing"
OUTBOX_KEY_PREFIX = "breach:"
STAFF_TEMPLATES = {
    "suspicion": "breach_suspicion",
    "alert": "breach_alert",
    "overdue": "breach_overdue",
}
INFORMATION_TEMPLATE = "breach_information"
# Management hears of every alert; overdue reaches the supervisors as well.
ALERTED = {
    "suspicion": (Role.DPO,),
    "alert": (Role.DPO, Role.ADMIN),
    "overdue": (Role.DPO, Role.ADMIN, Role.SUPERVISOR),
}


@dataclass(frozen=True)
class Person:
    """An affected person's address and whose key encrypts the message to them."""

    address: str
    key_holder: KeyHolder
    client_id: str | None


class BreachActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.LOAD_BREACH.name)
    def load_breach(self, ref: io.BreachRef) -> io.BreachFacts:
        with session_scope(self.settings) as session:
            row = _breach(session, ref.breach_id)
            return io.BreachFacts(row.status, as_utc(row.aware_at))

    @activity.defn(name=io.RECORD_BREACH_EVENT.name)
    def record_breach_event(self, event: io.BreachEventRecord) -> bool:
        """The event and the read model it leaves, in one transaction; False on a retry that
        finds them written."""
        with session_scope(self.settings) as session:
            row = _breach(session, event.breach_id)
            added = add_event(
                session, row.id, event.key, event.kind, event.actor, event.at, event.detail
            )
            snapshot = event.snapshot
            state = BreachState(snapshot.aware_at)
            row.status = snapshot.status
            row.aware_at = snapshot.aware_at
            row.notify_by = state.notify_by
            row.notifications = snapshot.notifications
            row.informing = snapshot.informing
            row.informed_at = snapshot.informed_at
            row.alerts = json.dumps(snapshot.alerts)
            row.closed_at = snapshot.closed_at
            if event.notification_id is not None:
                notification = session.get(BreachNotification, event.notification_id)
                if notification is not None and notification.breach_id == row.id:
                    notification.accepted = True
                    session.add(notification)
                    if row.first_notified_at is None:
                        row.first_notified_at = event.at
            row.synced_at = utcnow()
            session.add(row)
            return added

    # ----- alerts to staff -----------------------------------------------------------------------

    @activity.defn(name=io.SEND_BREACH_ALERT.name)
    @heartbeating
    async def send_breach_alert(self, alert: io.BreachAlert) -> io.AlertOutcome:
        recipients = await asyncio.to_thread(self._staff, alert.kind)
        holder = await asyncio.to_thread(self._holder, alert.breach_id)
        sent = 0
        for staff_id, address in recipients:
            key = f"{OUTBOX_KEY_PREFIX}{alert.breach_id}:{alert.key}:staff:{staff_id}"
            row = find_queued(self.settings, key)
            outcome = await deliver_queued(
                self.settings,
                row,
                holder,
                functools.partial(self._queue_alert, alert, address, key),
            )
            sent += int(outcome.sent_now)
        return io.AlertOutcome(sent=sent, recipients=len(recipients))

    def _staff(self, kind: str) -> list[tuple[int, str]]:
        with session_scope(self.settings) as session:
            members = session.exec(
                select(StaffUser)
                .where(col(StaffUser.active))
                .where(col(StaffUser.role).in_(ALERTED[kind]))
                .order_by(col(StaffUser.id))
            ).all()
            return [(m.id, m.email) for m in members if m.id is not None]

    def _holder(self, breach_id: str) -> Breach:
        with session_scope(self.settings) as session:
            return _breach(session, breach_id)

    def _queue_alert(self, alert: io.BreachAlert, address: str, key: str) -> OutboxEmail:
        with session_scope(self.settings) as session:
            row = _breach(session, alert.breach_id)
            now = as_utc(alert.at)
            left = hours_left(as_utc(row.aware_at), now)
            context: dict[str, Any] = {
                "reference": row.reference,
                "nature": Nature(row.nature).label.lower(),
                "hours": alert.hours,
                "hours_left": _hours_text(left),
                "notify_by": french_datetime(as_utc(row.notify_by)),
                "remaining": remaining_steps(row),
                "breach_url": f"{self.settings.public_base_url.rstrip('/')}/breaches/{row.id}",
            }
            template = STAFF_TEMPLATES[alert.kind]
            return queue_email(
                session,
                self.settings,
                key=key,
                client=row,
                dossier_id=None,
                template=template,
                rendered=render_email(template, address, context),
            )

    # ----- informing the people ------------------------------------------------------------------

    @activity.defn(name=io.INFORM_BREACH_PEOPLE.name)
    async def inform_breach_people(self, batch: io.InformBatch) -> io.InformProgress:
        """Email up to `batch.size` pending persons: their messages queued in one transaction,
        then delivered at most `breach_emails_per_second`, a few connections at once, each
        marked delivered in the transaction that records it sent; heartbeats the count done."""
        queued, no_email = await asyncio.to_thread(self._queue_batch, batch)
        gate = asyncio.Semaphore(self.settings.breach_email_concurrency)
        pace = _Pace(self.settings.breach_emails_per_second)
        counts = {"sent": 0, "refused": 0}

        async def one(message: Queued) -> None:
            async with gate:
                await pace.wait()
                counts[await self._deliver(message)] += 1
                activity.heartbeat(sum(counts.values()))

        await asyncio.gather(*(one(message) for message in queued))
        remaining = await asyncio.to_thread(self._remaining, batch.breach_id)
        return io.InformProgress(
            emailed=counts["sent"],
            no_email=no_email,
            refused=counts["refused"],
            remaining=remaining,
        )

    def _queue_batch(self, batch: io.InformBatch) -> tuple[list[Queued], int]:
        """The messages of the next pending persons, queued (or found queued by an earlier
        attempt) in one transaction; those without a usable address marked for another
        channel. The audit entry of each address read commits with its message."""
        queued: list[Queued] = []
        no_email = 0
        with session_scope(self.settings) as session:
            row = _breach(session, batch.breach_id)

            # The same words for everyone told of the same categories: rendered once each.
            @functools.cache
            def by_categories(categories: str) -> RenderedEmail:
                context = information_context(row, categories, self.settings)
                return render_email(INFORMATION_TEMPLATE, "", context)

            def rendered(affected: BreachAffected) -> RenderedEmail:
                return by_categories(affected.data_categories)

            pending = session.exec(
                select(BreachAffected)
                .where(BreachAffected.breach_id == batch.breach_id)
                .where(BreachAffected.delivery == "pending")
                .order_by(col(BreachAffected.id))
                .limit(batch.size)
            ).all()
            for affected in pending:
                key = f"{OUTBOX_KEY_PREFIX}{row.id}:inform:{affected.id}"
                person = affected_person(session, affected, self.settings)
                if person is None:
                    affected.delivery = "no_email"
                    affected.delivered_at = utcnow()
                    session.add(affected)
                    no_email += 1
                    continue
                message = session.exec(
                    select(OutboxEmail).where(OutboxEmail.idempotency_key == key)
                ).first()
                if message is None:
                    if person.client_id is not None:
                        audit_client_data_read(
                            session,
                            "system",
                            person.client_id,
                            f"email:{INFORMATION_TEMPLATE}",
                            breach_id=row.id,
                        )
                    message = queue_email(
                        session,
                        self.settings,
                        key=key,
                        client=person.key_holder,
                        dossier_id=None,
                        template=INFORMATION_TEMPLATE,
                        rendered=replace(rendered(affected), recipient=person.address),
                    )
                assert affected.id is not None
                queued.append(Queued(affected.id, message, person.key_holder))
        return queued, no_email

    async def _deliver(self, message: Queued) -> str:
        def delivered(session: Session) -> None:
            _mark(session, message.affected_id, "sent")

        try:
            sent_now = await deliver(self.settings, message.row, message.key_holder, delivered)
        except ApplicationError as exc:
            if exc.type != "RecipientRefused":
                raise
            await asyncio.to_thread(self._mark_alone, message.affected_id, "refused")
            return "refused"
        if not sent_now:
            # Sent by an earlier attempt that died before recording the person informed.
            await asyncio.to_thread(self._mark_alone, message.affected_id, "sent")
        return "sent"

    def _mark_alone(self, affected_id: int, delivery: str) -> None:
        with session_scope(self.settings) as session:
            _mark(session, affected_id, delivery)

    def _remaining(self, breach_id: str) -> int:
        with session_scope(self.settings) as session:
            return session.exec(
                select(func.count())
                .where(BreachAffected.breach_id == breach_id)
                .where(BreachAffected.delivery == "pending")
            ).one()


@dataclass(frozen=True)
class Queued:
    """A person's message in the outbox, ready to leave."""

    affected_id: int
    row: OutboxEmail
    key_holder: KeyHolder


def _mark(session: Session, affected_id: int, delivery: str) -> None:
    affected = session.get(BreachAffected, affected_id)
    if affected is not None and affected.delivery == "pending":
        affected.delivery = delivery
        affected.delivered_at = utcnow()
        session.add(affected)


def affected_person(
    session: Session, affected: BreachAffected, settings: Settings
) -> Person | None:
    """Where the person can be emailed: the client's address, or the address a non-client's
    request came from; None when there is none readable (erased, never given)."""
    if affected.client_id is not None:
        client = session.get(Client, affected.client_id)
        if client is None:
            return None
        try:
            cipher = ClientCipher.for_client(client, settings)
        except ClientErasedError:
            return None
        address = cipher.decrypt("client", "email", client.id, client.email_enc)
        return Person(address, client, client.id) if address else None
    request = session.get(PrivacyRequest, affected.request_id) if affected.request_id else None
    if request is None or request.email_enc is None or request.wrapped_key is None:
        return None
    cipher = ClientCipher.for_client(request, settings)
    address = cipher.decrypt("privacy_request", "email", request.id, request.email_enc)
    return Person(address, request, None) if address else None


def _hours_text(hours: float) -> str:
    whole = max(0, int(hours))
    return "1 heure" if whole == 1 else f"{whole} heures"


class _Pace:
    """At most `per_second` starts a second, spread evenly."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self.lock:
            now = time.monotonic()
            delay = self.next_at - now
            self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


def _breach(session: Session, breach_id: str) -> Breach:
    row = session.get(Breach, breach_id)
    if row is None:
        raise ApplicationError(
            f"breach {breach_id} not found", type=BREACH_MISSING, non_retryable=True
        )
    return row
