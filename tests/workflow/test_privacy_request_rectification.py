"""Rectification end to end: the DPO corrects a client's detail (old and new kept with the
reason, the blind index with it), the workflow tells each creditor that received the old value
(by email, the new value only where the consent covers it), and acknowledgements are recorded
(time-skipping server, real SQLite and SMTP)."""

from __future__ import annotations

import pytest
from sqlmodel import select
from support.negotiation import creditor_email, draft_offer, give_consent, seed_negotiations
from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.stack import received, wait_for_messages
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.contracts.negotiation import CreditorMessage
from activities.creditor_messages import CreditorMessageActivities
from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput, Refused
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.privacy.rectification import RectifiableField, RectificationIn
from domain.privacy.request import Outcome, Right
from models.client import Client as ClientRow
from models.database import session_scope
from models.privacy_request import PrivacyRectification, RecipientNotice
from models.staff import StaffUser
from security.blind_index import blind_index
from security.datakeys import ClientCipher
from services.dossiers.intake import EMAIL_INDEX
from services.privacy_requests.rectification import acknowledge, rectify
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    RECTIFIED_UPDATE,
    RESPOND_UPDATE,
    DecideRight,
    Rectified,
    SendResponse,
)

NEW_EMAIL = "jeanne.nouvelle@example.org"


async def test_a_corrected_address_reaches_the_creditor_that_had_the_old_one(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, client_email="client@example.org")
    negotiation = seed.negotiation_ids[0]
    give_consent(
        wf_settings,
        negotiation,
        [ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS],
    )
    offer_id = draft_offer(wf_settings, negotiation)
    await ActivityEnvironment().run(
        CreditorMessageActivities(wf_settings).send_creditor_message,
        CreditorMessage(negotiation, MessageKind.OFFER.value, "k:offer", offer_id),
    )
    dpo = make_dpo(wf_settings)
    row = record_privacy_request(
        wf_settings, dpo, await time_env.get_current_time(), Right.RECTIFICATION,
        client_id=seed.client_id,
    )  # fmt: skip
    change = RectificationIn(
        field=RectifiableField.EMAIL, new_value=NEW_EMAIL, justification="Courrier du 2 décembre."
    )
    with session_scope(wf_settings) as session:
        staff = session.get(StaffUser, dpo.id)
        assert staff is not None
        with pytest.raises(InvalidInput):  # the same value: nothing to correct
            rectify(session, wf_settings, staff, row.id, change.model_copy(
                update={"new_value": "client@example.org"}), utcnow())  # fmt: skip
        correction = rectify(session, wf_settings, staff, row.id, change, utcnow())
        assert correction.id is not None
        correction_id = correction.id
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        before = len(received(wf_settings))
        emailed = await handle.execute_update(
            RECTIFIED_UPDATE, Rectified(correction_id, "staff:1"), result_type=int
        )
        assert emailed == 1
        messages = await wait_for_messages(wf_settings, before + 1)
        # Answered, the workflow ends: none may stay running on the shared time-skipping
        # server (a workflow whose timers fire with no worker stalls its clock for the rest).
        await handle.execute_update(
            DECIDE_UPDATE,
            DecideRight(Right.RECTIFICATION.value, Outcome.FULFILLED.value, "staff:1"),
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse("staff:1"))
        await handle.result()
    [notice_mail] = [m for m in messages if "rectification" in m.subject]
    assert notice_mail.recipients == [creditor_email(1)]
    assert NEW_EMAIL in notice_mail.text and "client@example.org" not in notice_mail.text
    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, seed.client_id)
        assert client is not None
        cipher = ClientCipher.for_client(client, wf_settings)
        assert cipher.decrypt("client", "email", client.id, client.email_enc) == NEW_EMAIL
        assert client.email_bidx == blind_index(EMAIL_INDEX, NEW_EMAIL, wf_settings)
        stored = session.get(PrivacyRectification, correction_id)
        assert stored is not None and "client@example.org" not in (stored.old_value_enc or "")
        [notice] = session.exec(select(RecipientNotice)).all()
        assert notice.sent_at is not None and notice.acknowledged_at is None
        staff = session.get(StaffUser, dpo.id)
        assert staff is not None and notice.id is not None
        acknowledge(session, staff, row.id, notice.id, utcnow())
        with pytest.raises(Refused):
            acknowledge(session, staff, row.id, notice.id, utcnow())
