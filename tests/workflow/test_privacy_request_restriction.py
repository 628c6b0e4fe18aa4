"""A restriction of processing: granted, it freezes the client's data (nothing shared with a
creditor, no email to the client, no analysis: each activity stands down with the reason); the
DPO lifts it only by telling the person first (time-skipping server, real SQLite and SMTP)."""

from __future__ import annotations

import pytest
from support.negotiation import draft_offer, give_consent, seed_negotiations
from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.search_attributes import search_attributes
from support.stack import received, wait_for_messages
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.client_email import ClientEmailActivities
from activities.contracts.dossier import ClientEmail
from activities.contracts.negotiation import CreditorMessage
from activities.creditor_messages import CreditorMessageActivities
from config.settings import Settings
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.privacy.request import Outcome, Right
from models.client import Client as ClientRow
from models.database import session_scope
from services.privacy_requests.restriction import PROCESSING_RESTRICTED
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    LIFT_RESTRICTION_UPDATE,
    RESPOND_UPDATE,
    DecideRight,
    LiftRestriction,
    SendResponse,
)

CLIENT_EMAIL = "client@example.org"


def _restricted(settings: Settings, client_id: str) -> bool:
    with session_scope(settings) as session:
        row = session.get(ClientRow, client_id)
        assert row is not None
        return row.restricted_since is not None


async def test_a_restriction_freezes_sharing_and_contact_until_lifted_after_notice(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, client_email=CLIENT_EMAIL)
    negotiation = seed.negotiation_ids[0]
    give_consent(wf_settings, negotiation, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    offer_id = draft_offer(wf_settings, negotiation)
    row = record_privacy_request(
        wf_settings, make_dpo(wf_settings), await time_env.get_current_time(),
        Right.RESTRICTION, client_id=seed.client_id,
    )  # fmt: skip
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.RESTRICTION.value, Outcome.FULFILLED.value, "staff:1")
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse("staff:1"))
        await wait_for_messages(wf_settings, 1)  # the answer
        assert _restricted(wf_settings, seed.client_id)
        assert (await search_attributes(wf_client, handle))[0] == "privacy:restricting"

        # Nothing leaves for the creditor; no email to the client: each says why.
        with pytest.raises(ApplicationError) as refused:
            await ActivityEnvironment().run(
                CreditorMessageActivities(wf_settings).send_creditor_message,
                CreditorMessage(negotiation, MessageKind.OFFER.value, "k:offer", offer_id),
            )
        assert refused.value.type == PROCESSING_RESTRICTED
        assert "limité" in refused.value.message
        skipped = await ActivityEnvironment().run(
            ClientEmailActivities(wf_settings).send_client_email,
            ClientEmail(seed.dossier_id, "document_reminder", "k:reminder"),
        )
        assert skipped.skipped_reason == "restricted"
        assert len(received(wf_settings)) == 1

        # Lifted only once the person is told; a second lift is refused.
        await handle.execute_update(LIFT_RESTRICTION_UPDATE, LiftRestriction("staff:1"))
        told = [m for m in received(wf_settings) if "fin de la limitation" in m.subject]
        assert len(told) == 1 and told[0].recipients == [CLIENT_EMAIL]
        assert not _restricted(wf_settings, seed.client_id)
        await handle.result()
        # Over: a second lift has nothing to reach.
        with pytest.raises(RPCError):
            await handle.execute_update(LIFT_RESTRICTION_UPDATE, LiftRestriction("staff:1"))
