"""Objection end to end: marketing stops the moment the request is recorded (no weighing, no
wait for the answer) and the address is suppressed for good; any other processing is the DPO's
recorded decision, in the answer (time-skipping server, real SQLite and SMTP)."""

from __future__ import annotations

from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.stack import make_dossier, make_staff, wait_for_messages
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.privacy.request import Outcome, Right
from models.client import Client as ClientRow
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from services.privacy_requests.notes import write_note
from services.privacy_requests.objection import is_suppressed
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    RESPOND_UPDATE,
    DecideRight,
    SendResponse,
)

CLIENT_EMAIL = "jeanne.dupont@example.org"


async def test_an_objection_stops_marketing_at_once_and_the_rest_is_decided(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dossier = make_dossier(wf_settings, make_staff(wf_settings))
    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, dossier.client_id)
        assert client is not None
        client.marketing_emails = True
        session.add(client)
    row = record_privacy_request(
        wf_settings, make_dpo(wf_settings), await time_env.get_current_time(),
        Right.OBJECTION, client_id=dossier.client_id,
    )  # fmt: skip
    # Before the workflow has even started.
    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, dossier.client_id)
        assert client is not None and client.marketing_emails is False
        assert is_suppressed(session, CLIENT_EMAIL, wf_settings)
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        with session_scope(wf_settings) as session:
            request = session.get(PrivacyRequest, row.id)
            assert request is not None
            why = write_note(
                session, request,
                "Le suivi de votre dossier en cours repose sur notre contrat : il continue.",
                "staff:1", wf_settings,
            )  # fmt: skip
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.OBJECTION.value, Outcome.PARTIAL.value, "staff:1", why)
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse("staff:1"))
        await handle.result()
    [answer] = [
        m for m in await wait_for_messages(wf_settings, 1) if m.recipients == [CLIENT_EMAIL]
    ]
    assert "Droit d'opposition : satisfait en partie" in answer.text
    assert "repose sur notre contrat" in answer.text and "CNIL" in answer.text
