"""DossierWorkflow on the time-skipping server, with a real SQLite database and SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from support.analysis import finish_workflow
from support.privacy import make_dpo, record_privacy_request
from support.stack import TINY_PDF, make_dossier, make_staff, received, wait_for_messages
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.dossier_stages import DOCUMENT_LABELS_FR, DocumentKind, Outcome, Stage
from domain.french_dates import french_date
from domain.retention import RetentionPolicy, history_expiry
from gateway.start_intents import start_pending_intent
from models.client import Client as ClientRow
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from models.privacy_request import PrivacyRequest
from models.staff import StaffUser
from models.statistics import DossierStatistic
from services.audit import verify_audit_chain
from services.documents import document_path, store_document
from worker import build_worker
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    LIFT_LEGAL_HOLD_UPDATE,
    PLACE_LEGAL_HOLD_UPDATE,
    STATUS_QUERY,
    CloseDossier,
    DocumentsChanged,
    DossierStatus,
    LegalHoldChange,
)

IDENTITY = DOCUMENT_LABELS_FR[DocumentKind.IDENTITY]
INCOME = DOCUMENT_LABELS_FR[DocumentKind.INCOME]


async def _start(client: Client, settings: Settings, dossier: Dossier) -> WorkflowHandle:
    assert await start_pending_intent(client, dossier.workflow_id, settings)
    return client.get_workflow_handle(dossier.workflow_id)


async def _upload(
    handle: WorkflowHandle, settings: Settings, dossier: Dossier, staff: StaffUser, kind: str
) -> list[str]:
    with session_scope(settings) as session:
        actor = session.get(StaffUser, staff.id)
        assert actor is not None
        store_document(session, dossier, kind, f"{kind}.pdf", TINY_PDF, actor, settings)
    return await handle.execute_update(
        DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=f"staff:{staff.id}"), result_type=list[str]
    )


async def _status(handle: WorkflowHandle) -> DossierStatus:
    return await handle.query(STATUS_QUERY, result_type=DossierStatus)


def _stage_in_db(settings: Settings, dossier_id: str) -> Stage | None:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier_id)
        return None if row is None else Stage(row.stage)


@pytest.mark.parametrize("max_cached_workflows", [1000, 0], ids=["cached", "no-cache"])
async def test_reminders_list_what_is_missing_and_stop_once_complete(
    time_env: WorkflowEnvironment,
    wf_client: Client,
    wf_settings: Settings,
    max_cached_workflows: int,
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    async with build_worker(wf_client, wf_settings, max_cached_workflows=max_cached_workflows):
        handle = await _start(wf_client, wf_settings, dossier)
        [ack] = await wait_for_messages(wf_settings, 1)
        assert dossier.reference in ack.subject
        assert ack.recipients == ["jeanne.dupont@example.org"]
        assert IDENTITY in ack.text and INCOME in ack.text
        assert ack.html is not None and "Bonjour Jeanne" in ack.html
        # The client knows whom to write to: their case worker, by name and address.
        assert "Claire Martin" in ack.text and "conseillere@cravelynos.example" in ack.text

        await time_env.sleep(timedelta(days=7, hours=1))
        messages = await wait_for_messages(wf_settings, 2)
        assert len(messages) == 2, [(m.subject, m.message_id, m.text[:200]) for m in messages]
        first = messages[1]
        assert "relance n°1" in first.text
        assert IDENTITY in first.text and INCOME in first.text

        assert await _upload(handle, wf_settings, dossier, staff, "identity") == ["income"]
        await time_env.sleep(timedelta(days=7))
        messages = await wait_for_messages(wf_settings, 3)
        second = messages[2]
        assert "relance n°2" in second.text
        assert INCOME in second.text and IDENTITY not in second.text
        assert len({m.message_id for m in messages}) == 3

        assert await _upload(handle, wf_settings, dossier, staff, "income") == []
        assert (await _status(handle)).reminders_sent == 2
        await time_env.sleep(timedelta(days=30))
        assert len(received(wf_settings)) == 3
        # Complete documents open the analysis phase, which waits for the case worker.
        assert (await _status(handle)).stage == Stage.ANALYSIS
        assert _stage_in_db(wf_settings, dossier.id) == Stage.ANALYSIS


async def test_no_reminder_when_documents_arrive_before_the_first(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await wait_for_messages(wf_settings, 1)
        await time_env.sleep(timedelta(days=2))
        await _upload(handle, wf_settings, dossier, staff, "identity")
        await _upload(handle, wf_settings, dossier, staff, "income")
        await time_env.sleep(timedelta(days=20))
        assert [m.subject for m in received(wf_settings)] == [
            f"Votre dossier {dossier.reference} est ouvert"
        ]
        assert (await _status(handle)).reminders_sent == 0


async def _run_chain(client: Client, workflow_id: str) -> int:
    """How many runs the workflow went through (1 + continue-as-new hops)."""
    runs = 0
    run_id: str | None = None
    while True:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        history = await handle.fetch_history()
        runs += 1
        started = history.events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return runs
        run_id = started.continued_execution_run_id


async def test_closure_then_documents_at_three_years_then_anonymised_at_five(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await _upload(handle, wf_settings, dossier, staff, "identity")
        with session_scope(wf_settings) as session:
            document = session.exec(select(Document).where(Document.dossier_id == dossier.id)).one()
        stored = document_path(document, wf_settings)
        assert stored.exists()

        stage = await handle.execute_update(
            CLOSE_UPDATE,
            CloseDossier(outcome=Outcome.RESOLVED, actor=f"staff:{staff.id}"),
            result_type=str,
        )
        assert stage == Stage.CLOSED
        messages = await wait_for_messages(wf_settings, 2)
        closure = messages[-1]
        with session_scope(wf_settings) as session:
            closed_at = session.get(Dossier, dossier.id).closed_at  # type: ignore[union-attr]
        assert closed_at is not None
        assert "clôture" in closure.subject
        assert "Situation résolue" in closure.text
        assert french_date(history_expiry(closed_at, RetentionPolicy())) in closure.text
        # The client asked for access meanwhile: their request outlives them (proof of the
        # answer), unlinked once the client is anonymised.
        request = record_privacy_request(
            wf_settings, make_dpo(wf_settings), await time_env.get_current_time(),
            client_id=dossier.client_id,
        )  # fmt: skip

        await time_env.sleep(timedelta(days=3 * 365 + 2))
        for _ in range(100):
            if not stored.exists():
                break
            await time_env.sleep(timedelta(hours=1))
        assert not stored.exists(), "documents must be deleted 3 years after closure"
        assert _stage_in_db(wf_settings, dossier.id) == Stage.CLOSED

        await time_env.sleep(timedelta(days=2 * 365 + 30))
        assert await handle.result() == Stage.ANONYMISED
    with session_scope(wf_settings) as session:
        assert session.get(Dossier, dossier.id) is None
        assert session.get(ClientRow, dossier.client_id) is None
        kept = session.get(PrivacyRequest, request.id)
        assert kept is not None and kept.client_id is None
        [statistic] = session.exec(select(DossierStatistic)).all()
        assert statistic.outcome == Outcome.RESOLVED and statistic.creditor_count == 2
        assert verify_audit_chain(session).ok
    # 5 years in hops of at most 90 days: at least 20 runs.
    assert await _run_chain(wf_client, dossier.workflow_id) >= 5 * 365 // 90


async def test_legal_hold_postpones_expiry_until_lifted(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    actor = f"staff:{staff.id}"
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await handle.execute_update(
            CLOSE_UPDATE, CloseDossier(outcome=Outcome.PARTIAL, actor=actor)
        )
        await handle.execute_update(PLACE_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=actor))
        await time_env.sleep(timedelta(days=6 * 365))
        assert _stage_in_db(wf_settings, dossier.id) == Stage.CLOSED
        status = await _status(handle)
        assert status.legal_hold and status.stage == Stage.CLOSED

        await handle.execute_update(LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=actor))
        await time_env.sleep(timedelta(hours=1))
        assert await handle.result() == Stage.ANONYMISED
    assert _stage_in_db(wf_settings, dossier.id) is None


async def test_invalid_transitions_are_refused_with_a_reason(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff)
    actor = f"staff:{staff.id}"
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await handle.execute_update(CLOSE_UPDATE, CloseDossier(outcome="vanished", actor=actor))
        assert "inconnue" in str(unknown.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as not_held:
            await handle.execute_update(LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=actor))
        assert "Aucune conservation" in str(not_held.value.cause)

        await handle.execute_update(
            CLOSE_UPDATE, CloseDossier(outcome=Outcome.ABANDONED, actor=actor)
        )
        with pytest.raises(WorkflowUpdateFailedError) as twice:
            await handle.execute_update(
                CLOSE_UPDATE, CloseDossier(outcome=Outcome.RESOLVED, actor=actor)
            )
        assert "déjà clôturé" in str(twice.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as late:
            await handle.execute_update(DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor))
        assert "clôturé" in str(late.value.cause)
        with session_scope(wf_settings) as session:
            row = session.get(Dossier, dossier.id)
            assert row is not None and row.outcome == Outcome.ABANDONED
        # Its retention timer must not outlive the worker: it would stall the shared server.
        await finish_workflow(wf_client, handle)
