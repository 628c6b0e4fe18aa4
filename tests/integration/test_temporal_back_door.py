"""Temporal is not a back door: an update sent straight to the frontend without the keys (an
unencrypted `close`, naming any actor it likes) changes nothing, and the workflow carries on
serving the app."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from support.devserver import Stack
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowUpdateFailedError

from domain.dossier_stages import Stage
from workflows.dossier_messages import CLOSE_UPDATE, STATUS_QUERY, CloseDossier

pytestmark = pytest.mark.devserver

INTAKE: dict[str, Any] = {
    "first_name": "Nadia",
    "last_name": "Témoin",
    "email": "nadia.temoin@example.org",
    "phone": "06 12 34 56 78",
    "address": "3 rue des Tests\n69001 Lyon",
    "departement": "69",
    "creditors": [{"name": "Banque Exemple", "kind": "bank"}],
    "expected_documents": ["identity"],
}


async def test_an_unencrypted_update_from_outside_changes_nothing(live_stack: Stack) -> None:
    stack = live_stack
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        auth = await stack.token(http, stack.case_worker)
        created = await http.post("/api/v1/dossiers", json=INTAKE, headers=auth)
        assert created.status_code == 201, created.text
        dossier_id, workflow_id = created.json()["id"], created.json()["workflow_id"]

        # Someone who reaches the frontend but holds no key: the default (plain JSON) converter.
        outsider = Client(stack.client.service_client, namespace=stack.client.namespace)
        handle = outsider.get_workflow_handle(workflow_id)
        forged = CloseDossier("abandoned", f"staff:{stack.case_worker.id}")
        # Rejected at once (its arguments cannot be read), not left hanging.
        with pytest.raises(WorkflowUpdateFailedError):
            await asyncio.wait_for(handle.execute_update(CLOSE_UPDATE, forged), timeout=20)
        with pytest.raises(WorkflowQueryFailedError):
            await asyncio.wait_for(handle.query(STATUS_QUERY, "x"), timeout=20)

        # Nothing changed, and the app still drives the workflow.
        status = await http.get(f"/api/v1/dossiers/{dossier_id}/status", headers=auth)
        assert status.status_code == 200, status.text
        assert status.json()["stage"] == Stage.AWAITING_DOCUMENTS
        closing = {"outcome": "resolved", "note": "Clôture légitime."}
        closed = await http.post(f"/api/v1/dossiers/{dossier_id}/close", json=closing, headers=auth)
        assert closed.status_code == 200, closed.text
        assert closed.json() == {"stage": Stage.CLOSED}
