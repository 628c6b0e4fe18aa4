"""The files a breach gives: a notification to the CNIL as made (HTML or PDF) — read by the
DPO or an admin, each read audited."""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings
from domain.errors import NotFound
from models.breach import Breach, BreachNotification
from models.staff import StaffUser
from services.audit import append_audit
from services.breaches.access import load_breach
from services.breaches.cnil_document import document_html, document_pdf
from services.dossiers.access import actor_of

NOTIFICATION_NOT_FOUND = "Notification introuvable pour cette violation."


def _notification(
    session: Session, staff: StaffUser, breach_id: str, notification_id: int, kind: str
) -> tuple[Breach, BreachNotification, str]:
    row = load_breach(session, staff, breach_id, "breach.notification")
    notification = session.get(BreachNotification, notification_id)
    if notification is None or notification.breach_id != row.id or not notification.accepted:
        raise NotFound(NOTIFICATION_NOT_FOUND)
    append_audit(
        session,
        actor_of(staff),
        "breach.notification_read",
        "breach",
        row.id,
        detail={"notification": notification_id, "format": kind},
    )
    name = f"notification-cnil-{row.reference}-{notification.number}.{kind}"
    return row, notification, name


def notification_file(
    session: Session, staff: StaffUser, breach_id: str, notification_id: int, settings: Settings
) -> tuple[str, bytes]:
    row, notification, name = _notification(session, staff, breach_id, notification_id, "pdf")
    return name, document_pdf(notification, row, settings)


def notification_page(
    session: Session, staff: StaffUser, breach_id: str, notification_id: int, settings: Settings
) -> str:
    row, notification, _ = _notification(session, staff, breach_id, notification_id, "html")
    return document_html(notification, row, settings)
