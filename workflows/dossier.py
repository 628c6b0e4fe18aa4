"""DossierWorkflow: intake → documents → analysis and client approval → negotiations → closure →
retention wait → anonymisation.

Temporal owns where the dossier is in its life; the database owns its data. This code only
decides what happens next and asks activities to do it; the rules it follows (what an update may
do, its deadlines and their labels) are in domain/dossier_lifecycle.py and dossier_timeline.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import dossier as io
    from activities.contracts import negotiation as nio
    from domain.dossier_lifecycle import (
        NEGOTIATION_OF_ANOTHER_DOSSIER,
        SUBMISSION_IN_PROGRESS,
        ApprovalDelays,
        DossierState,
        add_negotiation_refusal,
        approval_refusal,
        close_refusal,
        closing_refusal,
        documents_changed_refusal,
        lift_hold_refusal,
        new_submission_refusal,
        place_hold_refusal,
        submission_refusal,
    )
    from domain.dossier_stages import APPROVAL_CHANNEL_LABELS_FR, ApprovalChannel, Stage
    from domain.dossier_timeline import (
        REMINDER_DUE_LABEL,
        TASK_DUE_LABEL,
        TASK_LABEL,
        approval_timetable,
        document_reminders,
        email_label,
        retention_deadline,
    )
    from domain.errors import MESSAGE_UNBUILDABLE
    from domain.french_text import counted
    from domain.retention import (
        RetentionPolicy,
        documents_expiry,
        history_expiry,
        next_wake,
    )
    from domain.workflow_ids import negotiation_workflow_id
    from workflows.dossier_messages import (
        CLOSE_UPDATE,
        DOCUMENTS_CHANGED_UPDATE,
        DOSSIER_WORKFLOW,
        LIFT_LEGAL_HOLD_UPDATE,
        PLACE_LEGAL_HOLD_UPDATE,
        RECORD_APPROVAL_UPDATE,
        STATUS_QUERY,
        SUBMIT_ANALYSIS_UPDATE,
        ApprovalRecord,
        CloseDossier,
        DocumentsChanged,
        DossierInput,
        DossierStatus,
        LegalHoldChange,
        RetentionState,
        SubmissionResult,
        SubmitAnalysis,
    )
    from workflows.negotiation_messages import (
        ADD_NEGOTIATION_UPDATE,
        NEGOTIATION_WORKFLOW,
        AddNegotiation,
        NegotiationInput,
    )
    from workflows.plumbing import (
        EMAIL,
        RENDERING,
        RETENTION_WORK,
        SHORT,
        apply_staged_write,
        business_refusal,
        publish_search_attributes,
        refusal_of,
        refuse_if,
        refused,
        reject_if,
        run,
        wait_until,
    )

# Running workflows recorded before the analysis phase existed replay the old path.
ANALYSIS_PATCH = "analysis-phase"
DOCUMENTS_RECHECK_PATCH = "documents-recheck"
# After the client's approval: one CreditorNegotiationWorkflow child per creditor.
NEGOTIATION_PATCH = "negotiation-phase"
# While documents are missing, the database is re-read this often: a document the web app
# stored but could not tell the workflow about (Temporal down) is not waited for forever.
DOCUMENTS_RECHECK = timedelta(days=1)
# The channels an approval may come through, as the message contract names them.
APPROVAL_CHANNELS = frozenset(ApprovalChannel)


@workflow.defn(name=DOSSIER_WORKFLOW)
class DossierWorkflow:
    # Receives the input before any update handler can run, so handlers know their dossier.
    @workflow.init
    def __init__(self, arg: DossierInput) -> None:
        retention = arg.retention
        # A retention hop: the state is known now, before any update can be handled.
        self._state = (
            DossierState(arg.dossier_id)
            if retention is None
            else DossierState.in_retention(
                arg.dossier_id,
                closed_at=retention.closed_at,
                documents_deleted=retention.documents_deleted,
                legal_hold=retention.legal_hold,
            )
        )
        # From the analysis phase on, steps that change the stage take the lock, so two of them
        # never write the read model at the same time.
        self._lock = asyncio.Lock()
        # One task per negotiation started: it notices when the child's workflow is over.
        self._watchers: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self, arg: DossierInput) -> str:
        facts = await self._facts()
        policy = RetentionPolicy(
            history_years=facts.history_retention_years,
            documents_years=facts.documents_retention_years,
            hop_days=facts.retention_hop_days,
        )
        if arg.retention is None:
            await self._open_phase(facts)
            await self._progress(
                "retention_started",
                Stage.CLOSED,
                "retention_started",
                "Conservation légale jusqu'à l'échéance, puis suppression des données",
            )
        return await self._retention_phase(policy)

    # ----- open dossier ---------------------------------------------------------------------

    async def _open_phase(self, facts: io.DossierFacts) -> None:
        state = self._state
        state.missing_documents = list(facts.missing_documents)
        if not state.closed:  # A close update may have been handled before this first step.
            await self._progress(
                "intake",
                Stage.AWAITING_DOCUMENTS if state.missing_documents else Stage.DOCUMENTS_COMPLETE,
                "dossier_opened",
                "Dossier ouvert, accusé de réception envoyé au client",
            )
        await self._email("acknowledgement", "acknowledgement")
        # Reminders count from the workflow's start (not from when a worker first picked it up),
        # on the clock its timers use.
        opened_at = workflow.info().workflow_start_time
        for number, due, label in document_reminders(opened_at, facts.reminder_days):
            if state.documents_settled:
                break
            await self._set_deadline(due, label)
            if await wait_until(due, lambda: state.documents_settled):
                break
            state.missing_documents = (await self._facts()).missing_documents
            if state.missing_documents and not state.closed:
                state.reminders_sent = number
                await self._email("document_reminder", f"document_reminder:{number}", number)
                await self._progress(
                    f"reminder:{number}",
                    Stage.AWAITING_DOCUMENTS,
                    "documents_reminder",
                    f"Relance n°{number} envoyée : "
                    + counted(len(state.missing_documents), "pièce manquante", "pièces manquantes"),
                )
        if not state.closed:
            if workflow.patched(ANALYSIS_PATCH):
                await self._analysis_phase()
                # Histories recorded before negotiations existed wait for closure as before.
                approved = state.approved_submission > 0 and not state.closed
                if approved and workflow.patched(NEGOTIATION_PATCH):
                    await self._negotiation_phase()
            else:
                await self._set_deadline(None, None)
            await workflow.wait_condition(lambda: state.closed)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._email("closure", "closure")

    # ----- analysis and client approval -------------------------------------------------------

    async def _analysis_phase(self) -> None:
        """Complete documents → the case worker's analysis → the client's approval.

        Returns once the client approved or the dossier was closed; each submission (a revision
        too) restarts the reminder and the case worker's task, counted from that submission.
        """
        state = self._state
        state.analysis_started = True
        if state.missing_documents:
            await self._set_deadline(None, None)
            if workflow.patched(DOCUMENTS_RECHECK_PATCH):
                await self._await_documents()
            else:
                await workflow.wait_condition(lambda: state.documents_settled)
        # The update that completed the documents records that step before this one.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if state.closed:
            return
        facts = await run(io.LOAD_ANALYSIS_FACTS, io.DossierRef(state.dossier_id), SHORT)
        delays = ApprovalDelays(facts.reminder_days, facts.task_days)
        state.approval_delays = delays
        async with self._lock:
            if state.closed:
                return
            state.next_deadline, state.next_deadline_label = None, None
            await self._progress(
                "analysis",
                Stage.ANALYSIS,
                "analysis_started",
                "Pièces complètes : analyse budgétaire et proposition de stratégie à préparer",
            )
        await self._await_approval(delays)

    async def _await_documents(self) -> None:
        """Until the documents are complete; re-read daily in case a notice from the web app was
        lost (it commits the document first, then tells the workflow)."""
        state = self._state
        while not state.documents_settled:
            recheck_at = workflow.now() + DOCUMENTS_RECHECK
            if not await wait_until(recheck_at, lambda: state.documents_settled):
                state.missing_documents = (await self._facts()).missing_documents

    async def _await_approval(self, delays: ApprovalDelays) -> None:
        state = self._state
        await workflow.wait_condition(lambda: state.analysis_over or state.submission > 0)
        while not state.analysis_over:
            await self._await_approval_of(state.submission, delays)

    async def _await_approval_of(self, submission: int, delays: ApprovalDelays) -> None:
        """Until this submission is approved or replaced by a revision, or the dossier closed."""
        state = self._state
        assert state.submitted_at is not None
        reminder_at, task_at = approval_timetable(state.submitted_at, delays)

        def moved() -> bool:
            return state.analysis_over or state.submission != submission

        if not await wait_until(reminder_at, moved):
            await self._approval_reminder(submission, task_at, moved)
            if not await wait_until(task_at, moved):
                await self._approval_task(submission, task_at, delays.task_days, moved)
        await workflow.wait_condition(moved)

    async def _approval_reminder(
        self, submission: int, task_at: datetime, moved: Callable[[], bool]
    ) -> None:
        async with self._lock:
            if moved():
                return
            notified = await self._analysis_email(
                "analysis_reminder", f"analysis_reminder:{submission}", submission
            )
            self._state.next_deadline, self._state.next_deadline_label = task_at, TASK_DUE_LABEL
            await self._progress(
                f"analysis_reminder:{submission}",
                self._state.stage,
                "analysis_reminder",
                "Relance envoyée au client : l'analyse attend toujours sa validation"
                if notified
                else "Relance par e-mail impossible (adresse absente ou refusée) : contactez le "
                "client par un autre moyen",
            )

    async def _approval_task(
        self, submission: int, task_at: datetime, days: int, moved: Callable[[], bool]
    ) -> None:
        async with self._lock:
            if moved():
                return
            self._state.next_deadline, self._state.next_deadline_label = task_at, TASK_LABEL
            await self._progress(
                f"analysis_task:{submission}",
                self._state.stage,
                "analysis_task",
                f"À faire : contacter le client, l'analyse n'est pas validée après {days} jours",
            )

    @workflow.update(name=SUBMIT_ANALYSIS_UPDATE)
    async def submit_analysis(self, request: SubmitAnalysis) -> SubmissionResult:
        state = self._state
        # Set before the first await: a second submission accepted at the same time sees it.
        if state.submitting:
            raise refused(SUBMISSION_IN_PROGRESS)
        state.submitting = True
        try:
            async with self._lock:
                refuse_if(submission_refusal(state))
                return await self._submit(request)
        finally:
            state.submitting = False

    @submit_analysis.validator
    def _validate_submit_analysis(self, request: SubmitAnalysis) -> None:
        reject_if(new_submission_refusal(self._state))

    async def _submit(self, request: SubmitAnalysis) -> SubmissionResult:
        state = self._state
        number = state.submission + 1
        try:
            submitted = await run(
                io.SUBMIT_ANALYSIS,
                io.AnalysisSubmission(state.dossier_id, number, request.actor),
                RENDERING,
            )
        except ActivityError as exc:
            # No budget or no strategy: this update fails with the reason, nothing changed.
            raise refusal_of(exc) from None
        assert state.approval_delays is not None
        state.submission, state.submitted_at = number, workflow.now()
        state.report_id = submitted.report_document_id
        state.next_deadline = approval_timetable(
            state.submitted_at, state.approval_delays
        ).reminder_at
        state.next_deadline_label = REMINDER_DUE_LABEL
        await self._progress(
            f"analysis_submitted:{number}",
            Stage.AWAITING_APPROVAL,
            "analysis_submitted",
            "Analyse et stratégie envoyées au client pour validation"
            + (f" (version révisée n°{number})" if number > 1 else ""),
            actor=request.actor,
        )
        notified = await self._analysis_email("analysis_ready", f"analysis_ready:{number}", number)
        if not notified:
            await self._progress(
                f"analysis_not_notified:{number}",
                state.stage,
                "email_failed",
                "Le courriel annonçant l'analyse n'a pas pu être remis : prévenez le client "
                "par un autre moyen",
            )
        return SubmissionResult(submission=number, client_notified=notified)

    @workflow.update(name=RECORD_APPROVAL_UPDATE)
    async def record_approval(self, approval: ApprovalRecord) -> str:
        state = self._state
        async with self._lock:
            # Checked again here: a revision or a closure may have come first.
            refuse_if(self._approval_refusal(approval))
            approved_at = workflow.now()
            try:
                await run(
                    io.RECORD_ANALYSIS_APPROVAL,
                    io.AnalysisApproval(
                        dossier_id=state.dossier_id,
                        submission=approval.submission,
                        channel=approval.channel,
                        actor=approval.actor,
                        approved_at=approved_at,
                    ),
                    SHORT,
                )
            except ActivityError as exc:
                raise refusal_of(exc) from None
            state.approved_submission = approval.submission
            state.approved_at, state.approval_channel = approved_at, approval.channel
            state.next_deadline, state.next_deadline_label = None, None
            channel = APPROVAL_CHANNEL_LABELS_FR[ApprovalChannel(approval.channel)]
            await self._progress(
                "analysis_approved",
                Stage.APPROVED,
                "analysis_approved",
                f"Stratégie validée par le client {channel}",
                actor=approval.actor,
            )
        return state.stage.value

    @record_approval.validator
    def _validate_record_approval(self, approval: ApprovalRecord) -> None:
        reject_if(self._approval_refusal(approval))

    def _approval_refusal(self, approval: ApprovalRecord) -> str | None:
        return approval_refusal(
            self._state, approval.channel, approval.submission, APPROVAL_CHANNELS
        )

    async def _analysis_email(self, template: str, key: str, submission: int) -> bool:
        """Send; False when it cannot be delivered (no address, address refused)."""
        try:
            outcome = await run(
                io.SEND_CLIENT_EMAIL,
                io.ClientEmail(
                    dossier_id=self._state.dossier_id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{key}",
                    submission=submission,
                ),
                EMAIL,
            )
        except ActivityError:
            return False
        return bool(outcome.message_id)

    # ----- negotiations -----------------------------------------------------------------------

    async def _negotiation_phase(self) -> None:
        """One negotiation per creditor of the dossier, each its own child workflow."""
        state = self._state
        opened = await run(nio.OPEN_NEGOTIATIONS, io.DossierRef(state.dossier_id), SHORT)
        async with self._lock:
            if state.closed or not opened.negotiation_ids:
                return
            for negotiation_id in opened.negotiation_ids:
                await self._start_negotiation(negotiation_id)
            await self._progress(
                "negotiation",
                Stage.NEGOTIATION,
                "negotiation_started",
                f"Négociation avec {counted(len(opened.negotiation_ids), 'créancier')}",
            )

    async def _start_negotiation(self, negotiation_id: str) -> None:
        handle = await workflow.start_child_workflow(
            NEGOTIATION_WORKFLOW,
            NegotiationInput(negotiation_id=negotiation_id, dossier_id=self._state.dossier_id),
            id=negotiation_workflow_id(negotiation_id),
            result_type=str,
        )
        self._state.negotiations.append(negotiation_id)
        self._state.open_negotiations.add(negotiation_id)
        self._watchers.append(asyncio.create_task(self._watch(negotiation_id, handle)))

    async def _watch(
        self, negotiation_id: str, handle: workflow.ChildWorkflowHandle[Any, str]
    ) -> None:
        """The negotiation no longer holds the dossier open once its workflow is over (ended,
        or stopped by an operator)."""
        with contextlib.suppress(ChildWorkflowError):
            await handle
        self._state.open_negotiations.discard(negotiation_id)

    @workflow.update(name=ADD_NEGOTIATION_UPDATE)
    async def add_negotiation(self, request: AddNegotiation) -> int:
        """A creditor added once negotiations had started: its row is written first."""
        state = self._state
        async with self._lock:
            refuse_if(add_negotiation_refusal(state, request.negotiation_id))
            await apply_staged_write(request.staged_write_id, state.dossier_id)
            opened = await run(nio.OPEN_NEGOTIATIONS, io.DossierRef(state.dossier_id), SHORT)
            if request.negotiation_id not in opened.negotiation_ids:
                raise refused(NEGOTIATION_OF_ANOTHER_DOSSIER)
            await self._start_negotiation(request.negotiation_id)
            await self._progress(
                f"negotiation_added:{request.negotiation_id}",
                Stage.NEGOTIATION,
                "negotiation_added",
                f"Négociation ajoutée : {counted(len(state.negotiations), 'créancier')} au total",
                actor=request.actor,
            )
        return len(state.open_negotiations)

    @add_negotiation.validator
    def _validate_add_negotiation(self, request: AddNegotiation) -> None:
        reject_if(add_negotiation_refusal(self._state, request.negotiation_id))

    # ----- documents, closure, legal hold ------------------------------------------------------

    @workflow.update(name=DOCUMENTS_CHANGED_UPDATE)
    async def documents_changed(self, change: DocumentsChanged) -> list[str]:
        state = self._state
        facts = await self._facts()
        state.missing_documents = facts.missing_documents
        if not state.missing_documents and state.stage == Stage.AWAITING_DOCUMENTS:
            await self._progress(
                "documents_complete",
                Stage.DOCUMENTS_COMPLETE,
                "documents_complete",
                "Toutes les pièces attendues ont été reçues",
                actor=change.actor,
            )
        return state.missing_documents

    @documents_changed.validator
    def _validate_documents_changed(self, change: DocumentsChanged) -> None:
        reject_if(documents_changed_refusal(self._state))

    def _serialised(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The lock from the analysis phase on; before it nothing else takes it, and histories
        recorded before it existed replay with the closure running as it always did."""
        return self._lock if self._state.analysis_started else contextlib.nullcontext()

    @workflow.update(name=CLOSE_UPDATE)
    async def close(self, request: CloseDossier) -> str:
        state = self._state
        async with self._serialised():
            # Another close was accepted at the same time and went first, or a negotiation was
            # added meanwhile.
            refuse_if(closing_refusal(state))
            await apply_staged_write(request.staged_write_id, state.dossier_id)
            closed_at = workflow.now()
            state.closed_at = closed_at
            state.outcome = request.outcome
            await run(
                io.RECORD_CLOSURE,
                io.ClosureRecord(state.dossier_id, request.outcome, closed_at, request.actor),
                SHORT,
            )
            state.stage = Stage.CLOSED
            await self._set_deadline(None, None)
        return state.stage.value

    @close.validator
    def _validate_close(self, request: CloseDossier) -> None:
        reject_if(close_refusal(self._state, request.outcome))

    @workflow.update(name=PLACE_LEGAL_HOLD_UPDATE)
    async def place_legal_hold(self, change: LegalHoldChange) -> bool:
        # Set before the first await: a second request accepted meanwhile is refused.
        self._state.legal_hold = True
        try:
            await apply_staged_write(change.staged_write_id, self._state.dossier_id)
        except ApplicationError:
            self._state.legal_hold = False
            raise
        await self._record_hold(change)
        return True

    @place_legal_hold.validator
    def _validate_place_hold(self, change: LegalHoldChange) -> None:
        reject_if(place_hold_refusal(self._state))

    @workflow.update(name=LIFT_LEGAL_HOLD_UPDATE)
    async def lift_legal_hold(self, change: LegalHoldChange) -> bool:
        self._state.legal_hold = False
        await self._record_hold(change)
        return False

    @lift_legal_hold.validator
    def _validate_lift_hold(self, change: LegalHoldChange) -> None:
        reject_if(lift_hold_refusal(self._state))

    async def _record_hold(self, change: LegalHoldChange) -> None:
        state = self._state
        await run(
            io.SET_LEGAL_HOLD,
            io.LegalHoldRecord(state.dossier_id, state.legal_hold, change.actor),
            SHORT,
        )

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> DossierStatus:
        state = self._state
        return DossierStatus(
            stage=state.stage.value,
            missing_documents=list(state.missing_documents),
            reminders_sent=state.reminders_sent,
            closed_at=state.closed_at,
            next_deadline=state.next_deadline,
            next_deadline_label=state.next_deadline_label,
            legal_hold=state.legal_hold,
            documents_deleted=state.documents_deleted,
            analysis_submission=state.submission,
            analysis_submitted_at=state.submitted_at,
            analysis_report_id=state.report_id,
            approved_submission=state.approved_submission,
            approved_at=state.approved_at,
            approval_channel=state.approval_channel,
            open_negotiations=len(state.open_negotiations),
        )

    # ----- retention ---------------------------------------------------------------------------

    async def _retention_phase(self, policy: RetentionPolicy) -> str:
        """One hop: do what is due, wait at most one hop, continue as new."""
        state = self._state
        assert state.closed_at is not None
        history_due = history_expiry(state.closed_at, policy)
        documents_due = None if state.documents_deleted else await self._documents_due(policy)
        if not state.legal_hold:
            state.deleting = True
            if documents_due is not None and workflow.now() >= documents_due:
                await self._delete_documents()
                documents_due = None
            if workflow.now() >= history_due:
                await self._anonymise()
                await workflow.wait_condition(workflow.all_handlers_finished)
                return Stage.ANONYMISED.value
            state.deleting = False
        now = workflow.now()
        wake = next_wake(now, [d for d in (history_due, documents_due) if d], policy)
        await self._set_deadline(*retention_deadline(state, history_due, documents_due, wake))
        # A hold lifted mid-hop ends the wait early, so an expired dossier does not linger.
        held_at_start = state.legal_hold
        await wait_until(wake, lambda: held_at_start and not state.legal_hold)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            DossierInput(
                dossier_id=state.dossier_id,
                retention=RetentionState(
                    closed_at=state.closed_at,
                    documents_deleted=state.documents_deleted,
                    legal_hold=state.legal_hold,
                ),
            )
        )

    async def _documents_due(self, policy: RetentionPolicy) -> datetime | None:
        state = self._state
        end = await run(io.RELATIONSHIP_END, io.DossierRef(state.dossier_id), SHORT)
        if end.ended_at is None:
            return None
        assert state.closed_at is not None
        return documents_expiry(max(end.ended_at, state.closed_at), policy)

    async def _delete_documents(self) -> None:
        ref = io.DossierRef(self._state.dossier_id)
        deletion = await run(io.DELETE_DOSSIER_DOCUMENTS, ref, RETENTION_WORK)
        self._state.documents_deleted = True
        await self._progress(
            "documents_deleted",
            Stage.CLOSED,
            "documents_deleted",
            f"Pièces justificatives supprimées ({deletion.deleted}) à l'échéance de conservation",
        )

    async def _anonymise(self) -> None:
        await run(io.ANONYMISE_DOSSIER, io.DossierRef(self._state.dossier_id), RETENTION_WORK)
        self._state.documents_deleted = True
        self._state.stage = Stage.ANONYMISED
        publish_search_attributes(Stage.ANONYMISED.value, None)

    # ----- the read model and the client's emails -----------------------------------------------

    async def _facts(self) -> io.DossierFacts:
        return await run(io.LOAD_DOSSIER_FACTS, io.DossierRef(self._state.dossier_id), SHORT)

    async def _progress(
        self, event: str, stage: Stage, kind: str, summary: str, actor: str = "system"
    ) -> None:
        """The dossier moves to `stage`: one timeline entry for `event`, the read model's stage
        and next deadline, the search attributes."""
        state = self._state
        state.stage = stage
        await run(
            io.RECORD_PROGRESS,
            io.ProgressRecord(
                dossier_id=state.dossier_id,
                event_key=f"{workflow.info().workflow_id}:{event}",
                stage=stage.value,
                event_kind=kind,
                summary=summary,
                next_deadline=state.next_deadline,
                next_deadline_label=state.next_deadline_label,
                actor=actor,
            ),
            SHORT,
        )
        publish_search_attributes(state.stage.value, state.next_deadline)

    async def _set_deadline(self, moment: datetime | None, label: str | None) -> None:
        """The next deadline changes, nothing else: no timeline entry."""
        state = self._state
        state.next_deadline, state.next_deadline_label = moment, label
        await run(
            io.RECORD_PROGRESS,
            io.ProgressRecord(
                dossier_id=state.dossier_id,
                event_key="",
                stage=state.stage.value,
                event_kind="",
                summary="",
                next_deadline=moment,
                next_deadline_label=label,
            ),
            SHORT,
        )
        publish_search_attributes(state.stage.value, moment)

    async def _email(self, template: str, key: str, reminder_number: int = 0) -> None:
        """Send; a message that cannot be delivered (address refused) never ends the dossier's
        life: the case worker is told to reach the client another way."""
        try:
            await run(
                io.SEND_CLIENT_EMAIL,
                io.ClientEmail(
                    dossier_id=self._state.dossier_id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{key}",
                    reminder_number=reminder_number,
                ),
                EMAIL,
            )
        except ActivityError as exc:
            cause = business_refusal(exc)
            unbuildable = cause is not None and cause.type == MESSAGE_UNBUILDABLE
            why = cause.message if cause and unbuildable else "l'adresse du client est refusée"
            await self._progress(
                f"email_failed:{key}",
                self._state.stage,
                "email_failed",
                f"Courriel non remis ({email_label(template)}) : {why}, le contacter autrement",
            )
