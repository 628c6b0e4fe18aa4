"""Driving CreditorNegotiationWorkflows in tests and history recordings: start one, send it
what the web app sends (rows written first, then the update), read back what it recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest
from sqlmodel import col, select
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from dev.mail_catcher import MailboxMessage
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState
from domain.negotiation.timing import paris_date
from domain.workflow_ids import negotiation_workflow_id
from models.database import session_scope
from models.dossier import TimelineEvent
from models.negotiation import (
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.outbox import OutboxEmail
from services.negotiations.consents import (
    REVOKED_BY_CLIENT,
    create_consent_request,
    decide_consent,
    revoke_consent,
)
from support.db import in_db
from support.negotiation import (
    NegotiationSeed,
    draft_offer,
    give_consent,
    record_reply_row,
)
from support.stack import TEMPORAL_TEST_SERVER, received, register_search_attributes
from workflows.negotiation_messages import (
    CONSENT_DECIDED_UPDATE,
    CONSENT_REQUESTED_UPDATE,
    CONSENT_REVOKED_UPDATE,
    NEGOTIATION_STATUS_QUERY,
    NEGOTIATION_WORKFLOW,
    RECORD_REPLY_UPDATE,
    SEND_OFFER_UPDATE,
    ConsentDecided,
    ConsentRequested,
    ConsentRevoked,
    NegotiationInput,
    NegotiationStatus,
    RecordReply,
    SendOffer,
)

OFFER_CATEGORIES = (ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS)


async def start_negotiation(
    client: Client, settings: Settings, seed: NegotiationSeed, index: int = 0
) -> WorkflowHandle:
    """Start the negotiation on its own (in the product the dossier starts it as its child)."""
    negotiation_id = seed.negotiation_ids[index]
    return await client.start_workflow(
        NEGOTIATION_WORKFLOW,
        NegotiationInput(negotiation_id=negotiation_id, dossier_id=seed.dossier_id),
        id=negotiation_workflow_id(negotiation_id),
        task_queue=settings.task_queue,
        result_type=str,
    )


async def status(handle: WorkflowHandle) -> NegotiationStatus:
    result: NegotiationStatus = await handle.query(
        NEGOTIATION_STATUS_QUERY, result_type=NegotiationStatus
    )
    return result


async def reaches(
    handle: WorkflowHandle, state: NegotiationState, timeout: float = 20.0
) -> NegotiationStatus:
    deadline = time.monotonic() + timeout
    while True:
        current = await status(handle)
        if current.state == state or time.monotonic() > deadline:
            assert current.state == state, current
            return current
        await asyncio.sleep(0.05)


async def update(handle: WorkflowHandle, name: str, arg: object) -> str:
    result: str = await handle.execute_update(name, arg, result_type=str)
    return result


async def refusal(handle: WorkflowHandle, name: str, arg: object) -> str:
    """The French message of a refused update (validator or handler)."""
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(name, arg)
    cause = refused.value.cause
    # What the web app shows (workflow_gateway reads the same attribute).
    assert isinstance(cause, ApplicationError), cause
    return cause.message


async def today(env: WorkflowEnvironment) -> date:
    """Today in Paris on the test server's clock (ahead of the wall clock once time skipped)."""
    return paris_date(await env.get_current_time())


async def consent(
    handle: WorkflowHandle,
    settings: Settings,
    seed: NegotiationSeed,
    index: int = 0,
    categories: Iterable[ShareCategory] = OFFER_CATEGORIES,
) -> str:
    """The case worker asks, the client gives (signed link), the workflow is told of both."""
    negotiation_id = seed.negotiation_ids[index]
    consent_id = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=negotiation_id,
        categories=list(categories),
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )
    await update(handle, CONSENT_REQUESTED_UPDATE, ConsentRequested(consent_id, seed.actor))
    in_db(
        settings,
        decide_consent,
        settings,
        consent_id,
        given=True,
        method=ConsentMethod.SIGNED_LINK,
        actor=seed.client_actor,
    )
    assert (
        await update(handle, CONSENT_DECIDED_UPDATE, ConsentDecided(consent_id, True, seed.actor))
        == NegotiationState.READY
    )
    return consent_id


def consent_given(settings: Settings, seed: NegotiationSeed, index: int = 0) -> str:
    """A consent given before the workflow starts (it finds it among its facts)."""
    return give_consent(settings, seed.negotiation_ids[index], OFFER_CATEGORIES)


async def revoke(
    handle: WorkflowHandle, settings: Settings, seed: NegotiationSeed, cid: str
) -> str:
    in_db(
        settings, revoke_consent, settings, cid, actor=seed.client_actor, channel=REVOKED_BY_CLIENT
    )
    return await update(handle, CONSENT_REVOKED_UPDATE, ConsentRevoked(cid, seed.client_actor))


async def send_offer(
    handle: WorkflowHandle,
    env: WorkflowEnvironment,
    settings: Settings,
    seed: NegotiationSeed,
    index: int = 0,
    *,
    round: int = 1,
    valid_days: int = 90,
    first_due_days: int = 20,
    **terms: object,
) -> str:
    """Our offer, valid `valid_days` and first due in `first_due_days` (test-server clock)."""
    day = await today(env)
    offer_id = draft_offer(
        settings,
        seed.negotiation_ids[index],
        round=round,
        valid_until=day + timedelta(days=valid_days),
        first_due_date=day + timedelta(days=first_due_days),
        **terms,  # type: ignore[arg-type]
    )
    assert (
        await update(handle, SEND_OFFER_UPDATE, SendOffer(offer_id, seed.actor))
        == NegotiationState.AWAITING_REPLY
    )
    return offer_id


async def reply(
    handle: WorkflowHandle,
    settings: Settings,
    seed: NegotiationSeed,
    kind: str,
    index: int = 0,
    *,
    round: int = 1,
    counter_offer_id: str | None = None,
    new_consent_id: str | None = None,
    requested: Iterable[ShareCategory] = (),
) -> str:
    reply_id = record_reply_row(
        settings,
        seed.negotiation_ids[index],
        kind,
        round=round,
        requested_categories=requested,
        counter_offer_id=counter_offer_id,
        new_consent_id=new_consent_id,
    )
    return await update(
        handle,
        RECORD_REPLY_UPDATE,
        RecordReply(reply_id, kind, seed.actor, counter_offer_id, new_consent_id),
    )


# ----- what was recorded -----------------------------------------------------------------------


def negotiation_row(settings: Settings, negotiation_id: str) -> Negotiation:
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        return row


def offer(settings: Settings, offer_id: str) -> NegotiationOffer:
    with session_scope(settings) as session:
        row = session.get(NegotiationOffer, offer_id)
        assert row is not None
        return row


def timeline(settings: Settings, negotiation_id: str) -> list[TimelineEvent]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(TimelineEvent)
                .where(TimelineEvent.negotiation_id == negotiation_id)
                .order_by(col(TimelineEvent.id))
            ).all()
        )


def ledger(settings: Settings, negotiation_id: str) -> list[SharingLedgerEntry]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(SharingLedgerEntry)
                .where(SharingLedgerEntry.negotiation_id == negotiation_id)
                .order_by(col(SharingLedgerEntry.id))
            ).all()
        )


def instalments(settings: Settings, negotiation_id: str) -> list[RepaymentInstalment]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(RepaymentInstalment)
                .where(RepaymentInstalment.negotiation_id == negotiation_id)
                .order_by(col(RepaymentInstalment.number))
            ).all()
        )


def mail_to(settings: Settings, address: str) -> list[MailboxMessage]:
    return [m for m in received(settings) if address in m.recipients]


async def wait_for_mail_to(
    settings: Settings, address: str, count: int, timeout: float = 20.0
) -> list[MailboxMessage]:
    deadline = time.monotonic() + timeout
    while True:
        messages = mail_to(settings, address)
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        await asyncio.sleep(0.05)


def delivered(settings: Settings, address: str) -> list[str]:
    """The outbox templates of the emails the SMTP catcher received for `address`, in order of
    arrival (matched on the Message-ID): what really reached the client or the creditor."""
    with session_scope(settings) as session:
        rows = session.exec(select(OutboxEmail.message_id, OutboxEmail.template)).all()
    templates = {message_id: template for message_id, template in rows}
    return [templates.get(m.message_id.strip(), "?") for m in mail_to(settings, address)]


async def wait_delivered(
    settings: Settings, address: str, count: int, timeout: float = 20.0
) -> list[str]:
    await wait_for_mail_to(settings, address, count, timeout)
    return delivered(settings, address)


@asynccontextmanager
async def own_test_server() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server for one test module.

    The session's shared server stops skipping time while any workflow on it has a timer due
    and no worker to run it; a test elsewhere that leaves a workflow behind (a closed dossier
    waiting for its retention hop) would stall every timer-driven test after it, and one of
    ours that fails half-way would do the same to the others.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEMPORAL_TEST_SERVER
    )
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()
