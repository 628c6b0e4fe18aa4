"""Notifications to staff: the dossier's assignee hears of what happened on it that they did
not do themselves (a client's decision, a document received, a creditor's silence).

`notify_assignee` runs in the transaction of the recorded action, so the notification and its
email exist exactly when the action does; the event's own key makes it once only, however
often the event is told. The row holds ids and codes; the email names the dossier by its
reference and links to it, nothing more. The email is queued in the outbox and delivered by
`deliver_staff_emails` (the worker runs it in a loop; a retry sends nothing twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, and_, col, func, or_, select, update

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import NotFound
from domain.staff_notifications import NotificationKind, notification_label
from models.client import Client
from models.dossier import Dossier
from models.dossier_note import StaffNotification
from models.outbox import EmailStatus, OutboxEmail
from models.staff import Role, StaffUser
from rendering.email import render_email
from services.audit import append_audit
from services.email_outbox import queue_email

TEMPLATE = "staff_notification"
# Sent by the reassigning request itself (services/dossiers/reassignment.py); the rounds here
# take over only once that first attempt failed, so the two never send one message at once.
RETRIED_AFTER_FIRST_ATTEMPT = "dossier_assigned"
OUTBOX_KEY_PREFIX = "staff-notification:"
NOTIFICATION_NOT_FOUND = "Notification introuvable."
# Roles that receive notifications (and see the badge): those who are assigned dossiers.
NOTIFIED_ROLES = frozenset({Role.CASE_WORKER, Role.SUPERVISOR})
PAGE_SIZE = 100
# An address refused or a relay down: tried again on later rounds, up to this many attempts.
MAX_ATTEMPTS = 5


def staff_actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def notify_assignee(
    session: Session,
    settings: Settings,
    *,
    dossier_id: str,
    kind: NotificationKind,
    source_key: str,
    actor: str = "client",
) -> StaffNotification | None:
    """The assignee's notification of event `source_key`, with its email queued, in the
    caller's transaction; the existing one when the event was told before; None when the
    assignee did it themselves (or has left)."""
    existing = session.exec(
        select(StaffNotification).where(StaffNotification.source_key == source_key)
    ).first()
    if existing is not None:
        return existing
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or actor == staff_actor(dossier.assignee_id):
        return None
    assignee = session.get(StaffUser, dossier.assignee_id)
    if assignee is None or not assignee.active or assignee.id is None:
        return None
    notification = StaffNotification(
        staff_id=assignee.id, dossier_id=dossier.id, kind=kind.value, source_key=source_key
    )
    try:
        # A savepoint: the same event told at the same moment elsewhere loses here without
        # taking the caller's action down with it.
        with session.begin_nested():
            session.add(notification)
    except IntegrityError:
        return session.exec(
            select(StaffNotification).where(StaffNotification.source_key == source_key)
        ).one()
    _queue_email(session, settings, dossier, assignee, notification)
    return notification


def _queue_email(
    session: Session,
    settings: Settings,
    dossier: Dossier,
    assignee: StaffUser,
    notification: StaffNotification,
) -> None:
    client = session.get(Client, dossier.client_id)
    # The outbox encrypts under the client's key: an erased client's dossier gets the in-app
    # notification only (there is nothing left to act on for them anyway).
    if client is None or client.wrapped_key is None:
        return
    label = notification_label(notification.kind)
    context = {
        "reference": dossier.reference,
        "event": label,
        "event_lower": label[:1].lower() + label[1:],
        "dossier_url": f"{settings.public_base_url.rstrip('/')}/dossiers/{dossier.id}",
    }
    queue_email(
        session,
        settings,
        key=f"{OUTBOX_KEY_PREFIX}{notification.source_key}",
        client=client,
        dossier_id=dossier.id,
        template=TEMPLATE,
        rendered=render_email(TEMPLATE, assignee.email, context),
    )


# ----- the staff member's own notifications ---------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    id: int
    dossier_id: str
    reference: str
    kind: str
    label: str
    created_at: datetime
    read: bool


def unread_count(session: Session, staff: StaffUser) -> int:
    """One indexed count: the badge of every page."""
    if staff.role not in NOTIFIED_ROLES or staff.id is None:
        return 0
    statement = (
        select(func.count())
        .select_from(StaffNotification)
        .where(StaffNotification.staff_id == staff.id, col(StaffNotification.read_at).is_(None))
    )
    return int(session.exec(statement).one())


def list_notifications(session: Session, staff: StaffUser) -> list[NotificationView]:
    """The staff member's own notifications, newest first (the latest PAGE_SIZE)."""
    rows = session.exec(
        select(StaffNotification, Dossier.reference)
        .join(Dossier, col(Dossier.id) == StaffNotification.dossier_id)
        .where(StaffNotification.staff_id == staff.id)
        .order_by(col(StaffNotification.created_at).desc(), col(StaffNotification.id).desc())
        .limit(PAGE_SIZE)
    ).all()
    return [
        NotificationView(
            id=row.id or 0,
            dossier_id=row.dossier_id,
            reference=reference,
            kind=row.kind,
            label=notification_label(row.kind),
            created_at=row.created_at,
            read=row.read_at is not None,
        )
        for row, reference in rows
    ]


def open_notification(session: Session, staff: StaffUser, notification_id: int) -> str:
    """Mark one of the staff member's own notifications read; its dossier id. Someone else's
    is refused as not found (and the attempt audited)."""
    row = session.get(StaffNotification, notification_id)
    if row is None or row.staff_id != staff.id:
        if row is not None:
            append_audit(
                session,
                staff_actor(staff.id or 0),
                "access.denied",
                "staff_notification",
                str(notification_id),
                reason="notification d'un autre membre du personnel",
            )
            session.commit()
        raise NotFound(NOTIFICATION_NOT_FOUND)
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
    return row.dossier_id


def mark_all_read(session: Session, staff: StaffUser) -> int:
    """Every unread notification of this staff member, read now; how many."""
    result = session.exec(
        update(StaffNotification)  # type: ignore[call-overload]
        .where(col(StaffNotification.staff_id) == staff.id)
        .where(col(StaffNotification.read_at).is_(None))
        .values(read_at=utcnow())
    )
    return int(result.rowcount or 0)


# ----- delivery of the emails -------------------------------------------------------------------


def pending_staff_emails(session: Session, limit: int = 50) -> list[tuple[OutboxEmail, Client]]:
    """Queued notification emails (and reassignment emails whose first try failed) still worth
    a try, oldest first, with their key holder."""
    rows = session.exec(
        select(OutboxEmail, Client)
        .join(Client, col(Client.id) == OutboxEmail.client_id)
        .where(
            or_(
                col(OutboxEmail.template) == TEMPLATE,
                and_(
                    col(OutboxEmail.template) == RETRIED_AFTER_FIRST_ATTEMPT,
                    col(OutboxEmail.attempts) >= 1,
                ),
            ),
            OutboxEmail.status == EmailStatus.QUEUED,
        )
        .where(OutboxEmail.attempts < MAX_ATTEMPTS, col(Client.wrapped_key).is_not(None))
        .order_by(col(OutboxEmail.id))
        .limit(limit)
    ).all()
    return [(row, client) for row, client in rows]
