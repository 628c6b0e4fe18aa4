"""Delivery of the notification emails to staff, queued in the outbox by the transactions that
recorded what they are about (services/staff_notifications.py). The worker runs a round every
few seconds beside its activities; each message leaves once (services/email_outbox.py), and a
failure leaves it queued for a later round."""

from __future__ import annotations

import logging

import aiosmtplib
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from models.database import session_scope
from services.email_outbox import deliver
from services.staff_notifications import pending_staff_emails

log = logging.getLogger(__name__)


async def deliver_staff_emails(settings: Settings) -> int:
    """One round: every queued notification email tried once; how many left now."""
    with session_scope(settings) as session:
        pending = pending_staff_emails(session)
    sent = 0
    for row, client in pending:
        try:
            sent += int(await deliver(settings, row, client))
        except (ApplicationError, aiosmtplib.SMTPException, OSError) as exc:
            # Recorded on the row by deliver(); the next round tries again.
            log.warning("staff notification email %s not sent: %s", row.id, type(exc).__name__)
    return sent
