"""DossierWorkflow: intake → documents → analysis and client approval → closure → retention
wait → anonymisation.

Temporal owns where the dossier is in its life; the database owns its data. This code only
decides what happens next and asks activities to do it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import dossier as io
    from activities.contracts import negotiation as nio
    from domain.dossier_stages import OPEN_STAGES, Outcome, Stage
    from domain.retention import (
        RetentionPolicy,
        documents_expiry,
        history_expiry,
        next_wake,
    )
    from domain.workflow_ids import negotiation_workflow_id
    from workflows.dossier_messages import (
        APPROVAL_CHANNEL_LABELS_FR,
        CLOSE_UPDATE,
        DOCUMENTS_CHANGED_UPDATE,
        DOSSIER_WORKFLOW,
        LIFT_LEGAL_HOLD_UPDATE,
        PLACE_LEGAL_HOLD_UPDATE,
        RECORD_APPROVAL_UPDATE,
        STATUS_QUERY,
        SUBMIT_ANALYSIS_UPDATE,
        ApprovalChannel,
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
        publish_search_attributes,
        refusal_of,
        refused,
        run,
    )

# Running workflows recorded before the analysis phase existed replay the old path.
ANALYSIS_PATCH = "analysis-phase"
DOCUMENTS_RECHECK_PATCH = "documents-recheck"
# After the client's approval: one CreditorNegotiationWorkflow child per creditor.
NEGOTIATION_PATCH = "negotiation-phase"
DOCUMENTS_RECHECK = timedelta(days=1)
EMAIL_LABELS_FR = {
    "acknowledgement": "accusé de réception",
    "document_reminder": "relance des pièces",
    "closure": "avis de clôture",
}
ANALYSIS_STAGES = frozenset({Stage.ANALYSIS, Stage.AWAITING_APPROVAL})

REMINDER_DUE_LABEL = "Relance du client si l'analyse n'est pas validée"
TASK_DUE_LABEL = "Contacter le client si l'analyse n'est toujours pas validée"
TASK_LABEL = "Contacter le client : validation de l'analyse en attente"

DOCUMENTS_NOT_COMPLETE = (
    "Les pièces du dossier ne sont pas encore complètes : l'analyse ne peut pas encore être "
    "envoyée au client."
)
ALREADY_APPROVED = "Le client a déjà validé la stratégie : rien n'a été modifié."
CLOSED_NO_ANALYSIS = "Ce dossier est clôturé : l'analyse ne peut plus être envoyée ni validée."
SUBMISSION_IN_PROGRESS = (
    "Un envoi de l'analyse au client est en cours : patientez quelques instants, puis "
    "rechargez la page."
)
NOTHING_SUBMITTED = "Aucune analyse n'a encore été envoyée au client : il n'y a rien à valider."
NOT_NEGOTIATING = (
    "Les négociations de ce dossier n'ont pas commencé : la stratégie doit d'abord être validée "
    "par le client."
)
NEGOTIATION_ALREADY_RUNNING = "Cette négociation est déjà ouverte pour ce dossier."
NEGOTIATION_OF_ANOTHER_DOSSIER = "Cette négociation n'appartient pas à ce dossier."


def negotiations_open_refusal(count: int) -> str:
    return (
        f"{count} négociation(s) encore en cours : terminez-les ou abandonnez-les (avec un "
        "motif) avant de clôturer le dossier."
    )


@workflow.defn(name=DOSSIER_WORKFLOW)
class DossierWorkflow:
    # Receives the input before any update handler can run, so handlers know their dossier.
    @workflow.init
    def __init__(self, arg: DossierInput) -> None:
        self._dossier_id = arg.dossier_id
        self._stage = Stage.INTAKE
        self._missing: list[str] = []
        self._reminders_sent = 0
        self._closed_at: datetime | None = None
        self._outcome: str | None = None
        self._legal_hold = False
        self._documents_deleted = False
        self._next_deadline: datetime | None = None
        self._next_deadline_label: str | None = None
        # Analysis phase. From its start, steps that change the stage take the lock, so two of
        # them never write the read model at the same time.
        self._lock = asyncio.Lock()
        self._analysis_started = False
        self._approval_delays: io.AnalysisFacts | None = None
        self._submitting = False
        self._submission = 0
        self._submitted_at: datetime | None = None
        self._report_id: str | None = None
        self._approved_submission = 0
        self._approved_at: datetime | None = None
        self._approval_channel: str | None = None
        # Negotiation phase: every child started, and those that have not ended yet.
        self._negotiations: list[str] = []
        self._open_negotiations: set[str] = set()
        self._watchers: list[asyncio.Task[None]] = []
        # Set while retention deletes data: a legal hold asked for then comes too late.
        self._deleting = False
        if arg.retention is not None:
            # A retention hop: the state is known now, before any update can be handled.
            self._stage = Stage.CLOSED
            self._closed_at = arg.retention.closed_at
            self._legal_hold = arg.retention.legal_hold
            self._documents_deleted = arg.retention.documents_deleted

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
        self._missing = list(facts.missing_documents)
        if not self._closed_at:  # A close update may have been handled before this first step.
            await self._progress(
                "intake",
                Stage.AWAITING_DOCUMENTS if self._missing else Stage.DOCUMENTS_COMPLETE,
                "dossier_opened",
                "Dossier ouvert, accusé de réception envoyé au client",
            )
        await self._email("acknowledgement", "acknowledgement")
        # Reminders count from the workflow's start (not from when a worker first picked it up),
        # on the clock its timers use.
        opened_at = workflow.info().workflow_start_time
        for number, day in enumerate(facts.reminder_days, start=1):
            due = opened_at + timedelta(days=day)
            if not self._missing or self._closed_at:
                break
            await self._set_deadline(due, f"Relance n°{number} si des pièces manquent")
            if await self._wait_until(due, lambda: not self._missing or bool(self._closed_at)):
                break
            self._missing = (await self._facts()).missing_documents
            if self._missing and not self._closed_at:
                self._reminders_sent = number
                await self._email("document_reminder", f"document_reminder:{number}", number)
                await self._progress(
                    f"reminder:{number}",
                    Stage.AWAITING_DOCUMENTS,
                    "documents_reminder",
                    f"Relance n°{number} envoyée : {len(self._missing)} pièce(s) manquante(s)",
                )
        if not self._closed_at:
            if workflow.patched(ANALYSIS_PATCH):
                await self._analysis_phase()
                # Histories recorded before negotiations existed wait for closure as before.
                approved = self._approved_submission > 0 and not self._closed_at
                if approved and workflow.patched(NEGOTIATION_PATCH):
                    await self._negotiation_phase()
            else:
                await self._set_deadline(None, None)
            await workflow.wait_condition(lambda: bool(self._closed_at))
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._email("closure", "closure")

    async def _wait_until(self, moment: datetime, condition: object) -> bool:
        """Wait for `condition` until `moment`; True if it came true first."""
        remaining = moment - workflow.now()
        if remaining <= timedelta(0):
            return False
        try:
            await workflow.wait_condition(condition, timeout=remaining)  # type: ignore[arg-type]
        except TimeoutError:
            return False
        return True

    # ----- analysis and client approval -------------------------------------------------------

    async def _analysis_phase(self) -> None:
        """Complete documents → the case worker's analysis → the client's approval.

        Returns once the client approved or the dossier was closed; each submission (a revision
        too) restarts the reminder and the case worker's task, counted from that submission.
        """
        self._analysis_started = True
        if self._missing:
            await self._set_deadline(None, None)
            if workflow.patched(DOCUMENTS_RECHECK_PATCH):
                await self._await_documents()
            else:
                await workflow.wait_condition(lambda: not self._missing or bool(self._closed_at))
        # The update that completed the documents records that step before this one.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._closed_at:
            return
        self._approval_delays = await run(
            io.LOAD_ANALYSIS_FACTS, io.DossierRef(self._dossier_id), SHORT
        )
        async with self._lock:
            if self._closed_at:
                return
            self._next_deadline, self._next_deadline_label = None, None
            await self._progress(
                "analysis",
                Stage.ANALYSIS,
                "analysis_started",
                "Pièces complètes : analyse budgétaire et proposition de stratégie à préparer",
            )
        await self._await_approval(self._approval_delays)

    async def _await_approval(self, delays: io.AnalysisFacts) -> None:
        await workflow.wait_condition(lambda: self._analysis_over() or self._submission > 0)
        while not self._analysis_over():
            await self._await_approval_of(self._submission, delays)

    async def _await_approval_of(self, submission: int, delays: io.AnalysisFacts) -> None:
        """Until this submission is approved or replaced by a revision, or the dossier closed."""
        assert self._submitted_at is not None
        reminder_at = self._submitted_at + timedelta(days=delays.reminder_days)
        task_at = self._submitted_at + timedelta(days=delays.task_days)

        def moved() -> bool:
            return self._analysis_over() or self._submission != submission

        if not await self._wait_until(reminder_at, moved):
            await self._approval_reminder(submission, task_at, moved)
            if not await self._wait_until(task_at, moved):
                await self._approval_task(submission, task_at, delays.task_days, moved)
        await workflow.wait_condition(moved)

    def _analysis_over(self) -> bool:
        return bool(self._closed_at) or self._approved_submission > 0

    async def _approval_reminder(
        self, submission: int, task_at: datetime, moved: Callable[[], bool]
    ) -> None:
        async with self._lock:
            if moved():
                return
            notified = await self._analysis_email(
                "analysis_reminder", f"analysis_reminder:{submission}", submission
            )
            self._next_deadline, self._next_deadline_label = task_at, TASK_DUE_LABEL
            await self._progress(
                f"analysis_reminder:{submission}",
                self._stage,
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
            self._next_deadline, self._next_deadline_label = task_at, TASK_LABEL
            await self._progress(
                f"analysis_task:{submission}",
                self._stage,
                "analysis_task",
                f"À faire : contacter le client, l'analyse n'est pas validée après {days} jours",
            )

    @workflow.update(name=SUBMIT_ANALYSIS_UPDATE)
    async def submit_analysis(self, request: SubmitAnalysis) -> SubmissionResult:
        # Set before the first await: a second submission accepted at the same time sees it.
        if self._submitting:
            raise refused(SUBMISSION_IN_PROGRESS)
        self._submitting = True
        try:
            async with self._lock:
                refusal = self._submission_refusal()
                if refusal:
                    raise refused(refusal)
                return await self._submit(request)
        finally:
            self._submitting = False

    @submit_analysis.validator
    def _validate_submit_analysis(self, request: SubmitAnalysis) -> None:
        refusal = SUBMISSION_IN_PROGRESS if self._submitting else self._submission_refusal()
        if refusal:
            raise ValueError(refusal)

    def _submission_refusal(self) -> str | None:
        if self._closed_at or self._stage not in OPEN_STAGES:
            return CLOSED_NO_ANALYSIS
        if self._stage in (Stage.APPROVED, Stage.NEGOTIATION):
            return ALREADY_APPROVED
        if self._stage not in ANALYSIS_STAGES:
            return DOCUMENTS_NOT_COMPLETE
        return None

    async def _submit(self, request: SubmitAnalysis) -> SubmissionResult:
        number = self._submission + 1
        try:
            submitted = await run(
                io.SUBMIT_ANALYSIS,
                io.AnalysisSubmission(self._dossier_id, number, request.actor),
                RENDERING,
            )
        except ActivityError as exc:
            # No budget or no strategy: this update fails with the reason, nothing changed.
            raise refusal_of(exc) from None
        assert self._approval_delays is not None
        self._submission, self._submitted_at = number, workflow.now()
        self._report_id = submitted.report_document_id
        self._next_deadline = self._submitted_at + timedelta(
            days=self._approval_delays.reminder_days
        )
        self._next_deadline_label = REMINDER_DUE_LABEL
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
                self._stage,
                "email_failed",
                "Le courriel annonçant l'analyse n'a pas pu être remis : prévenez le client "
                "par un autre moyen",
            )
        return SubmissionResult(submission=number, client_notified=notified)

    @workflow.update(name=RECORD_APPROVAL_UPDATE)
    async def record_approval(self, approval: ApprovalRecord) -> str:
        async with self._lock:
            # Checked again here: a revision or a closure may have come first.
            refusal = self._approval_refusal(approval)
            if refusal:
                raise refused(refusal)
            approved_at = workflow.now()
            try:
                await run(
                    io.RECORD_ANALYSIS_APPROVAL,
                    io.AnalysisApproval(
                        dossier_id=self._dossier_id,
                        submission=approval.submission,
                        channel=approval.channel,
                        actor=approval.actor,
                        approved_at=approved_at,
                    ),
                    SHORT,
                )
            except ActivityError as exc:
                raise refusal_of(exc) from None
            self._approved_submission = approval.submission
            self._approved_at, self._approval_channel = approved_at, approval.channel
            self._next_deadline, self._next_deadline_label = None, None
            channel = APPROVAL_CHANNEL_LABELS_FR[ApprovalChannel(approval.channel)]
            await self._progress(
                "analysis_approved",
                Stage.APPROVED,
                "analysis_approved",
                f"Stratégie validée par le client {channel}",
                actor=approval.actor,
            )
        return self._stage.value

    @record_approval.validator
    def _validate_record_approval(self, approval: ApprovalRecord) -> None:
        refusal = self._approval_refusal(approval)
        if refusal:
            raise ValueError(refusal)

    def _approval_refusal(self, approval: ApprovalRecord) -> str | None:
        if approval.channel not in {c.value for c in ApprovalChannel}:
            return f"Canal de validation inconnu : {approval.channel!r}."
        if self._closed_at or self._stage not in OPEN_STAGES:
            return CLOSED_NO_ANALYSIS
        if self._approved_submission:
            return ALREADY_APPROVED
        if self._submitting:
            return SUBMISSION_IN_PROGRESS
        if self._stage != Stage.AWAITING_APPROVAL or not self._submission:
            return NOTHING_SUBMITTED
        if approval.submission != self._submission:
            return (
                f"Cette version de l'analyse (n°{approval.submission}) n'est pas la dernière "
                f"envoyée au client (n°{self._submission}) : seule la dernière peut être validée."
            )
        return None

    async def _analysis_email(self, template: str, key: str, submission: int) -> bool:
        """Send; False when it cannot be delivered (no address, address refused)."""
        try:
            outcome = await run(
                io.SEND_CLIENT_EMAIL,
                io.ClientEmail(
                    dossier_id=self._dossier_id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{key}",
                    submission=submission,
                ),
                EMAIL,
            )
        except ActivityError:
            return False
        return bool(outcome.message_id)

    async def _await_documents(self) -> None:
        """Until the documents are complete; re-read daily in case a notice from the web app was
        lost (it commits the document first, then tells the workflow)."""

        def done() -> bool:
            return not self._missing or bool(self._closed_at)

        while not done():
            if not await self._wait_until(workflow.now() + DOCUMENTS_RECHECK, done):
                self._missing = (await self._facts()).missing_documents

    # ----- negotiations -----------------------------------------------------------------------

    async def _negotiation_phase(self) -> None:
        """One negotiation per creditor of the dossier, each its own child workflow."""
        opened = await run(nio.OPEN_NEGOTIATIONS, io.DossierRef(self._dossier_id), SHORT)
        async with self._lock:
            if self._closed_at or not opened.negotiation_ids:
                return
            for negotiation_id in opened.negotiation_ids:
                await self._start_negotiation(negotiation_id)
            await self._progress(
                "negotiation",
                Stage.NEGOTIATION,
                "negotiation_started",
                f"Négociation avec {len(opened.negotiation_ids)} créancier(s)",
            )

    async def _start_negotiation(self, negotiation_id: str) -> None:
        handle = await workflow.start_child_workflow(
            NEGOTIATION_WORKFLOW,
            NegotiationInput(negotiation_id=negotiation_id, dossier_id=self._dossier_id),
            id=negotiation_workflow_id(negotiation_id),
            result_type=str,
        )
        self._negotiations.append(negotiation_id)
        self._open_negotiations.add(negotiation_id)
        self._watchers.append(asyncio.create_task(self._watch(negotiation_id, handle)))

    async def _watch(
        self, negotiation_id: str, handle: workflow.ChildWorkflowHandle[Any, str]
    ) -> None:
        """The negotiation no longer holds the dossier open once its workflow is over (ended,
        or stopped by an operator)."""
        with contextlib.suppress(ChildWorkflowError):
            await handle
        self._open_negotiations.discard(negotiation_id)

    @workflow.update(name=ADD_NEGOTIATION_UPDATE)
    async def add_negotiation(self, request: AddNegotiation) -> int:
        """A creditor added once negotiations had started: its row is written first."""
        async with self._lock:
            refusal = self._add_negotiation_refusal(request)
            if refusal:
                raise refused(refusal)
            opened = await run(nio.OPEN_NEGOTIATIONS, io.DossierRef(self._dossier_id), SHORT)
            if request.negotiation_id not in opened.negotiation_ids:
                raise refused(NEGOTIATION_OF_ANOTHER_DOSSIER)
            await self._start_negotiation(request.negotiation_id)
            await self._progress(
                f"negotiation_added:{request.negotiation_id}",
                Stage.NEGOTIATION,
                "negotiation_added",
                f"Négociation ajoutée : {len(self._negotiations)} créancier(s) au total",
                actor=request.actor,
            )
        return len(self._open_negotiations)

    @add_negotiation.validator
    def _validate_add_negotiation(self, request: AddNegotiation) -> None:
        refusal = self._add_negotiation_refusal(request)
        if refusal:
            raise ValueError(refusal)

    def _add_negotiation_refusal(self, request: AddNegotiation) -> str | None:
        if self._closed_at or self._stage not in OPEN_STAGES:
            return "Ce dossier est clôturé : aucune négociation ne peut y être ajoutée."
        if self._stage != Stage.NEGOTIATION:
            return NOT_NEGOTIATING
        if request.negotiation_id in self._negotiations:
            return NEGOTIATION_ALREADY_RUNNING
        return None

    def _serialised(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The lock from the analysis phase on; before it nothing else takes it, and histories
        recorded before it existed replay with the closure running as it always did."""
        return self._lock if self._analysis_started else contextlib.nullcontext()

    # ----- updates ----------------------------------------------------------------------------

    @workflow.update(name=DOCUMENTS_CHANGED_UPDATE)
    async def documents_changed(self, change: DocumentsChanged) -> list[str]:
        facts = await self._facts()
        self._missing = facts.missing_documents
        if not self._missing and self._stage == Stage.AWAITING_DOCUMENTS:
            await self._progress(
                "documents_complete",
                Stage.DOCUMENTS_COMPLETE,
                "documents_complete",
                "Toutes les pièces attendues ont été reçues",
                actor=change.actor,
            )
        return self._missing

    @documents_changed.validator
    def _validate_documents_changed(self, change: DocumentsChanged) -> None:
        if self._stage not in OPEN_STAGES or self._closed_at:
            raise ValueError("Le dossier est clôturé : il n'attend plus de pièces.")

    @workflow.update(name=CLOSE_UPDATE)
    async def close(self, request: CloseDossier) -> str:
        async with self._serialised():
            if self._closed_at:  # Another close was accepted at the same time and went first.
                raise refused("Ce dossier est déjà clôturé.")
            if self._open_negotiations:  # A negotiation was added meanwhile.
                raise refused(negotiations_open_refusal(len(self._open_negotiations)))
            closed_at = workflow.now()
            self._closed_at = closed_at
            self._outcome = request.outcome
            await run(
                io.RECORD_CLOSURE,
                io.ClosureRecord(self._dossier_id, request.outcome, closed_at, request.actor),
                SHORT,
            )
            self._stage = Stage.CLOSED
            await self._set_deadline(None, None)
        return self._stage.value

    @close.validator
    def _validate_close(self, request: CloseDossier) -> None:
        if self._closed_at or self._stage not in OPEN_STAGES:
            raise ValueError("Ce dossier est déjà clôturé.")
        if request.outcome not in {o.value for o in Outcome}:
            raise ValueError(f"Issue de clôture inconnue : {request.outcome!r}.")
        if self._open_negotiations:
            raise ValueError(negotiations_open_refusal(len(self._open_negotiations)))

    @workflow.update(name=PLACE_LEGAL_HOLD_UPDATE)
    async def place_legal_hold(self, change: LegalHoldChange) -> bool:
        self._legal_hold = True
        await self._record_hold(change)
        return True

    @place_legal_hold.validator
    def _validate_place_hold(self, change: LegalHoldChange) -> None:
        if self._legal_hold:
            raise ValueError("Une conservation pour motif légal est déjà en place.")
        if self._deleting or self._stage == Stage.ANONYMISED:
            raise ValueError(
                "Les données arrivées à échéance sont en cours de suppression : la conservation "
                "pour motif légal arrive trop tard pour elles."
            )

    @workflow.update(name=LIFT_LEGAL_HOLD_UPDATE)
    async def lift_legal_hold(self, change: LegalHoldChange) -> bool:
        self._legal_hold = False
        await self._record_hold(change)
        return False

    @lift_legal_hold.validator
    def _validate_lift_hold(self, change: LegalHoldChange) -> None:
        if not self._legal_hold:
            raise ValueError("Aucune conservation pour motif légal n'est en place.")

    async def _record_hold(self, change: LegalHoldChange) -> None:
        await run(
            io.SET_LEGAL_HOLD,
            io.LegalHoldRecord(self._dossier_id, self._legal_hold, change.actor),
            SHORT,
        )

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> DossierStatus:
        return DossierStatus(
            stage=self._stage.value,
            missing_documents=list(self._missing),
            reminders_sent=self._reminders_sent,
            closed_at=self._closed_at,
            next_deadline=self._next_deadline,
            next_deadline_label=self._next_deadline_label,
            legal_hold=self._legal_hold,
            documents_deleted=self._documents_deleted,
            analysis_submission=self._submission,
            analysis_submitted_at=self._submitted_at,
            analysis_report_id=self._report_id,
            approved_submission=self._approved_submission,
            approved_at=self._approved_at,
            approval_channel=self._approval_channel,
            open_negotiations=len(self._open_negotiations),
        )

    # ----- retention ---------------------------------------------------------------------------

    async def _retention_phase(self, policy: RetentionPolicy) -> str:
        """One hop: do what is due, wait at most one hop, continue as new."""
        assert self._closed_at is not None
        history_due = history_expiry(self._closed_at, policy)
        documents_due = None if self._documents_deleted else await self._documents_due(policy)
        if not self._legal_hold:
            self._deleting = True
            if documents_due is not None and workflow.now() >= documents_due:
                await self._delete_documents()
                documents_due = None
            if workflow.now() >= history_due:
                await self._anonymise()
                await workflow.wait_condition(workflow.all_handlers_finished)
                return Stage.ANONYMISED.value
            self._deleting = False
        now = workflow.now()
        wake = next_wake(now, [d for d in (history_due, documents_due) if d], policy)
        await self._set_deadline(*self._retention_deadline(history_due, documents_due, wake))
        # A hold lifted mid-hop ends the wait early, so an expired dossier does not linger.
        held_at_start = self._legal_hold
        await self._wait_until(wake, lambda: held_at_start and not self._legal_hold)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            DossierInput(
                dossier_id=self._dossier_id,
                retention=RetentionState(
                    closed_at=self._closed_at,
                    documents_deleted=self._documents_deleted,
                    legal_hold=self._legal_hold,
                ),
            )
        )

    def _retention_deadline(
        self, history_due: datetime, documents_due: datetime | None, wake: datetime
    ) -> tuple[datetime, str]:
        if self._legal_hold:
            return wake, "Conservation pour motif légal : suppression suspendue"
        if documents_due is not None and documents_due <= history_due:
            return documents_due, "Suppression des pièces justificatives"
        if not self._documents_deleted and documents_due is None:
            return wake, "Pièces conservées : relation contractuelle en cours"
        return history_due, "Anonymisation du dossier"

    async def _documents_due(self, policy: RetentionPolicy) -> datetime | None:
        end = await run(io.RELATIONSHIP_END, io.DossierRef(self._dossier_id), SHORT)
        if end.ended_at is None:
            return None
        assert self._closed_at is not None
        return documents_expiry(max(end.ended_at, self._closed_at), policy)

    async def _delete_documents(self) -> None:
        deletion = await run(
            io.DELETE_DOSSIER_DOCUMENTS, io.DossierRef(self._dossier_id), RETENTION_WORK
        )
        self._documents_deleted = True
        await self._progress(
            "documents_deleted",
            Stage.CLOSED,
            "documents_deleted",
            f"Pièces justificatives supprimées ({deletion.deleted}) à l'échéance de conservation",
        )

    async def _anonymise(self) -> None:
        await run(io.ANONYMISE_DOSSIER, io.DossierRef(self._dossier_id), RETENTION_WORK)
        self._documents_deleted = True
        self._stage = Stage.ANONYMISED
        self._set_search_attributes(None)

    # ----- helpers -----------------------------------------------------------------------------

    async def _facts(self) -> io.DossierFacts:
        return await run(io.LOAD_DOSSIER_FACTS, io.DossierRef(self._dossier_id), SHORT)

    async def _progress(
        self, event: str, stage: Stage, kind: str, summary: str, actor: str = "system"
    ) -> None:
        self._stage = stage
        await run(
            io.RECORD_PROGRESS,
            io.ProgressRecord(
                dossier_id=self._dossier_id,
                event_key=f"{workflow.info().workflow_id}:{event}",
                stage=stage.value,
                event_kind=kind,
                summary=summary,
                next_deadline=self._next_deadline,
                next_deadline_label=self._next_deadline_label,
                actor=actor,
            ),
            SHORT,
        )
        self._set_search_attributes(self._next_deadline)

    async def _set_deadline(self, moment: datetime | None, label: str | None) -> None:
        self._next_deadline, self._next_deadline_label = moment, label
        await run(
            io.RECORD_PROGRESS,
            io.ProgressRecord(
                dossier_id=self._dossier_id,
                event_key="",
                stage=self._stage.value,
                event_kind="",
                summary="",
                next_deadline=moment,
                next_deadline_label=label,
            ),
            SHORT,
        )
        self._set_search_attributes(moment)

    def _set_search_attributes(self, deadline: datetime | None) -> None:
        publish_search_attributes(self._stage.value, deadline)

    async def _email(self, template: str, key: str, reminder_number: int = 0) -> None:
        """Send; a message that cannot be delivered (address refused) never ends the dossier's
        life: the case worker is told to reach the client another way."""
        try:
            await run(
                io.SEND_CLIENT_EMAIL,
                io.ClientEmail(
                    dossier_id=self._dossier_id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{key}",
                    reminder_number=reminder_number,
                ),
                EMAIL,
            )
        except ActivityError:
            await self._progress(
                f"email_failed:{key}",
                self._stage,
                "email_failed",
                f"Courriel non remis ({EMAIL_LABELS_FR.get(template, template)}) : l'adresse "
                "du client est refusée, le contacter autrement",
            )
