"""What must not stop or corrupt a dossier's life: a refused address, a lost notice, a late hold."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import SQLModel, select
from support.stack import (
    TEMPORAL_TEST_SERVER,
    TINY_PDF,
    free_port,
    make_dossier,
    make_staff,
    register_search_attributes,
    wait_for_messages,
)
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import dossier as io
from activities.retention import RetentionActivities
from config.loading import dev_settings
from config.settings import Settings
from domain.dossier_stages import Outcome, Stage
from gateway.start_intents import start_pending_intent
from models.database import engine_for, session_scope
from models.dossier import Dossier, TimelineEvent
from models.outbox import OutboxEmail
from models.staff import StaffUser
from security.codec import make_data_converter
from services.documents import store_document
from worker import WORKFLOWS, activity_functions, build_worker
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    PLACE_LEGAL_HOLD_UPDATE,
    STATUS_QUERY,
    CloseDossier,
    DossierStatus,
    LegalHoldChange,
)


class RefuseEveryRecipient:
    async def handle_RCPT(self, *args: Any) -> str:  # noqa: N802
        return "550 5.1.1 mailbox unavailable"


async def test_a_refused_address_never_ends_the_dossier_and_leaves_no_address_behind(
    tmp_path: Path,
) -> None:
    port = free_port()
    settings = dev_settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'wf.db'}",
        smtp_port=port,
        task_queue=f"refused-{tmp_path.name}",
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    # A server of its own: the dossier is left running when the test ends.
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEMPORAL_TEST_SERVER,
        data_converter=make_data_converter(settings),
    )
    await register_search_attributes(env.client)
    client = env.client
    controller = Controller(RefuseEveryRecipient(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        staff = make_staff(settings)
        dossier = make_dossier(settings, staff)
        async with build_worker(client, settings):
            assert await start_pending_intent(client, dossier.workflow_id, settings)
            handle = client.get_workflow_handle(dossier.workflow_id)
            for _ in range(200):
                with session_scope(settings) as session:
                    failed = session.exec(
                        select(TimelineEvent).where(TimelineEvent.kind == "email_failed")
                    ).first()
                if failed:
                    break
                await asyncio.sleep(0.05)
            assert failed is not None and "contacter autrement" in failed.summary
            stage = await handle.execute_update(
                CLOSE_UPDATE,
                CloseDossier(Outcome.UNREACHABLE, f"staff:{staff.id}"),
                result_type=str,
            )
            assert stage == Stage.CLOSED
        with session_scope(settings) as session:
            rows = session.exec(select(OutboxEmail)).all()
            errors = [row.last_error for row in rows if row.last_error]
        assert errors and all("550" in e and "@" not in e for e in errors)
    finally:
        controller.stop()
        await env.shutdown()


async def test_documents_stored_without_notice_are_picked_up_the_next_day(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    async with build_worker(wf_client, wf_settings):
        assert await start_pending_intent(wf_client, dossier.workflow_id, wf_settings)
        handle = wf_client.get_workflow_handle(dossier.workflow_id)
        await wait_for_messages(wf_settings, 1)
        await time_env.sleep(timedelta(days=15))
        # The web app stored both documents, then could not tell the workflow.
        with session_scope(wf_settings) as session:
            actor = session.get(StaffUser, staff.id)
            assert actor is not None
            for kind in ("identity", "income"):
                store_document(session, dossier, kind, f"{kind}.pdf", TINY_PDF, actor, wf_settings)
        await time_env.sleep(timedelta(days=2))
        status = await handle.query(STATUS_QUERY, result_type=DossierStatus)
        assert status.missing_documents == [] and status.stage == Stage.ANALYSIS
        await handle.terminate()


async def test_a_legal_hold_asked_for_while_data_is_being_deleted_is_refused(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = RetentionActivities(wf_settings)

    @activity.defn(name=io.ANONYMISE_DOSSIER.name)
    def slow_anonymise(ref: io.DossierRef) -> io.AnonymisationReport:
        entered.set()
        release.wait(30)
        return real.anonymise_dossier(ref)

    activities = [
        a
        for a in activity_functions(wf_settings)
        if a.__temporal_activity_definition.name != io.ANONYMISE_DOSSIER.name  # type: ignore[attr-defined]
    ]
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    actor = f"staff:{staff.id}"
    worker = Worker(
        wf_client,
        task_queue=wf_settings.task_queue,
        workflows=WORKFLOWS,
        activities=[*activities, slow_anonymise],
        activity_executor=ThreadPoolExecutor(max_workers=8),
    )
    async with worker:
        assert await start_pending_intent(wf_client, dossier.workflow_id, wf_settings)
        handle = wf_client.get_workflow_handle(dossier.workflow_id)
        await handle.execute_update(CLOSE_UPDATE, CloseDossier(Outcome.PARTIAL, actor))
        sleeper = asyncio.create_task(time_env.sleep(timedelta(days=6 * 365)))
        while not entered.is_set():
            await asyncio.sleep(0.05)
        latest = wf_client.get_workflow_handle(dossier.workflow_id)
        update = await latest.start_update(
            PLACE_LEGAL_HOLD_UPDATE,
            LegalHoldChange(actor=actor),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )
        with pytest.raises(WorkflowUpdateFailedError) as late:
            await asyncio.wait_for(update.result(), 15)
        assert "trop tard" in str(late.value.cause)
        release.set()
        assert await latest.result() == Stage.ANONYMISED
        sleeper.cancel()
    with session_scope(wf_settings) as session:
        assert session.get(Dossier, dossier.id) is None
