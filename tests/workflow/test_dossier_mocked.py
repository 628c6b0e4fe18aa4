"""DossierWorkflow's state machine against fake activities (same names, canned results, every
call recorded) on the time-skipping server: no database, no SMTP, seconds for months. Each test
ends its workflow (finish_workflow): one left waiting for a worker stalls the shared server.

The real activities are covered by test_dossier_workflow.py and test_analysis_phase.py; these
check the transitions and refusals of the workflow itself, and the order of what it asks for.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from support.analysis import finish_workflow
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import dossier as io
from activities.contracts import negotiation as nio
from config.settings import Settings
from domain.dossier_lifecycle import (
    DOCUMENTS_NOT_COMPLETE,
    NO_HOLD_TO_LIFT,
    NOTHING_SUBMITTED,
)
from domain.dossier_stages import Outcome, Stage
from domain.dossier_timeline import REMINDER_DUE_LABEL, TASK_DUE_LABEL, TASK_LABEL
from domain.workflow_ids import dossier_workflow_id
from workflows.dossier import DossierWorkflow
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    DOSSIER_WORKFLOW,
    LIFT_LEGAL_HOLD_UPDATE,
    RECORD_APPROVAL_UPDATE,
    STATUS_QUERY,
    SUBMIT_ANALYSIS_UPDATE,
    ApprovalRecord,
    CloseDossier,
    DocumentsChanged,
    DossierInput,
    DossierStatus,
    LegalHoldChange,
    SubmissionResult,
    SubmitAnalysis,
)
from workflows.plumbing import TRANSITION_REFUSED

STAFF = "staff:1"
NO_BUDGET = "Aucun budget n'est enregistré pour ce dossier."


@dataclass
class FakeDossierActivities:
    """Canned answers; `calls` lists (activity name, detail) in the order the workflow asked."""

    missing: list[str] = field(default_factory=list)
    refuse_submission: bool = False
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _called(self, name: str, detail: str = "") -> None:
        self.calls.append((name, detail))

    @activity.defn(name=io.LOAD_DOSSIER_FACTS.name)
    async def load_dossier_facts(self, ref: io.DossierRef) -> io.DossierFacts:
        self._called(io.LOAD_DOSSIER_FACTS.name)
        return io.DossierFacts(list(self.missing), [7, 14], 5, 3, 90)

    @activity.defn(name=io.RECORD_PROGRESS.name)
    async def record_progress(self, record: io.ProgressRecord) -> None:
        self._called(io.RECORD_PROGRESS.name, record.event_kind or "deadline")

    @activity.defn(name=io.RECORD_CLOSURE.name)
    async def record_closure(self, record: io.ClosureRecord) -> None:
        self._called(io.RECORD_CLOSURE.name, record.outcome)

    @activity.defn(name=io.SET_LEGAL_HOLD.name)
    async def set_legal_hold(self, record: io.LegalHoldRecord) -> None:
        self._called(io.SET_LEGAL_HOLD.name, str(record.held))

    @activity.defn(name=io.SEND_CLIENT_EMAIL.name)
    async def send_client_email(self, email: io.ClientEmail) -> io.EmailOutcome:
        self._called(io.SEND_CLIENT_EMAIL.name, email.template)
        return io.EmailOutcome(message_id=f"<{email.idempotency_key}>", sent_now=True)

    @activity.defn(name=io.RELATIONSHIP_END.name)
    async def relationship_end(self, ref: io.DossierRef) -> io.RelationshipEnd:
        self._called(io.RELATIONSHIP_END.name)
        return io.RelationshipEnd(ended_at=None)

    @activity.defn(name=io.LOAD_ANALYSIS_FACTS.name)
    async def load_analysis_facts(self, ref: io.DossierRef) -> io.AnalysisFacts:
        self._called(io.LOAD_ANALYSIS_FACTS.name)
        return io.AnalysisFacts(reminder_days=5, task_days=10)

    @activity.defn(name=io.SUBMIT_ANALYSIS.name)
    async def submit_analysis(self, request: io.AnalysisSubmission) -> io.AnalysisSubmitted:
        self._called(io.SUBMIT_ANALYSIS.name, str(request.submission))
        if self.refuse_submission:
            raise ApplicationError(NO_BUDGET, type="AnalysisRefused", non_retryable=True)
        return io.AnalysisSubmitted(report_document_id=f"report-{request.submission}")

    @activity.defn(name=io.RECORD_ANALYSIS_APPROVAL.name)
    async def record_analysis_approval(self, approval: io.AnalysisApproval) -> None:
        self._called(io.RECORD_ANALYSIS_APPROVAL.name, str(approval.submission))

    @activity.defn(name=nio.OPEN_NEGOTIATIONS.name)
    async def open_negotiations(self, ref: io.DossierRef) -> nio.OpenedNegotiations:
        # No creditor: the dossier waits for its closure once the strategy is approved.
        self._called(nio.OPEN_NEGOTIATIONS.name)
        return nio.OpenedNegotiations(negotiation_ids=[])

    def functions(self) -> list[Callable[..., Any]]:
        return [
            self.load_dossier_facts,
            self.record_progress,
            self.record_closure,
            self.set_legal_hold,
            self.send_client_email,
            self.relationship_end,
            self.load_analysis_facts,
            self.submit_analysis,
            self.record_analysis_approval,
            self.open_negotiations,
        ]

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def details(self, name: str) -> list[str]:
        return [detail for called, detail in self.calls if called == name]


def _worker(client: Client, settings: Settings, fakes: FakeDossierActivities) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[DossierWorkflow],
        activities=fakes.functions(),
    )


async def _start(client: Client, settings: Settings) -> WorkflowHandle:
    dossier_id = uuid.uuid4().hex
    return await client.start_workflow(
        DOSSIER_WORKFLOW,
        DossierInput(dossier_id=dossier_id),
        id=dossier_workflow_id(dossier_id),
        task_queue=settings.task_queue,
        result_type=str,
    )


async def _status(handle: WorkflowHandle) -> DossierStatus:
    status: DossierStatus = await handle.query(STATUS_QUERY, result_type=DossierStatus)
    return status


async def _eventually(
    handle: WorkflowHandle, check: Callable[[DossierStatus], bool], timeout: float = 20.0
) -> DossierStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await _status(handle)
        if check(status) or time.monotonic() > deadline:
            assert check(status), status
            return status
        await asyncio.sleep(0.05)


async def _stage_is(handle: WorkflowHandle, stage: Stage) -> DossierStatus:
    return await _eventually(handle, lambda status: status.stage == stage)


async def _refusal(handle: WorkflowHandle, name: str, arg: object) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(name, arg)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


async def test_complete_documents_lead_to_analysis_approval_and_closure(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    fakes = FakeDossierActivities()
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _stage_is(handle, Stage.ANALYSIS)
        # Nothing sent yet: nothing to approve (the validator refuses, nothing is recorded).
        refused = await _refusal(handle, RECORD_APPROVAL_UPDATE, ApprovalRecord(STAFF, "phone", 1))
        assert (refused.message, refused.type) == (NOTHING_SUBMITTED, "ValueError")

        submitted = await handle.execute_update(
            SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(STAFF), result_type=SubmissionResult
        )
        assert submitted == SubmissionResult(submission=1, client_notified=True)
        status = await _status(handle)
        assert (status.stage, status.analysis_report_id) == (Stage.AWAITING_APPROVAL, "report-1")
        assert status.next_deadline_label == REMINDER_DUE_LABEL

        # Five days later the client is reminded, ten days later the case worker has a task.
        await time_env.sleep(timedelta(days=6))
        await _eventually(handle, lambda status: status.next_deadline_label == TASK_DUE_LABEL)
        await time_env.sleep(timedelta(days=5))
        await _eventually(handle, lambda status: status.next_deadline_label == TASK_LABEL)

        stage = await handle.execute_update(
            RECORD_APPROVAL_UPDATE, ApprovalRecord(STAFF, "phone", 1), result_type=str
        )
        assert stage == Stage.APPROVED
        closed = await handle.execute_update(
            CLOSE_UPDATE, CloseDossier(Outcome.RESOLVED, STAFF), result_type=str
        )
        assert closed == Stage.CLOSED
        await _stage_is(handle, Stage.CLOSED)
        await finish_workflow(wf_client, handle)

    assert fakes.details(io.SEND_CLIENT_EMAIL.name) == [
        "acknowledgement",
        "analysis_ready",
        "analysis_reminder",
        "closure",
    ]
    assert fakes.details(io.RECORD_PROGRESS.name)[:4] == [
        "dossier_opened",
        "analysis_started",
        "analysis_submitted",
        "analysis_reminder",
    ]
    assert fakes.details(io.RECORD_CLOSURE.name) == [Outcome.RESOLVED]
    assert fakes.names().index(nio.OPEN_NEGOTIATIONS.name) > fakes.names().index(
        io.RECORD_ANALYSIS_APPROVAL.name
    )


async def test_missing_documents_are_reminded_then_the_analysis_waits_for_them(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    fakes = FakeDossierActivities(missing=["identity", "income"])
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _stage_is(handle, Stage.AWAITING_DOCUMENTS)
        refused = await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(STAFF))
        assert refused.message == DOCUMENTS_NOT_COMPLETE

        await time_env.sleep(timedelta(days=8))
        status = await _eventually(
            handle,
            lambda status: status.next_deadline_label == "Relance n°2 si des pièces manquent",
        )
        assert status.reminders_sent == 1
        fakes.missing = []
        missing = await handle.execute_update(
            DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(STAFF), result_type=list[str]
        )
        assert missing == []
        await _stage_is(handle, Stage.ANALYSIS)
        assert (await _status(handle)).reminders_sent == 1
        await finish_workflow(wf_client, handle)

    assert fakes.details(io.SEND_CLIENT_EMAIL.name) == ["acknowledgement", "document_reminder"]
    assert "documents_complete" in fakes.details(io.RECORD_PROGRESS.name)


async def test_an_activity_refusal_fails_the_update_and_changes_nothing(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    fakes = FakeDossierActivities(refuse_submission=True)
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _stage_is(handle, Stage.ANALYSIS)
        refused = await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(STAFF))
        assert (refused.message, refused.type, refused.non_retryable) == (
            NO_BUDGET,
            TRANSITION_REFUSED,
            True,
        )
        status = await _status(handle)
        assert (status.stage, status.analysis_submission) == (Stage.ANALYSIS, 0)

        refused = await _refusal(handle, LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(STAFF))
        assert refused.message == NO_HOLD_TO_LIFT
        refused = await _refusal(handle, CLOSE_UPDATE, CloseDossier("vanished", STAFF))
        assert refused.message == "Issue de clôture inconnue : 'vanished'."
        await finish_workflow(wf_client, handle)

    assert fakes.details(io.SUBMIT_ANALYSIS.name) == ["1"]
    assert io.RECORD_CLOSURE.name not in fakes.names()
    assert io.SET_LEGAL_HOLD.name not in fakes.names()
