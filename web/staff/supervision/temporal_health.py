"""Workflow health read from Temporal: counts by stage, recent failures, retrying activities,
pollers per task queue, schedules. Workflow ids, types and stages carry no personal data; an
activity's last failure message may (it can quote ciphertext or a value), so the page shows it
only to the roles the payload codec decodes for. Everything is bounded and under one timeout."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.failure.v1 import Failure
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

# The attribute workflows.plumbing publishes (not importable here: it pulls activity contracts;
# the integration test checks both names agree).
STAGE_SEARCH_ATTRIBUTE = "CravelynosStage"
RPC_TIMEOUT = timedelta(seconds=3)
RECENT = timedelta(days=7)
RECENT_FAILURES = 50
# Describing a workflow is one RPC each: at most this many per view.
MAX_DESCRIBES = 50
# Where the server cannot GROUP BY our attribute, running workflows are counted by listing them.
MAX_LISTED_FOR_STAGES = 2000
RETRY_THRESHOLD = 3
# The statuses as the visibility query names them, and as the page does.
FAILED_STATUSES = {
    WorkflowExecutionStatus.FAILED: ("Failed", "Échoué"),
    WorkflowExecutionStatus.TIMED_OUT: ("TimedOut", "Délai dépassé"),
    WorkflowExecutionStatus.TERMINATED: ("Terminated", "Arrêté"),
}
NO_STAGE = "(sans étape)"
UNREADABLE = "(message illisible avec les clés de ce serveur)"


@dataclass(frozen=True)
class EndedWorkflow:
    workflow_id: str
    workflow_type: str
    status: str
    closed_at: datetime | None


@dataclass(frozen=True)
class RetryingActivity:
    workflow_id: str
    activity_type: str
    attempt: int
    last_failure: str


@dataclass(frozen=True)
class Poller:
    kind: str
    identity: str
    last_access: datetime | None


@dataclass(frozen=True)
class ScheduleRun:
    schedule_id: str
    last_run: datetime | None
    next_run: datetime | None
    paused: bool


@dataclass
class WorkflowHealth:
    by_stage: list[tuple[str, int]] = field(default_factory=list)
    # True when the stages were counted over a bounded listing (the server cannot GROUP BY them).
    stages_capped: bool = False
    stages_listed: bool = False
    ended: list[EndedWorkflow] = field(default_factory=list)
    retrying: list[RetryingActivity] = field(default_factory=list)
    describes_capped: bool = False
    running: int = 0
    pollers: dict[str, list[Poller]] = field(default_factory=dict)
    schedules: list[ScheduleRun] = field(default_factory=list)


def _since(now: datetime) -> str:
    return (now - RECENT).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _by_stage(client: Client, health: WorkflowHealth) -> None:
    try:
        counted = await client.count_workflows(
            f'ExecutionStatus="Running" GROUP BY {STAGE_SEARCH_ATTRIBUTE}',
            rpc_timeout=RPC_TIMEOUT,
        )
        health.by_stage = sorted(
            (str(group.group_values[0]) if group.group_values else NO_STAGE, group.count)
            for group in counted.groups
        )
        return
    except RPCError as exc:
        if exc.status != RPCStatusCode.INVALID_ARGUMENT:
            raise
    # This server groups by ExecutionStatus only: count a bounded listing instead.
    stages: Counter[str] = Counter()
    listed = 0
    async for execution in client.list_workflows(
        'ExecutionStatus="Running"', limit=MAX_LISTED_FOR_STAGES, rpc_timeout=RPC_TIMEOUT
    ):
        values = execution.search_attributes.get(STAGE_SEARCH_ATTRIBUTE) or [NO_STAGE]
        stages[str(values[0])] += 1
        listed += 1
    health.by_stage = sorted(stages.items())
    health.stages_listed = True
    health.stages_capped = listed >= MAX_LISTED_FOR_STAGES


async def _ended(client: Client, health: WorkflowHealth, now: datetime) -> None:
    statuses = " OR ".join(f'ExecutionStatus="{name}"' for name, _ in FAILED_STATUSES.values())
    query = f'({statuses}) AND CloseTime >= "{_since(now)}"'
    async for execution in client.list_workflows(
        query, limit=RECENT_FAILURES, rpc_timeout=RPC_TIMEOUT
    ):
        status = execution.status
        label = FAILED_STATUSES[status][1] if status in FAILED_STATUSES else str(status)
        health.ended.append(
            EndedWorkflow(execution.id, execution.workflow_type, label, execution.close_time)
        )


async def _failure_message(client: Client, failure: Failure, decode: bool) -> str:
    """The failure as the codec decodes it, for the roles allowed to read it; nothing decrypted
    for the others (the page masks it)."""
    if not decode:
        return ""
    try:
        return str(await client.data_converter.decode_failure(failure))
    except Exception:
        return UNREADABLE


async def _retrying(client: Client, health: WorkflowHealth, decode: bool) -> None:
    running: list[WorkflowExecution] = []
    async for execution in client.list_workflows(
        'ExecutionStatus="Running"', limit=MAX_DESCRIBES + 1, rpc_timeout=RPC_TIMEOUT
    ):
        running.append(execution)
    health.describes_capped = len(running) > MAX_DESCRIBES
    described = await asyncio.gather(
        *(
            client.get_workflow_handle(e.id, run_id=e.run_id).describe(rpc_timeout=RPC_TIMEOUT)
            for e in running[:MAX_DESCRIBES]
        )
    )
    for description in described:
        for pending in description.raw_description.pending_activities:
            if pending.attempt >= RETRY_THRESHOLD:
                health.retrying.append(
                    RetryingActivity(
                        description.id,
                        pending.activity_type.name,
                        pending.attempt,
                        await _failure_message(client, pending.last_failure, decode),
                    )
                )


async def _pollers(client: Client, health: WorkflowHealth, task_queue: str) -> None:
    kinds = {
        "Workflows": TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        "Activités": TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    }
    for label, kind in kinds.items():
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=kind,
            ),
            timeout=RPC_TIMEOUT,
        )
        health.pollers[label] = [
            Poller(
                label,
                poller.identity,
                poller.last_access_time.ToDatetime().replace(tzinfo=UTC)
                if poller.HasField("last_access_time")
                else None,
            )
            for poller in answer.pollers
        ]


async def _schedules(client: Client, health: WorkflowHealth) -> None:
    async for schedule in await client.list_schedules(rpc_timeout=RPC_TIMEOUT):
        info = schedule.info
        last = info.recent_actions[-1].started_at if info and info.recent_actions else None
        upcoming = info.next_action_times[0] if info and info.next_action_times else None
        paused = bool(schedule.schedule and schedule.schedule.state.paused)
        health.schedules.append(ScheduleRun(schedule.id, last, upcoming, paused))


async def workflow_health(
    client: Client, task_queue: str, now: datetime, *, decode_failures: bool
) -> WorkflowHealth:
    health = WorkflowHealth()
    health.running = (
        await client.count_workflows('ExecutionStatus="Running"', rpc_timeout=RPC_TIMEOUT)
    ).count
    await asyncio.gather(
        _by_stage(client, health),
        _ended(client, health, now),
        _retrying(client, health, decode_failures),
        _pollers(client, health, task_queue),
        _schedules(client, health),
    )
    return health
