"""Emails about a staff member's own account (invitation, password reset, password changed),
through the outbox like every other message: queued in the transaction that makes the change,
encrypted under the account's own data key, then delivered once the change is committed.

Delivery happens after the page has answered (a background task), so an answer takes as long
whether a message leaves or not, and an SMTP server that is down changes nothing that was done:
the message stays queued, with the error class recorded.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import aiosmtplib
from sqlmodel import Session
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from models.staff import StaffUser
from rendering.email import render_email
from security.datakeys import ClientCipher
from services.email_outbox import deliver, find_queued, queue_email

log = logging.getLogger(__name__)
KEY_PREFIX = "staff-account:"


@dataclass(frozen=True)
class StaffKeyHolder:
    """The account as the outbox's cipher sees it: an id of its own and its wrapped key."""

    id: str
    wrapped_key: str | None


@dataclass(frozen=True)
class QueuedAccountEmail:
    key: str
    holder: StaffKeyHolder


def _holder(settings: Settings, user: StaffUser) -> StaffKeyHolder:
    holder_id = f"staff-{user.id}"
    if user.wrapped_key is None:
        user.wrapped_key, _cipher = ClientCipher.new_client(holder_id, settings)
    return StaffKeyHolder(holder_id, user.wrapped_key)


def queue_account_email(
    session: Session,
    settings: Settings,
    user: StaffUser,
    template: str,
    context: dict[str, Any] | None = None,
) -> QueuedAccountEmail:
    """Render `template` to the account's address and queue it in the caller's transaction."""
    holder = _holder(settings, user)
    session.add(user)
    key = f"{KEY_PREFIX}{user.id}:{template}:{uuid.uuid4().hex}"
    base = settings.public_base_url.rstrip("/")
    values = {
        "display_name": user.display_name,
        "login_url": f"{base}/login",
        "forgotten_url": f"{base}/mot-de-passe-oublie",
        **(context or {}),
    }
    queue_email(
        session,
        settings,
        key=key,
        client=holder,
        dossier_id=None,
        template=template,
        rendered=render_email(template, user.email, values),
    )
    return QueuedAccountEmail(key, holder)


async def send_account_email(settings: Settings, queued: QueuedAccountEmail) -> bool:
    """Deliver a committed message; False (logged by Message-ID only) if it could not leave."""
    row = find_queued(settings, queued.key)
    if row is None:
        return False
    try:
        return await deliver(settings, row, queued.holder)
    except (aiosmtplib.SMTPException, OSError, ApplicationError) as exc:
        log.warning("account email %s not sent: %s", row.message_id, type(exc).__name__)
        return False
