"""The analysis phase on the time-skipping server: documents complete → analysis → submission to
the client (email with a signed link, no figure) → approval on the client's page, or a reminder
at D+7 and a task for the case worker at D+14; revisions restart the timers.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import col, select
from support.analysis import analysis_of, figures_in, finish_workflow, record_budget
from support.live_web import live_web as _web
from support.stack import (
    TINY_PDF,
    intake,
    make_dossier,
    make_staff,
    received,
    wait_for_messages,
)
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from dev.mail_catcher import MailboxMessage
from domain.dossier_lifecycle import (
    ALREADY_APPROVED,
    DOCUMENTS_NOT_COMPLETE,
    NOTHING_SUBMITTED,
    SUBMISSION_IN_PROGRESS,
)
from domain.dossier_stages import DocumentKind, Outcome, Stage
from domain.dossier_timeline import REMINDER_DUE_LABEL, TASK_DUE_LABEL, TASK_LABEL
from domain.workflow_ids import negotiation_workflow_id
from gateway.start_intents import start_pending_intent
from models.audit import AuditEntry
from models.client import Client as ClientRow
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.negotiation import Negotiation
from models.staff import StaffUser
from services.budget.store import NO_BUDGET, NO_STRATEGY
from services.documents import store_document
from worker import build_worker
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    RECORD_APPROVAL_UPDATE,
    STATUS_QUERY,
    SUBMIT_ANALYSIS_UPDATE,
    ApprovalRecord,
    CloseDossier,
    DocumentsChanged,
    DossierStatus,
    SubmissionResult,
    SubmitAnalysis,
)
from workflows.negotiation_messages import END_NEGOTIATION_UPDATE, EndNegotiation

LINK = re.compile(r"https?://[^\s\"'<>]+/espace/analyse/[A-Za-z0-9_.\-]+")
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
READY_SUBJECT = "votre analyse budgétaire est prête"
REMINDER_SUBJECT = "votre analyse budgétaire attend votre réponse"


# ----- helpers ---------------------------------------------------------------------------------


async def _start(client: Client, settings: Settings, dossier: Dossier) -> WorkflowHandle:
    assert await start_pending_intent(client, dossier.workflow_id, settings)
    return client.get_workflow_handle(dossier.workflow_id)


async def _status(handle: WorkflowHandle) -> DossierStatus:
    return await handle.query(STATUS_QUERY, result_type=DossierStatus)


async def _reaches(handle: WorkflowHandle, stage: Stage, timeout: float = 20.0) -> DossierStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await _status(handle)
        if status.stage == stage or time.monotonic() > deadline:
            assert status.stage == stage, status
            return status
        await asyncio.sleep(0.05)


async def _submit(handle: WorkflowHandle, staff: StaffUser) -> SubmissionResult:
    return await handle.execute_update(
        SUBMIT_ANALYSIS_UPDATE,
        SubmitAnalysis(actor=f"staff:{staff.id}"),
        result_type=SubmissionResult,
    )


async def _refusal(handle: WorkflowHandle, name: str, arg: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(name, arg)
    return str(refused.value.cause)


def _upload_identity(settings: Settings, staff: StaffUser, dossier: Dossier) -> None:
    with session_scope(settings) as session:
        viewer = session.get(StaffUser, staff.id)
        assert viewer is not None
        store_document(session, dossier, "identity", "id.pdf", TINY_PDF, viewer, settings)


def _complete_dossier(settings: Settings, staff: StaffUser) -> Dossier:
    """A dossier whose only expected document arrived before its workflow started."""
    dossier = make_dossier(settings, staff, intake(documents=(DocumentKind.IDENTITY,)))
    _upload_identity(settings, staff, dossier)
    return dossier


def _row(settings: Settings, dossier_id: str) -> Dossier:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier_id)
        assert row is not None
        return row


def _timeline(settings: Settings, dossier_id: str) -> list[TimelineEvent]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(TimelineEvent)
                .where(TimelineEvent.dossier_id == dossier_id)
                .order_by(col(TimelineEvent.id))
            ).all()
        )


def _kinds(settings: Settings, dossier_id: str) -> list[str]:
    return [event.kind for event in _timeline(settings, dossier_id)]


def _with_subject(messages: list[MailboxMessage], subject: str) -> list[MailboxMessage]:
    return [m for m in messages if subject in m.subject]


def _link(message: MailboxMessage) -> str:
    [link] = set(LINK.findall(message.text))
    assert message.html is not None and link in message.html
    return link


def _assert_no_figure(settings: Settings, message: MailboxMessage) -> None:
    """Neither part of the email carries an amount of the budget or of its analysis."""
    analysis = analysis_of(settings)
    for part in (message.subject, message.text, message.html or ""):
        # The signed link is random text: a run of its characters is not a figure.
        assert figures_in(LINK.sub("", part), analysis=analysis) == [], part


async def _page(web: httpx.AsyncClient, link: str) -> httpx.Response:
    return await web.get(urlsplit(link).path)


async def _approve_on_page(web: httpx.AsyncClient, link: str) -> httpx.Response:
    page = await _page(web, link)
    [nonce] = set(NONCE.findall(page.text))
    return await web.post(urlsplit(link).path + "/approve", data={"nonce": nonce})


# ----- tests -----------------------------------------------------------------------------------


async def test_submission_sends_a_link_without_figures_and_the_client_approves_on_the_page(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = _complete_dossier(wf_settings, staff)
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await wait_for_messages(wf_settings, 1)
        await _reaches(handle, Stage.ANALYSIS)
        assert _row(wf_settings, dossier.id).stage == Stage.ANALYSIS
        assert "analysis_started" in _kinds(wf_settings, dossier.id)

        # Nothing recorded yet, then no strategy: refused with the reason, nothing sent.
        assert NO_BUDGET in await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis("x"))
        record_budget(wf_settings, staff, dossier.id, strategy=None)
        assert NO_STRATEGY in await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis("x"))
        assert (await _status(handle)).stage == Stage.ANALYSIS
        assert len(received(wf_settings)) == 1

        record_budget(wf_settings, staff, dossier.id)
        result = await _submit(handle, staff)
        assert result == SubmissionResult(submission=1, client_notified=True)
        status = await _status(handle)
        assert status.stage == Stage.AWAITING_APPROVAL and status.analysis_report_id
        assert status.analysis_submitted_at is not None
        row = _row(wf_settings, dossier.id)
        assert row.stage == Stage.AWAITING_APPROVAL
        assert row.next_deadline_label == REMINDER_DUE_LABEL
        assert row.next_deadline is not None
        due = status.analysis_submitted_at + timedelta(days=7)
        assert abs(row.next_deadline.replace(tzinfo=due.tzinfo) - due) < timedelta(seconds=1)

        [ready] = _with_subject(await wait_for_messages(wf_settings, 2), READY_SUBJECT)
        assert ready.recipients == ["jeanne.dupont@example.org"]
        assert dossier.reference in ready.subject and "Bonjour Jeanne" in ready.text
        link = _link(ready)
        _assert_no_figure(wf_settings, ready)

        async with _web(wf_settings, time_env) as web:
            page = await _page(web, link)
            assert page.status_code == 200
            assert "404,84" in page.text  # figures behind the link
            approved = await _approve_on_page(web, link)
            assert approved.status_code == 303
            status = await _status(handle)
            # Approved; the negotiations with the creditors begin right after.
            assert status.stage in (Stage.APPROVED, Stage.NEGOTIATION)
            assert (status.approved_submission, status.approval_channel) == (1, "client_link")
            after = await _page(web, link)
            assert "vous avez approuvé cette proposition" in after.text
            assert "J'approuve" not in after.text

        row = _row(wf_settings, dossier.id)
        assert row.stage in (Stage.APPROVED, Stage.NEGOTIATION)
        # No analysis deadline is left; once the negotiations have recorded their first step,
        # the row shows the earliest of theirs (each wait says who it is on).
        assert row.next_deadline_label is None or row.next_deadline_label.startswith("Créancier n°")
        with session_scope(wf_settings) as session:
            actors = {
                entry.action: entry.actor
                for entry in session.exec(select(AuditEntry)).all()
                if entry.object_id == dossier.id
            }
        assert actors["budget.approve"] == f"client:{dossier.client_id}"
        assert actors["budget.submission_read"] == f"client:{dossier.client_id}"

        again = ApprovalRecord(actor=f"staff:{staff.id}", channel="phone", submission=1)
        assert ALREADY_APPROVED in await _refusal(handle, RECORD_APPROVAL_UPDATE, again)
        assert "déjà validé" in await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis("x"))

        # Approved: no reminder, no task, however long it waits. One negotiation per creditor
        # has begun; the dossier closes once they have ended (here, abandoned).
        await time_env.sleep(timedelta(days=30))
        assert len(received(wf_settings)) == 2
        assert (await _reaches(handle, Stage.NEGOTIATION)).open_negotiations == 2
        close = CloseDossier(outcome=Outcome.RESOLVED, actor=f"staff:{staff.id}")
        assert "2 négociations encore en cours" in await _refusal(handle, CLOSE_UPDATE, close)
        with session_scope(wf_settings) as session:
            negotiations = session.exec(
                select(Negotiation.id).where(Negotiation.dossier_id == dossier.id)
            ).all()
        for negotiation_id in negotiations:
            child = wf_client.get_workflow_handle(negotiation_workflow_id(negotiation_id))
            end = EndNegotiation(outcome="abandoned", actor=f"staff:{staff.id}")
            await child.execute_update(END_NEGOTIATION_UPDATE, end, result_type=str)
            await child.result()
        for _ in range(200):
            if (await _status(handle)).open_negotiations == 0:
                break
            await asyncio.sleep(0.05)
        await handle.execute_update(CLOSE_UPDATE, close)
        await wait_for_messages(wf_settings, 5)
        assert _row(wf_settings, dossier.id).stage == Stage.CLOSED
        kinds = _kinds(wf_settings, dossier.id)
        assert "analysis_reminder" not in kinds and "analysis_task" not in kinds
        await finish_workflow(wf_client, handle)


async def test_without_approval_a_reminder_at_d7_then_a_task_at_d14(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = _complete_dossier(wf_settings, staff)
    record_budget(wf_settings, staff, dossier.id)
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await _reaches(handle, Stage.ANALYSIS)
        await _submit(handle, staff)
        submitted_at = (await _status(handle)).analysis_submitted_at
        assert submitted_at is not None
        await wait_for_messages(wf_settings, 2)

        await time_env.sleep(timedelta(days=6, hours=23))
        assert _with_subject(received(wf_settings), REMINDER_SUBJECT) == []

        await time_env.sleep(timedelta(hours=2))
        messages = await wait_for_messages(wf_settings, 3)
        [reminder] = _with_subject(messages, REMINDER_SUBJECT)
        _link(reminder)
        _assert_no_figure(wf_settings, reminder)
        row = _row(wf_settings, dossier.id)
        assert row.stage == Stage.AWAITING_APPROVAL
        assert row.next_deadline_label == TASK_DUE_LABEL
        assert "analysis_reminder" in _kinds(wf_settings, dossier.id)

        await time_env.sleep(timedelta(days=7))
        row = _row(wf_settings, dossier.id)
        assert row.next_deadline_label == TASK_LABEL
        assert row.next_deadline is not None
        task_due = submitted_at + timedelta(days=14)
        assert abs(row.next_deadline.replace(tzinfo=task_due.tzinfo) - task_due) < timedelta(1)
        [task] = [e for e in _timeline(wf_settings, dossier.id) if e.kind == "analysis_task"]
        assert "contacter le client" in task.summary
        status = await _status(handle)
        assert (status.stage, status.next_deadline_label) == (Stage.AWAITING_APPROVAL, TASK_LABEL)

        await time_env.sleep(timedelta(days=20))
        assert len(_with_subject(received(wf_settings), REMINDER_SUBJECT)) == 1
        assert _kinds(wf_settings, dossier.id).count("analysis_task") == 1
        # Closing while the client's answer is awaited.
        await handle.execute_update(
            CLOSE_UPDATE, CloseDossier(outcome=Outcome.UNREACHABLE, actor=f"staff:{staff.id}")
        )
        assert _row(wf_settings, dossier.id).stage == Stage.CLOSED
        assert (await _status(handle)).stage == Stage.CLOSED
        await finish_workflow(wf_client, handle)


@pytest.mark.parametrize("max_cached_workflows", [1000, 0], ids=["cached", "no-cache"])
async def test_a_revision_restarts_the_timers_and_only_the_latest_can_be_approved(
    time_env: WorkflowEnvironment,
    wf_client: Client,
    wf_settings: Settings,
    max_cached_workflows: int,
) -> None:
    staff = make_staff(wf_settings)
    dossier = _complete_dossier(wf_settings, staff)
    record_budget(wf_settings, staff, dossier.id)
    async with build_worker(wf_client, wf_settings, max_cached_workflows=max_cached_workflows):
        handle = await _start(wf_client, wf_settings, dossier)
        await _reaches(handle, Stage.ANALYSIS)
        # Two clicks on "send": one submission, the other refused while it is under way.
        outcomes = await asyncio.gather(
            _submit(handle, staff), _submit(handle, staff), return_exceptions=True
        )
        [first] = [o for o in outcomes if isinstance(o, SubmissionResult)]
        [double] = [o for o in outcomes if isinstance(o, WorkflowUpdateFailedError)]
        assert first.submission == 1 and SUBMISSION_IN_PROGRESS in str(double.cause)
        [first_email] = _with_subject(await wait_for_messages(wf_settings, 2), READY_SUBJECT)

        await time_env.sleep(timedelta(days=5))
        assert (await _submit(handle, staff)).submission == 2
        revised_at = (await _status(handle)).analysis_submitted_at
        messages = await wait_for_messages(wf_settings, 3)
        revision = _with_subject(messages, READY_SUBJECT)[-1]
        assert "remplace la précédente" in revision.text
        assert _link(revision) != _link(first_email)

        # D+7 of the first submission: nothing, the revision restarted the clock.
        await time_env.sleep(timedelta(days=2, hours=1))
        assert _with_subject(received(wf_settings), REMINDER_SUBJECT) == []
        # D+7 of the revision.
        await time_env.sleep(timedelta(days=5))
        [reminder] = _with_subject(await wait_for_messages(wf_settings, 4), REMINDER_SUBJECT)
        assert _link(reminder) != _link(first_email)
        row = _row(wf_settings, dossier.id)
        assert revised_at is not None and row.next_deadline is not None
        task_due = revised_at + timedelta(days=14)
        assert abs(row.next_deadline.replace(tzinfo=task_due.tzinfo) - task_due) < timedelta(1)

        stale = ApprovalRecord(actor=f"staff:{staff.id}", channel="phone", submission=1)
        assert "n'est pas la dernière" in await _refusal(handle, RECORD_APPROVAL_UPDATE, stale)
        async with _web(wf_settings, time_env) as web:
            old_page = await _page(web, _link(first_email))
            assert old_page.status_code == 409
            assert "version mise à jour" in old_page.text
        assert (await _status(handle)).stage == Stage.AWAITING_APPROVAL

        phone = ApprovalRecord(actor=f"staff:{staff.id}", channel="phone", submission=2)
        assert await handle.execute_update(RECORD_APPROVAL_UPDATE, phone) == Stage.APPROVED
        [approved] = [
            e for e in _timeline(wf_settings, dossier.id) if e.kind == "analysis_approved"
        ]
        assert "par téléphone" in approved.summary and approved.actor == f"staff:{staff.id}"
        await time_env.sleep(timedelta(days=20))
        assert "analysis_task" not in _kinds(wf_settings, dossier.id)
        assert len(received(wf_settings)) == 4
        await finish_workflow(wf_client, handle)


async def test_refused_updates_and_closure_during_the_analysis(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = make_dossier(wf_settings, staff, intake(documents=(DocumentKind.IDENTITY,)))
    record_budget(wf_settings, staff, dossier.id)
    actor = f"staff:{staff.id}"
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await wait_for_messages(wf_settings, 1)
        assert DOCUMENTS_NOT_COMPLETE in await _refusal(
            handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor)
        )
        approval = ApprovalRecord(actor=actor, channel="phone", submission=1)
        assert NOTHING_SUBMITTED in await _refusal(handle, RECORD_APPROVAL_UPDATE, approval)

        _upload_identity(wf_settings, staff, dossier)
        await handle.execute_update(DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor))
        await _reaches(handle, Stage.ANALYSIS)
        kinds = _kinds(wf_settings, dossier.id)
        assert kinds.index("documents_complete") < kinds.index("analysis_started")
        assert NOTHING_SUBMITTED in await _refusal(handle, RECORD_APPROVAL_UPDATE, approval)
        unknown = ApprovalRecord(actor=actor, channel="pigeon", submission=1)
        assert "Canal de validation inconnu" in await _refusal(
            handle, RECORD_APPROVAL_UPDATE, unknown
        )

        await handle.execute_update(CLOSE_UPDATE, CloseDossier(Outcome.ABANDONED, actor))
        assert _row(wf_settings, dossier.id).stage == Stage.CLOSED
        assert "clôturé" in await _refusal(handle, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor))
        assert "clôturé" in await _refusal(handle, RECORD_APPROVAL_UPDATE, approval)
        closure = (await wait_for_messages(wf_settings, 2))[-1]
        assert "clôture" in closure.subject
        assert _with_subject(received(wf_settings), READY_SUBJECT) == []
        await finish_workflow(wf_client, handle)


async def test_a_client_without_email_leaves_the_case_worker_a_note_instead(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    staff = make_staff(wf_settings)
    dossier = _complete_dossier(wf_settings, staff)
    record_budget(wf_settings, staff, dossier.id)
    async with build_worker(wf_client, wf_settings):
        handle = await _start(wf_client, wf_settings, dossier)
        await _reaches(handle, Stage.ANALYSIS)
        with session_scope(wf_settings) as session:
            client = session.get(ClientRow, dossier.client_id)
            assert client is not None
            client.email_enc = None
            session.add(client)
        result = await _submit(handle, staff)
        assert result == SubmissionResult(submission=1, client_notified=False)
        assert (await _status(handle)).stage == Stage.AWAITING_APPROVAL
        [note] = [e for e in _timeline(wf_settings, dossier.id) if e.kind == "email_failed"]
        assert "par un autre moyen" in note.summary

        await time_env.sleep(timedelta(days=7, hours=1))
        [reminder] = [
            e for e in _timeline(wf_settings, dossier.id) if e.kind == "analysis_reminder"
        ]
        assert "Relance par e-mail impossible" in reminder.summary
        assert _with_subject(received(wf_settings), REMINDER_SUBJECT) == []
        await finish_workflow(wf_client, handle)
