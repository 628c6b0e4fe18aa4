"""The supervision page's Temporal section against the dev server: running workflows counted by
CravelynosStage, a workflow that ended badly listed by id and type, the worker's pollers on the
app's task queue, and the daily backup schedule."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from support.devserver import Stack, eventually
from support.stack import STAFF_PASSWORD, make_staff
from temporalio import activity, workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from gateway.backup_schedule import ensure_backup_schedule
from models.staff import Role, StaffUser
from web.staff.supervision.temporal_health import STAGE_SEARCH_ATTRIBUTE
from workflows.backup_messages import BACKUP_SCHEDULE_ID
from workflows.plumbing import STAGE_KEY

pytestmark = pytest.mark.devserver

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Stands for whatever an activity's error could quote (a value, a ciphertext).
FAILURE = "relais injoignable pour le dossier sonde"


@activity.defn(name="SupervisionProbeStep")
async def failing_step() -> None:
    raise RuntimeError(FAILURE)


@workflow.defn(name="SupervisionRetryProbe")
class RetryProbe:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(
            failing_step,
            start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(milliseconds=50), backoff_coefficient=1
            ),
        )


async def _sign_in(http: httpx.AsyncClient, user: StaffUser) -> None:
    token = CSRF.search((await http.get("/login")).text)
    assert token
    response = await http.post(
        "/login",
        data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 303, response.text


async def test_the_page_shows_stages_failures_pollers_and_schedules(live_stack: Stack) -> None:
    assert STAGE_KEY.name == STAGE_SEARCH_ATTRIBUTE
    client = live_stack.client
    stage = f"supervision-{uuid.uuid4().hex[:8]}"
    # No worker listens on this queue: the first stays running at its stage, the second is
    # terminated, as an operator would stop a stuck workflow.
    idle_queue = f"idle-{uuid.uuid4().hex[:8]}"
    attributes = TypedSearchAttributes([SearchAttributePair(STAGE_KEY, stage)])
    running = await client.start_workflow(
        "SupervisionProbe",
        id=f"probe-running-{stage}",
        task_queue=idle_queue,
        search_attributes=attributes,
    )
    stopped = await client.start_workflow(
        "SupervisionProbe", id=f"probe-stopped-{stage}", task_queue=idle_queue
    )
    await stopped.terminate("stopped by the supervision test")
    # What every worker start does (the fixture's worker is built without its start-up rounds).
    created = await ensure_backup_schedule(client, live_stack.settings)
    # An activity that keeps failing: its workflow stays running, the activity retrying.
    retrying = await client.start_workflow(
        RetryProbe.run, id=f"probe-retrying-{stage}", task_queue=idle_queue
    )
    ops = make_staff(live_stack.settings, "ops@cravelynos.example", Role.OPS, "technique", "Gaël")
    probe_worker = Worker(
        client,
        task_queue=idle_queue,
        workflows=[RetryProbe],
        activities=[failing_step],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    try:
        async with (
            probe_worker,
            httpx.AsyncClient(base_url=live_stack.base_url, timeout=20) as http,
        ):
            await _sign_in(http, live_stack.supervisor)

            async def page() -> str:
                response = await http.get("/supervision")
                assert response.status_code == 200, response.text
                return html.unescape(response.text)

            def complete(text: str) -> bool:
                return (
                    f"<code>{stage}</code></td><td>1</td>" in text
                    and stopped.id in text
                    and "Aucun worker" not in text
                    and f"<code>{BACKUP_SCHEDULE_ID}</code>" in text
                    and FAILURE in text
                )

            text = await eventually(page, complete, timeout=10)
        assert "Temporal ne répond pas" not in text
        assert f"<code>{stage}</code></td><td>1</td>" in text
        row = text.split(f"<code>{stopped.id}</code>", 1)[1].split("</tr>", 1)[0]
        assert "SupervisionProbe" in row and "Arrêté" in row
        assert f"<code>{live_stack.settings.task_queue}</code>" in text
        pollers = text.split('id="pollers-title"', 1)[1].split("</table>", 1)[0]
        assert "Workflows" in pollers and "Activités" in pollers
        assert "Aucun worker" not in pollers
        schedules = text.split('id="schedules-title"', 1)[1].split("</table>", 1)[0]
        assert f"<code>{BACKUP_SCHEDULE_ID}</code>" in schedules
        retries = text.split('id="retrying-title"', 1)[1].split("</table>", 1)[0]
        assert f"<code>{retrying.id}</code>" in retries and "SupervisionProbeStep" in retries
        assert FAILURE in retries  # decoded for a supervisor, as the codec does
        # Ops see the same line, the failure message masked.
        async with httpx.AsyncClient(base_url=live_stack.base_url, timeout=20) as http:
            await _sign_in(http, ops)
            as_ops = html.unescape((await http.get("/supervision")).text)
        retries = as_ops.split('id="retrying-title"', 1)[1].split("</table>", 1)[0]
        assert f"<code>{retrying.id}</code>" in retries and "(masqué)" in retries
        assert FAILURE not in as_ops
    finally:
        await running.terminate("end of the supervision test")
        await retrying.terminate("end of the supervision test")
        if created:
            # Shared dev server: leave it as found for the backup schedule's own test.
            await client.get_schedule_handle(BACKUP_SCHEDULE_ID).delete()
