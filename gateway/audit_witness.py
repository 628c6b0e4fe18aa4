"""Starting the audit witness, and reading what it recorded."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from domain.audit_checkpoint import AuditCheckpoint
from workflows.audit_witness_messages import (
    AUDIT_WITNESS_ID,
    AUDIT_WITNESS_WORKFLOW,
    CHECKPOINT_MEMO,
    WITNESS_NOW_UPDATE,
    AuditWitnessInput,
)


class WitnessMissing(Exception):
    """No audit witness runs in this namespace (yet)."""


async def ensure_audit_witness(client: Client, settings: Settings) -> None:
    """Start the witness unless it runs already (every worker calls this at start)."""
    await client.start_workflow(
        AUDIT_WITNESS_WORKFLOW,
        AuditWitnessInput(settings.audit_witness_minutes),
        id=AUDIT_WITNESS_ID,
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


def _handle(client: Client) -> WorkflowHandle[None, None]:
    return client.get_workflow_handle(AUDIT_WITNESS_ID)


async def witnessed_checkpoint(client: Client) -> AuditCheckpoint | None:
    """What the witness last recorded (None before its first round), read from its memo: no
    worker needed. WitnessMissing if no witness was ever started."""
    try:
        described = await _handle(client).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise WitnessMissing(AUDIT_WITNESS_ID) from None
        raise
    recorded: AuditCheckpoint | None = await described.memo_value(
        CHECKPOINT_MEMO, None, type_hint=AuditCheckpoint
    )
    return recorded


async def witness_now(client: Client) -> AuditCheckpoint | None:
    return await _handle(client).execute_update(
        WITNESS_NOW_UPDATE,
        result_type=AuditCheckpoint | None,  # type: ignore[arg-type]
    )
