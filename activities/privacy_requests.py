"""The PrivacyRequestWorkflow's activities: load the request, record an event with the read
model it leaves, and email the DPO, the supervisor or the person.

Each is idempotent: an event is written once per key; each email is an outbox row keyed by the
notice and its recipient, sent at most once (services/email_outbox.py).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import privacy_request as io
from activities.email_sending import deliver_queued
from activities.heartbeating import heartbeating
from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.french_dates import french_date
from domain.privacy.deadline import paris_day
from domain.privacy.request import CONFIRMATION_HOURS, Outcome, RequestStatus, Right
from models.client import Client
from models.database import session_scope
from models.outbox import OutboxEmail
from models.privacy_request import PrivacyDownload, PrivacyRequest, PrivacyRequestEvent
from models.staff import Role, StaffUser
from rendering.email import render_email
from security.datakeys import ClientCipher, ClientErasedError, KeyHolder
from security.privacy_links import CONFIRM_LINK, DOWNLOAD_LINK
from services.audit import audit_client_data_read
from services.email_outbox import find_queued, queue_email
from services.privacy_requests.erasure import erasure_plan
from services.privacy_requests.notes import read_notes
from services.privacy_requests.records import confirm_address
from services.privacy_requests.timeline import EventKind, add_event

REQUEST_MISSING = "PrivacyRequestMissing"
# Every outbox message about a request: its key starts so, then the request id.
OUTBOX_KEY_PREFIX = "privacy-request:"
# Notices to staff, by kind: who gets them besides the DPO.
STAFF_TEMPLATES = {
    "reminder": "privacy_reminder",
    "escalation": "privacy_escalation",
    "overdue": "privacy_overdue",
}
PERSON_TEMPLATES = {
    "confirmation": "privacy_confirmation",
    "extension": "privacy_extension",
    "response": "privacy_response",
    "restriction_lift": "privacy_restriction_lift",
}
WITH_SUPERVISORS = frozenset({"escalation", "overdue"})
DOWNLOAD_LABELS = {
    "access": "La copie de toutes vos données (archive ZIP : document lisible, JSON, CSV, pièces)",
    "portability": "Vos données dans un format réutilisable (archive ZIP : JSON et CSV)",
}


@dataclass(frozen=True)
class Recipient:
    # "staff:<id>" or "person": part of the outbox key.
    name: str
    address: str
    # Whose data key encrypts the message (the client, or the request itself).
    key_holder: KeyHolder


class PrivacyRequestActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.LOAD_PRIVACY_REQUEST.name)
    def load_privacy_request(self, ref: io.RequestRef) -> io.RequestFacts:
        with session_scope(self.settings) as session:
            row = _request(session, ref.request_id)
            return io.RequestFacts(
                row.rights.split(","),
                as_utc(row.received_at),
                awaiting_confirmation=row.status == RequestStatus.UNCONFIRMED.value,
            )

    @activity.defn(name=io.RECORD_PRIVACY_CONFIRMATION.name)
    def record_privacy_confirmation(self, record: io.ConfirmationRecord) -> None:
        with session_scope(self.settings) as session:
            row = _request(session, record.request_id)
            if row.status == RequestStatus.UNCONFIRMED.value:
                confirm_address(session, self.settings, row, record.received_at)

    @activity.defn(name=io.DISCARD_UNCONFIRMED_REQUEST.name)
    def discard_unconfirmed_request(self, ref: io.RequestRef) -> None:
        """Nobody confirmed the address: nothing of the request is kept (its confirmation
        email included)."""
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, ref.request_id)
            if row is None or row.status != RequestStatus.UNCONFIRMED.value:
                return
            prefix = f"{OUTBOX_KEY_PREFIX}{row.id}:"
            session.execute(
                delete(OutboxEmail).where(col(OutboxEmail.idempotency_key).startswith(prefix))
            )
            session.delete(row)

    @activity.defn(name=io.RECORD_PRIVACY_EVENT.name)
    def record_privacy_event(self, event: io.RequestEvent) -> bool:
        """The event and the read model it leaves, in one transaction; False on a retry that
        finds them written."""
        with session_scope(self.settings) as session:
            row = _request(session, event.request_id)
            added = add_event(
                session,
                event.request_id,
                event.key,
                EventKind(event.kind),
                event.actor,
                event.at,
                event.detail,
                event.note_id,
            )
            snapshot = event.snapshot
            row.status = snapshot.status
            row.due_at = snapshot.due_at
            row.paused_days = snapshot.paused_days
            row.extended_months = snapshot.extended_months
            row.outcomes = json.dumps(snapshot.outcomes, sort_keys=True)
            row.answered_at = snapshot.answered_at
            row.synced_at = utcnow()
            session.add(row)
            return added

    @activity.defn(name=io.SEND_PRIVACY_NOTICE.name)
    @heartbeating
    async def send_privacy_notice(self, notice: io.RequestNotice) -> io.NoticeOutcome:
        recipients = self._recipients(notice)
        sent = 0
        for recipient in recipients:
            key = f"{OUTBOX_KEY_PREFIX}{notice.key}:{recipient.name}"
            row = find_queued(self.settings, key)
            outcome = await deliver_queued(
                self.settings,
                row,
                recipient.key_holder,
                functools.partial(self._queue, notice, recipient, key),
            )
            sent += int(outcome.sent_now)
        return io.NoticeOutcome(sent=sent, recipients=len(recipients))

    # ----- recipients and messages --------------------------------------------------------------

    def _recipients(self, notice: io.RequestNotice) -> list[Recipient]:
        with session_scope(self.settings) as session:
            row = _request(session, notice.request_id)
            if notice.kind in PERSON_TEMPLATES:
                person = _person(session, row, self.settings)
                return [person] if person is not None else []
            roles = [Role.DPO]
            statement = select(StaffUser).where(col(StaffUser.active))
            if notice.kind in WITH_SUPERVISORS:
                roles.append(Role.SUPERVISOR)
            staff = session.exec(
                statement.where(col(StaffUser.role).in_(roles)).order_by(col(StaffUser.id))
            ).all()
            # The supervisors of the request's team; a team without one (the DPO's own, for
            # someone who is not a client) escalates to every supervisor.
            supervisors = [m for m in staff if m.role == Role.SUPERVISOR]
            team = [m for m in supervisors if m.team == row.team] or supervisors
            return [
                Recipient(f"staff:{member.id}", member.email, row)
                for member in staff
                if member.role == Role.DPO or member in team
            ]

    def _queue(
        self, notice: io.RequestNotice, recipient: Recipient, key: str
    ) -> OutboxEmail | None:
        with session_scope(self.settings) as session:
            row = _request(session, notice.request_id)
            template = PERSON_TEMPLATES.get(notice.kind) or STAFF_TEMPLATES[notice.kind]
            context = self._context(session, row, notice)
            if isinstance(recipient.key_holder, Client):
                # Writing to a client reads their address: recorded with the message.
                audit_client_data_read(
                    session,
                    "system",
                    recipient.key_holder.id,
                    f"email:{template}",
                    privacy_request_id=row.id,
                )
            return queue_email(
                session,
                self.settings,
                key=key,
                client=recipient.key_holder,
                dossier_id=None,
                template=template,
                rendered=render_email(template, recipient.address, context),
            )

    def _context(
        self, session: Session, row: PrivacyRequest, notice: io.RequestNotice
    ) -> dict[str, Any]:
        rights = [Right(value) for value in row.rights.split(",")]
        due_on = paris_day(as_utc(notice.due_at))
        days_left = (due_on - paris_day(as_utc(notice.at))).days
        context: dict[str, Any] = {
            "reference": row.reference,
            "rights_text": ", ".join(right.label.lower() for right in rights),
            "received_on": french_date(as_utc(row.received_at)),
            "due_on": french_date(as_utc(notice.due_at)),
            "days_left_text": _days_left_text(days_left),
            "months": row.extended_months,
            "request_url": (
                f"{self.settings.public_base_url.rstrip('/')}/privacy-requests/{row.id}"
            ),
        }
        notes = read_notes(session, row, _note_ids(session, row, notice), self.settings)
        if notice.kind == "extension" and notice.note_id is not None:
            context["reason"] = notes.get(notice.note_id, "")
        if notice.kind == "confirmation":
            context["confirm_url"] = CONFIRM_LINK.url(self.settings, row.id)
            context["confirm_hours"] = CONFIRMATION_HOURS
        if notice.kind == "response":
            context.update(_decisions(session, row, notes))
            context["downloads"] = self._downloads(session, notice.download_ids)
            context["erasure"] = self._erasure(session, row, as_utc(notice.at))
        return context

    def _erasure(self, session: Session, row: PrivacyRequest, at: datetime) -> list[dict[str, str]]:
        """What an erasure granted takes now and what it leaves, with why and until when."""
        outcomes = json.loads(row.outcomes)
        if outcomes.get(Right.ERASURE.value) in (None, Outcome.REFUSED.value):
            return []
        plan = erasure_plan(session, row, at, self.settings.retention_policy)
        return [
            {
                "group": decision.group.label,
                "erased": "yes" if decision.erase else "",
                "basis": decision.basis.label if decision.basis else "",
                "until": french_date(decision.until) if decision.until else "",
            }
            for decision in plan.decisions
        ]

    def _downloads(self, session: Session, download_ids: list[str]) -> list[dict[str, str]]:
        """Each file of the answer with its single-use link and the day the link ends."""
        links = []
        for download_id in download_ids:
            download = session.get(PrivacyDownload, download_id)
            if download is None:
                continue
            links.append(
                {
                    "label": DOWNLOAD_LABELS.get(download.kind, "Vos données"),
                    "url": DOWNLOAD_LINK.url(self.settings, download.id),
                    "until": french_date(as_utc(download.expires_at)),
                }
            )
        return links


def _request(session: Session, request_id: str) -> PrivacyRequest:
    row = session.get(PrivacyRequest, request_id)
    if row is None:
        raise ApplicationError(
            f"privacy request {request_id} not found", type=REQUEST_MISSING, non_retryable=True
        )
    return row


def _person(session: Session, row: PrivacyRequest, settings: Settings) -> Recipient | None:
    """Where the person is written to: the address their request came from, else their client
    record's; None when neither can be read (erased, no address): the timeline shows it."""
    if row.email_enc is not None and row.wrapped_key is not None:
        cipher = ClientCipher.for_client(row, settings)
        address = cipher.decrypt("privacy_request", "email", row.id, row.email_enc)
        if address:
            return Recipient("person", address, row)
    client = session.get(Client, row.client_id) if row.client_id else None
    if client is None:
        return None
    try:
        cipher = ClientCipher.for_client(client, settings)
    except ClientErasedError:
        return None
    address = cipher.decrypt("client", "email", client.id, client.email_enc)
    return Recipient("person", address, client) if address else None


def _note_ids(session: Session, row: PrivacyRequest, notice: io.RequestNotice) -> set[int]:
    ids = {notice.note_id} if notice.note_id is not None else set()
    if notice.kind == "response":
        decided = session.exec(
            select(PrivacyRequestEvent.note_id)
            .where(PrivacyRequestEvent.request_id == row.id)
            .where(PrivacyRequestEvent.kind == EventKind.DECIDED.value)
        ).all()
        ids |= {note_id for note_id in decided if note_id is not None}
    return ids


def _decisions(session: Session, row: PrivacyRequest, notes: dict[int, str]) -> dict[str, Any]:
    """Each right with its outcome and, for a refusal, the reasons of its latest decision."""
    reasons: dict[str, str] = {}
    events = session.exec(
        select(PrivacyRequestEvent)
        .where(PrivacyRequestEvent.request_id == row.id)
        .where(PrivacyRequestEvent.kind == EventKind.DECIDED.value)
        .order_by(col(PrivacyRequestEvent.at), col(PrivacyRequestEvent.id))
    ).all()
    for event in events:
        right = json.loads(event.detail)["right"]
        reasons[right] = notes.get(event.note_id, "") if event.note_id else ""
    outcomes = {Right(k): Outcome(v) for k, v in json.loads(row.outcomes).items()}
    decisions = [
        {
            "right": right.label,
            "outcome": outcome.label.lower(),
            "reason": reasons.get(right.value, "") if outcome != Outcome.FULFILLED else "",
        }
        for right, outcome in outcomes.items()
    ]
    return {
        "decisions": decisions,
        "any_refusal": any(o != Outcome.FULFILLED for o in outcomes.values()),
    }


def _days_left_text(days: int) -> str:
    if days > 1:
        return f"il reste {days} jours"
    if days == 1:
        return "il reste 1 jour"
    if days == 0:
        return "c'est aujourd'hui"
    return "le délai est dépassé"
