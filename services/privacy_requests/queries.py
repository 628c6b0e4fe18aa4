"""The DPO's queue and a request's page: read from the read model the workflow keeps current.

The queue shows no personal data (reference, rights, dates), so listing it is not a read of
anyone's data; opening a request decrypts the address it came from and is audited.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc
from domain.french_dates import PARIS, french_date
from domain.labelled_enum import LabelledEnum
from domain.privacy.deadline import paris_day
from domain.privacy.rectification import RectifiableField
from domain.privacy.request import Channel, Outcome, PauseReason, RequestStatus, Right
from models.client import Client
from models.privacy_request import PrivacyRequest, PrivacyRequestEvent
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import actor_of
from services.privacy_requests.access import (
    load_request,
    require_request_role,
    visible_requests,
)
from services.privacy_requests.notes import read_notes
from services.privacy_requests.timeline import EventKind, events_of
from services.privacy_requests.views import (
    PrivacyEventView,
    PrivacyRequestDetail,
    PrivacyRequestPage,
    PrivacyRequestView,
    deadline_label,
    is_overdue,
)
from services.view_fields import view_of


class QueueFilter(LabelledEnum):
    """The queue's filters: what is still to do (the default), a status, or everything."""

    TO_DO = "to_do", "À traiter"
    OVERDUE = "overdue", "En retard"
    PAUSED = "paused", "En attente de la personne"
    ANSWERED = "answered", "Répondues"
    ALL = "all", "Toutes"


def list_requests(
    session: Session,
    viewer: StaffUser,
    now: datetime,
    *,
    show: QueueFilter = QueueFilter.TO_DO,
    right: Right | None = None,
    page: int = 1,
    per_page: int = 50,
) -> PrivacyRequestPage:
    """Requests the viewer may see, the nearest due date first (answered ones: latest first)."""
    require_request_role(session, viewer, "privacy_request.list")
    statement = select(PrivacyRequest)
    scope = visible_requests(viewer)
    if scope is not None:
        statement = statement.where(scope)
    status = col(PrivacyRequest.status)
    # Filed on the site but never confirmed: not a request yet.
    statement = statement.where(status != RequestStatus.UNCONFIRMED.value)
    if show == QueueFilter.TO_DO:
        statement = statement.where(status != RequestStatus.ANSWERED.value)
    elif show == QueueFilter.OVERDUE:
        statement = statement.where(status != RequestStatus.ANSWERED.value).where(
            col(PrivacyRequest.due_at) < now
        )
    elif show in (QueueFilter.PAUSED, QueueFilter.ANSWERED):
        statement = statement.where(status == show.value)
    if right is not None:
        # Rights are stored comma-separated; a right's value never contains another's.
        statement = statement.where(col(PrivacyRequest.rights).contains(right.value))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    order = (
        col(PrivacyRequest.answered_at).desc()
        if show == QueueFilter.ANSWERED
        else col(PrivacyRequest.due_at)
    )
    rows = session.exec(
        statement.order_by(order, col(PrivacyRequest.reference))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return PrivacyRequestPage(
        items=[request_view(row, now) for row in rows],
        total=total,
        page=page,
        per_page=per_page,
        pages=max(1, math.ceil(total / per_page)),
    )


def request_view(row: PrivacyRequest, now: datetime) -> PrivacyRequestView:
    status = RequestStatus(row.status)
    return view_of(PrivacyRequestView, row, **_parsed(row, now, status))


def _parsed(row: PrivacyRequest, now: datetime, status: RequestStatus) -> dict[str, object]:
    due_at = as_utc(row.due_at)
    days_left = (paris_day(due_at) - paris_day(now)).days
    overdue = is_overdue(status, due_at, now)
    return {
        "rights": [Right(r) for r in row.rights.split(",")],
        "channel": Channel(row.channel),
        "status": status,
        "days_left": days_left,
        "overdue": overdue,
        "deadline_label": deadline_label(status, days_left, overdue),
        "outcomes": {Right(k): Outcome(v) for k, v in json.loads(row.outcomes).items()},
    }


def get_request_view(
    session: Session, viewer: StaffUser, request_id: str, now: datetime
) -> PrivacyRequestView:
    """Where the request stands, without its personal data (not an audited read)."""
    return request_view(load_request(session, viewer, request_id, "privacy_request.status"), now)


def get_request(
    session: Session,
    viewer: StaffUser,
    request_id: str,
    now: datetime,
    settings: Settings,
    reason: str = "instruction de la demande",
) -> PrivacyRequestDetail:
    """The request with its timeline and the address it came from; the read is audited."""
    row = load_request(session, viewer, request_id, "privacy_request.read")
    append_audit(
        session, actor_of(viewer), "privacy_request.read", "privacy_request", row.id, reason=reason
    )
    events = events_of(session, row)
    notes = read_notes(session, row, {e.note_id for e in events if e.note_id}, settings)
    email = None
    if row.email_enc is not None and row.wrapped_key is not None:
        cipher = ClientCipher.for_client(row, settings)
        email = cipher.decrypt("privacy_request", "email", row.id, row.email_enc)
    status = RequestStatus(row.status)
    client = session.get(Client, row.client_id) if row.client_id else None
    restricted_since = (
        client.restricted_since if client is not None and client.restricted_by == row.id else None
    )
    return view_of(
        PrivacyRequestDetail,
        row,
        email=email,
        restricted_since=restricted_since,
        events=[_event_view(e, notes) for e in events],
        **_parsed(row, now, status),
    )


def _event_view(event: PrivacyRequestEvent, notes: dict[int, str]) -> PrivacyEventView:
    return PrivacyEventView(
        at=event.at,
        kind=event.kind,
        summary=event_summary(EventKind(event.kind), json.loads(event.detail)),
        actor=event.actor,
        note=notes.get(event.note_id) if event.note_id else None,
    )


def event_summary(kind: EventKind, detail: dict[str, str | int]) -> str:
    """The event in French, with the codes of its detail said in words."""
    if kind == EventKind.DECIDED:
        outcome = Outcome(str(detail["outcome"])).label.lower()
        return f"{Right(str(detail['right'])).label} : {outcome}"
    if kind == EventKind.PAUSED:
        return f"{kind.label} : {PauseReason(str(detail['reason'])).label.lower()}"
    if kind == EventKind.RESUMED:
        days = int(detail["days"])
        if days == 0:
            return f"{kind.label} (aucun jour rajouté au délai)"
        plural = "s" if days > 1 else ""
        return f"{kind.label} ({days} jour{plural} rajouté{plural} au délai)"
    if kind == EventKind.RECTIFIED and "field" in detail:
        field = RectifiableField(str(detail["field"])).label.lower()
        return f"{kind.label} : {field} ({_told(detail)})"
    if kind == EventKind.ERASURE_NOTIFIED:
        return f"{kind.label} ({_told(detail)})"
    if kind == EventKind.EXTENDED:
        return f"{kind.label} de {detail['months']} mois"
    if kind in (EventKind.REMINDER, EventKind.ESCALATION, EventKind.OVERDUE) and "due_on" in detail:
        return f"{kind.label} (échéance du {french_date(_day(str(detail['due_on'])))})"
    return kind.label


def _told(detail: dict[str, str | int]) -> str:
    emailed, by_post = int(detail.get("emailed", 0)), int(detail.get("by_post", 0))
    plural = "s" if emailed > 1 else ""
    told = f"{emailed} créancier{plural} prévenu{plural} par courriel"
    if by_post:
        told += f", {by_post} à prévenir par courrier"
    return told


def _day(iso_day: str) -> datetime:
    """Noon of a day in Paris: the moment french_date names as that day."""
    return datetime.combine(date.fromisoformat(iso_day), time(12), tzinfo=PARIS)
