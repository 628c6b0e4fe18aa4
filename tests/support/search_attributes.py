"""Reading a workflow's search attributes as operators see them, on the time-skipping server."""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.converter import default

from workflows.plumbing import NEXT_DEADLINE_KEY, STAGE_KEY


async def search_attributes(
    client: Client, handle: WorkflowHandle
) -> tuple[str | None, datetime | None]:
    """CravelynosStage and CravelynosNextDeadline once the workflow has set them (from its first
    workflow task on). Read raw: the test server keeps an unset attribute as a null value,
    which the SDK's typed decoding cannot read (a real server drops it)."""
    converter = default().payload_converter
    for _ in range(100):
        described = await client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=client.namespace,
                execution=WorkflowExecution(workflow_id=handle.id),
            )
        )
        fields = described.workflow_execution_info.search_attributes.indexed_fields
        if STAGE_KEY.name in fields:
            break
        await asyncio.sleep(0.05)
    values = {name: converter.from_payloads([payload])[0] for name, payload in fields.items()}
    deadline = values.get(NEXT_DEADLINE_KEY.name)
    return values.get(STAGE_KEY.name), datetime.fromisoformat(deadline) if deadline else None
