"""No client personal data reaches Temporal in plaintext: history, workflow ids, search attributes.

A dossier with distinctive personal data goes through the whole slice via the JSON API (intake,
acknowledgement, upload, closure with a note, legal hold with a reason). Then everything the
Temporal server holds about its workflow is read back with a client that has NO codec, exactly
as the server, the Web UI or an operator with `temporal workflow show` sees it, and searched for
each personal value in its usual spellings. Even decrypted, the payloads must hold only opaque
identifiers. A probe that sends the same values in clear proves the scan finds them.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from support.devserver import Stack, eventually
from support.pii_scan import find_pii, list_executions, plain_client, read_exposure, spellings
from support.stack import TINY_PDF, wait_for_messages
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from domain.dossier_stages import Stage
from workflows.plumbing import NEXT_DEADLINE_KEY, STAGE_KEY

pytestmark = pytest.mark.devserver

FIRST_NAME = "Ysolde-Maëlys"
LAST_NAME = "Kerhervé-Ottaviani"
EMAIL = "ysolde.kerherve.ottaviani@exemple-rare.fr"
PHONE_TYPED = "06 71 42 93 58"
STREET = "17 impasse des Grenadiers Oubliés"
TOWN = "29870 Lannilis"
ACCOUNT = "FR76 3000 4028 3798 7654 3210 943"
FILENAME = "avis-imposition-Kerhervé-Ottaviani.pdf"
CLOSURE_NOTE = f"Mme {LAST_NAME} a signé le plan le 3 mars ; joindre au {PHONE_TYPED}."
HOLD_REASON = f"Contentieux {LAST_NAME} c/ Banque Exemple (appel en cours)."

INTAKE: dict[str, Any] = {
    "first_name": FIRST_NAME,
    "last_name": LAST_NAME,
    "email": EMAIL,
    "phone": PHONE_TYPED,
    "address": f"{STREET}\n{TOWN}",
    "departement": "29",
    "creditors": [{"name": "Banque Exemple", "kind": "bank", "account_reference": ACCOUNT}],
    "expected_documents": ["identity", "tax_notice"],
}


def pii_values() -> set[str]:
    """Every personal value of the probe client, in every spelling worth looking for."""
    digits = re.sub(r"\D", "", PHONE_TYPED)  # 0671429358
    phones = {PHONE_TYPED, digits, "+33" + digits[1:], "33" + digits[1:], "06.71.42.93.58"}
    accounts = {ACCOUNT, ACCOUNT.replace(" ", "")}
    values = {FIRST_NAME, LAST_NAME, EMAIL, STREET, TOWN, f"{STREET}\n{TOWN}", FILENAME}
    return {form for value in values | accounts for form in spellings(value)} | phones


async def _run_slice(stack: Stack) -> tuple[str, str]:
    """Intake, acknowledgement, upload, closure with a note, legal hold with a reason."""
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        auth = await stack.token(http, stack.case_worker)
        response = await http.post("/api/v1/dossiers", json=INTAKE, headers=auth)
        assert response.status_code == 201, response.text
        dossier_id, workflow_id = response.json()["id"], response.json()["workflow_id"]
        [ack] = await wait_for_messages(stack.settings, 1)
        assert ack.recipients == [EMAIL] and f"Bonjour {FIRST_NAME}" in ack.text

        response = await http.post(
            f"/api/v1/dossiers/{dossier_id}/documents",
            data={"kind": "tax_notice"},
            files={"file": (FILENAME, TINY_PDF, "application/pdf")},
            headers=auth,
        )
        assert response.status_code == 201, response.text
        assert response.json()["missing_documents"] == ["identity"]

        response = await http.post(
            f"/api/v1/dossiers/{dossier_id}/close",
            json={"outcome": "partial", "note": CLOSURE_NOTE},
            headers=auth,
        )
        assert response.status_code == 200, response.text
        messages = await wait_for_messages(stack.settings, 2)
        assert len(messages) == 2 and "clôture" in messages[1].subject

        supervisor = await stack.token(http, stack.supervisor)
        response = await http.post(
            f"/api/v1/dossiers/{dossier_id}/legal-hold",
            json={"reason": HOLD_REASON},
            headers=supervisor,
        )
        assert response.status_code == 200, response.text
        detail = (await http.get(f"/api/v1/dossiers/{dossier_id}", headers=auth)).json()
        # The personal data did go in: the database holds it, under encryption.
        assert detail["client"]["last_name"] == LAST_NAME
        assert detail["creditors"][0]["account_reference"] == ACCOUNT
        assert detail["closure_note"] == CLOSURE_NOTE
        assert detail["legal_hold_reason"] == HOLD_REASON
        status = (await http.get(f"/api/v1/dossiers/{dossier_id}/status", headers=auth)).json()
        assert status["legal_hold"] is True and status["stage"] == Stage.CLOSED
    return dossier_id, workflow_id


async def test_no_client_personal_data_reaches_temporal(
    temporal_dev_env: WorkflowEnvironment, live_stack: Stack
) -> None:
    stack = live_stack
    dossier_id, workflow_id = await _run_slice(stack)
    plain = await plain_client(temporal_dev_env)
    # Visibility is eventually consistent: wait until it shows the settled stage.
    await eventually(
        lambda: list_executions(plain, workflow_id),
        lambda found: [e.typed_search_attributes.get(STAGE_KEY) for e in found] == [Stage.CLOSED],
    )
    exposure = await read_exposure(plain, workflow_id)

    assert re.fullmatch(r"dossier:[0-9a-f]{32}", workflow_id), workflow_id
    assert find_pii(exposure.haystacks(), pii_values()) == []

    # Every payload is ciphertext under a key id, search attributes aside.
    assert len(exposure.payloads) >= 20, "the history should carry the slice's payloads"
    assert exposure.unencrypted() == []
    # Search attributes: only our two keys, holding a stage code and a date.
    custom = {
        pair.key.name: pair.value
        for pair in exposure.search_attributes
        if pair.key.name in (STAGE_KEY.name, NEXT_DEADLINE_KEY.name)
    }
    assert custom.keys() == {STAGE_KEY.name, NEXT_DEADLINE_KEY.name}
    assert custom[STAGE_KEY.name] == Stage.CLOSED
    assert all(
        pair.key.name.startswith(("Temporal", "Build")) or pair.key.name in custom
        for pair in exposure.search_attributes
    ), [pair.key.name for pair in exposure.search_attributes]

    # Positive control: with the codec, the payloads decrypt, and what is inside is the opaque
    # dossier id (the activities fetch personal data from the database themselves), no PII.
    codec = stack.client.data_converter.payload_codec
    assert codec is not None
    decoded = await codec.decode([payload for _, payload in exposure.payloads])
    activity_inputs = [
        json.loads(payload.data)
        for (path, _), payload in zip(exposure.payloads, decoded, strict=True)
        if "activity_task_scheduled_event_attributes.input" in path
    ]
    assert {"dossier_id": dossier_id} in activity_inputs
    assert all(item.get("dossier_id") == dossier_id for item in activity_inputs)
    plaintexts = [
        (f"decoded {path}", p.SerializeToString())
        for (path, _), p in zip(exposure.payloads, decoded, strict=True)
    ]
    assert find_pii(plaintexts, pii_values()) == []
    assert find_pii(plaintexts, {dossier_id}), "the scan must see inside decoded payloads"


async def test_the_scan_finds_personal_data_sent_in_clear(
    temporal_dev_env: WorkflowEnvironment,
) -> None:
    """Same reading, same scan, on a workflow started the wrong way: every channel is caught."""
    plain = await plain_client(temporal_dev_env)
    probe_id = f"probe-{uuid.uuid4().hex[:8]}-{EMAIL}"
    handle = await plain.start_workflow(
        "PiiProbe",
        {"first_name": FIRST_NAME, "phone": PHONE_TYPED},
        id=probe_id,
        task_queue=f"nobody-polls-{uuid.uuid4().hex[:8]}",
        search_attributes=TypedSearchAttributes([SearchAttributePair(STAGE_KEY, LAST_NAME)]),
    )
    try:
        await eventually(lambda: list_executions(plain, probe_id), lambda found: len(found) == 1)
        exposure = await read_exposure(plain, probe_id)
    finally:
        await handle.terminate("probe done")

    hits = find_pii(exposure.haystacks(), pii_values())
    where = {hit.split(":", 1)[0] for hit in hits}
    assert "workflow id" in where
    assert any(w.startswith("event 1 (workflow_execution_started") for w in where), hits
    assert "describe()" in where and f"search attribute {STAGE_KEY.name}" in where
    assert any(w.startswith("list_workflows()") for w in where), hits
    assert f"{EMAIL!r}" in " ".join(hits) and f"{FIRST_NAME!r}" in " ".join(hits)
    assert f"{LAST_NAME!r}" in " ".join(hits) and f"{PHONE_TYPED!r}" in " ".join(hits)
    assert exposure.unencrypted() == [
        "event 1 (workflow_execution_started_event_attributes) "
        "workflow_execution_started_event_attributes.input.payloads[0]"
    ]
