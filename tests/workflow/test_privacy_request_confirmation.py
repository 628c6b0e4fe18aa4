"""A request filed on the site starts only once the person confirms their address: the link
goes to the address given, the clock starts at the confirmation, an address that is a client's
identifies them; unconfirmed after 48 hours, nothing of it is kept (time-skipping server)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select
from support.privacy import event_kinds, start_privacy_request
from support.stack import make_dossier, make_staff, wait_for_messages
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.privacy.deadline import RequestClock
from domain.privacy.request import Right
from gateway.start_intents import record_privacy_request_start_intent
from models.database import session_scope
from models.outbox import OutboxEmail
from models.privacy_request import PrivacyRequest
from services.privacy_requests.records import create_public_request
from worker import build_worker
from workflows.privacy_request_messages import CONFIRM_UPDATE, ConfirmAddress

CONFIRM_LINK = re.compile(r"https?://\S+/droits/confirmer/[^\s<>\"')]+")
CLIENT_EMAIL = "jeanne.dupont@example.org"


def _file(settings: Settings, email: str, rights: list[Right]) -> PrivacyRequest:
    """As the site's form files it: unconfirmed, its workflow intent beside it."""
    with session_scope(settings) as session:
        row, created = create_public_request(session, settings, rights, email, utcnow(), "n1")
        assert created
        record_privacy_request_start_intent(session, row.id)
        return row


async def test_the_clock_starts_when_a_client_confirms_their_address(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    make_dossier(wf_settings, make_staff(wf_settings))  # Jeanne Dupont is a client
    row = _file(wf_settings, CLIENT_EMAIL, [Right.ERASURE])
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        messages = await wait_for_messages(wf_settings, 1)
        [mail] = [m for m in messages if "Confirmez votre demande" in m.subject]
        assert mail.recipients == [CLIENT_EMAIL]
        assert CONFIRM_LINK.search(mail.text)
        await time_env.sleep(timedelta(hours=20))
        confirmed_at = await time_env.get_current_time()
        due_at = await handle.execute_update(
            CONFIRM_UPDATE, ConfirmAddress(), result_type=type(confirmed_at)
        )
        assert due_at == RequestClock(confirmed_at).due_at
        with pytest.raises(WorkflowUpdateFailedError) as again:
            await handle.execute_update(CONFIRM_UPDATE, ConfirmAddress())
        assert "déjà confirmée" in str(again.value.cause)
        with session_scope(wf_settings) as session:
            stored = session.get(PrivacyRequest, row.id)
            assert stored is not None
            assert stored.status == "open" and stored.identity == "identified"
            assert stored.client_id is not None
            assert abs(as_utc(stored.received_at) - confirmed_at) < timedelta(seconds=5)
        assert event_kinds(wf_settings, row.id)[0] == "received"
        await handle.execute_update(
            "decide_right", {"right": "erasure", "outcome": "fulfilled", "actor": "staff:1"}
        )
        await handle.execute_update("send_response", {"actor": "staff:1"})
        await handle.result()


async def test_an_unconfirmed_request_leaves_nothing_after_48_hours(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    row = _file(wf_settings, "quelquun@example.org", [Right.ACCESS])
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        await wait_for_messages(wf_settings, 1)
        await time_env.sleep(timedelta(hours=48, minutes=1))
        await handle.result()
        # The workflow is over: a late confirmation has nothing to reach.
        with pytest.raises(RPCError):
            await handle.execute_update(CONFIRM_UPDATE, ConfirmAddress())
    with session_scope(wf_settings) as session:
        assert session.get(PrivacyRequest, row.id) is None
        assert session.exec(select(OutboxEmail)).all() == []
