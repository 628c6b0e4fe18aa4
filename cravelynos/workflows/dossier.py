"""DossierWorkflow: intake → documents → closure → retention wait → anonymisation.

Temporal owns where the dossier is in its life; the database owns its data. This code only
decides what happens next and asks activities to do it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from cravelynos.activities import dossier_io as io
    from cravelynos.domain.dossier_stages import OPEN_STAGES, Outcome, Stage
    from cravelynos.domain.retention import (
        RetentionPolicy,
        documents_expiry,
        history_expiry,
        next_wake,
    )
    from cravelynos.workflows.dossier_messages import (
        CLOSE_UPDATE,
        DOCUMENTS_CHANGED_UPDATE,
        DOSSIER_WORKFLOW,
        LIFT_LEGAL_HOLD_UPDATE,
        NEXT_DEADLINE_SEARCH_ATTRIBUTE,
        PLACE_LEGAL_HOLD_UPDATE,
        STAGE_SEARCH_ATTRIBUTE,
        STATUS_QUERY,
        CloseDossier,
        DocumentsChanged,
        DossierInput,
        DossierStatus,
        LegalHoldChange,
        RetentionState,
    )

STAGE_KEY = SearchAttributeKey.for_keyword(STAGE_SEARCH_ATTRIBUTE)
NEXT_DEADLINE_KEY = SearchAttributeKey.for_datetime(NEXT_DEADLINE_SEARCH_ATTRIBUTE)

SHORT = timedelta(seconds=30)
EMAIL_TIMEOUT = timedelta(minutes=2)
RETENTION_WORK_TIMEOUT = timedelta(minutes=10)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


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
        else:
            retention = arg.retention
            self._stage = Stage.CLOSED
            self._closed_at = retention.closed_at
            self._legal_hold = retention.legal_hold
            self._documents_deleted = retention.documents_deleted
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
        closed_at = workflow.now()
        self._closed_at = closed_at
        self._outcome = request.outcome
        await workflow.execute_activity(
            io.RECORD_CLOSURE,
            io.ClosureRecord(self._dossier_id, request.outcome, closed_at, request.actor),
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
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

    @workflow.update(name=PLACE_LEGAL_HOLD_UPDATE)
    async def place_legal_hold(self, change: LegalHoldChange) -> bool:
        self._legal_hold = True
        await self._record_hold(change)
        return True

    @place_legal_hold.validator
    def _validate_place_hold(self, change: LegalHoldChange) -> None:
        if self._legal_hold:
            raise ValueError("Une conservation pour motif légal est déjà en place.")

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
        await workflow.execute_activity(
            io.SET_LEGAL_HOLD,
            io.LegalHoldRecord(self._dossier_id, self._legal_hold, change.actor),
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
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
        )

    # ----- retention ---------------------------------------------------------------------------

    async def _retention_phase(self, policy: RetentionPolicy) -> str:
        """One hop: do what is due, wait at most one hop, continue as new."""
        assert self._closed_at is not None
        history_due = history_expiry(self._closed_at, policy)
        documents_due = None if self._documents_deleted else await self._documents_due(policy)
        if not self._legal_hold:
            if documents_due is not None and workflow.now() >= documents_due:
                await self._delete_documents()
                documents_due = None
            if workflow.now() >= history_due:
                await self._anonymise()
                return Stage.ANONYMISED.value
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
        end = await workflow.execute_activity(
            io.RELATIONSHIP_END,
            io.DossierRef(self._dossier_id),
            result_type=io.RelationshipEnd,
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )
        if end.ended_at is None:
            return None
        assert self._closed_at is not None
        return documents_expiry(max(end.ended_at, self._closed_at), policy)

    async def _delete_documents(self) -> None:
        deletion = await workflow.execute_activity(
            io.DELETE_DOSSIER_DOCUMENTS,
            io.DossierRef(self._dossier_id),
            result_type=io.DocumentsDeletion,
            start_to_close_timeout=RETENTION_WORK_TIMEOUT,
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        )
        self._documents_deleted = True
        await self._progress(
            "documents_deleted",
            Stage.CLOSED,
            "documents_deleted",
            f"Pièces justificatives supprimées ({deletion.deleted}) à l'échéance de conservation",
        )

    async def _anonymise(self) -> None:
        await workflow.execute_activity(
            io.ANONYMISE_DOSSIER,
            io.DossierRef(self._dossier_id),
            result_type=io.AnonymisationReport,
            start_to_close_timeout=RETENTION_WORK_TIMEOUT,
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        )
        self._documents_deleted = True
        self._stage = Stage.ANONYMISED
        self._set_search_attributes(None)

    # ----- helpers -----------------------------------------------------------------------------

    async def _facts(self) -> io.DossierFacts:
        return await workflow.execute_activity(
            io.LOAD_DOSSIER_FACTS,
            io.DossierRef(self._dossier_id),
            result_type=io.DossierFacts,
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )

    async def _progress(
        self, event: str, stage: Stage, kind: str, summary: str, actor: str = "system"
    ) -> None:
        self._stage = stage
        await workflow.execute_activity(
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
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )
        self._set_search_attributes(self._next_deadline)

    async def _set_deadline(self, moment: datetime | None, label: str | None) -> None:
        self._next_deadline, self._next_deadline_label = moment, label
        await workflow.execute_activity(
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
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )
        self._set_search_attributes(moment)

    def _set_search_attributes(self, deadline: datetime | None) -> None:
        workflow.upsert_search_attributes(
            [
                STAGE_KEY.value_set(self._stage.value),
                NEXT_DEADLINE_KEY.value_set(deadline)
                if deadline
                else NEXT_DEADLINE_KEY.value_unset(),
            ]
        )

    async def _email(self, template: str, key: str, reminder_number: int = 0) -> None:
        await workflow.execute_activity(
            io.SEND_CLIENT_EMAIL,
            io.ClientEmail(
                dossier_id=self._dossier_id,
                template=template,
                idempotency_key=f"{workflow.info().workflow_id}:{key}",
                reminder_number=reminder_number,
            ),
            result_type=io.EmailOutcome,
            start_to_close_timeout=EMAIL_TIMEOUT,
            retry_policy=RETRY,
        )
