"""The steps every email activity shares: the message is rendered and queued once (the first
attempt that gets that far), then delivered by this and any later attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from activities.contracts.dossier import EmailOutcome
from config.settings import Settings
from models.outbox import OutboxEmail
from security.datakeys import KeyHolder
from services.email_outbox import deliver


async def deliver_queued(
    settings: Settings,
    row: OutboxEmail | None,
    client: KeyHolder,
    prepare: Callable[[], OutboxEmail | None],
) -> EmailOutcome:
    """Deliver `row` (already queued by an earlier attempt), or what `prepare` queues now in a
    thread; a client without an email address is skipped."""
    if row is None:
        row = await asyncio.to_thread(prepare)
        if row is None:
            return EmailOutcome(message_id="", sent_now=False, skipped_reason="no_email")
    sent_now = await deliver(settings, row, client)
    return EmailOutcome(message_id=row.message_id, sent_now=sent_now)
