"""BreachWorkflow: one personal-data breach, from awareness (or a suspicion) to closure, on an
absolute 72-hour clock.

A suspicion raised by a staff member waits for the DPO to confirm it (setting the moment of
awareness) or to dismiss it; the DPO is emailed at once. From awareness, alerts go to the DPO
and management at +24 h, +48 h, +60 h and +70 h while the steps the deadline is for remain
(the assessment, the CNIL notification when there is a risk, the information of the people
when it is high), and the breach is overdue from the 72nd hour — in the timeline, the read
model, the search attributes and every handler's inbox (domain/breach/deadline.py).

The DPO drives it through updates whose validators apply domain/breach/rules.py: a step out of
order is refused before it is recorded. Informing the people runs beside the clock, in
batches, each an idempotent activity: a crash resumes with those not yet informed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import breach as io
    from domain.breach.deadline import due_alerts, next_alert
    from domain.breach.rules import (
        BreachState,
        BreachStatus,
        Exemption,
        NotificationKind,
        RiskLevel,
    )
    from workflows.breach_messages import (
        ASSESSED_UPDATE,
        BREACH_STATUS_QUERY,
        BREACH_WORKFLOW,
        CLOSE_BREACH_UPDATE,
        CONFIRM_BREACH_UPDATE,
        DISMISS_BREACH_UPDATE,
        INFORM_UPDATE,
        NOTIFIED_UPDATE,
        SCOPED_UPDATE,
        Assessed,
        BreachInput,
        BreachStatusView,
        CloseBreach,
        ConfirmBreach,
        DismissBreach,
        InformPeople,
        Notified,
        Scoped,
    )
    from workflows.plumbing import (
        EMAIL,
        SHORT,
        ActivityOptions,
        publish_search_attributes,
        refuse_if,
        reject_if,
        run,
        wait_until,
    )

STAGE_PREFIX = "breach:"
OVERDUE_STAGE = "overdue"
# What the status query says before the breach is loaded (a query must not fail: the web app
# asks it to know that the workflow and a worker answer).
LOADING = "loading"
UNKNOWN_RISK = "Niveau de risque inconnu."
UNKNOWN_EXEMPTION = "Exception inconnue."
UNKNOWN_PHASE = "Notification inconnue."
# Persons informed per activity: each batch is one retry unit, its progress heartbeated.
INFORM_BATCH = 200
# A batch lost with its worker is retried within seconds (it heartbeats after each message).
INFORMING = ActivityOptions(timedelta(minutes=10), heartbeat=timedelta(seconds=10))


@workflow.defn(name=BREACH_WORKFLOW)
class BreachWorkflow:
    @workflow.init
    def __init__(self, arg: BreachInput) -> None:
        self._breach_id = arg.breach_id
        self._state: BreachState | None = None
        self._alerts: set[str] = set()
        self._epoch = 0
        self._events = 0
        self._lock = asyncio.Lock()
        self._informed_at: datetime | None = None
        self._closed_at: datetime | None = None
        self._inform_task: asyncio.Task[None] | None = None

    @workflow.run
    async def run(self, arg: BreachInput) -> None:
        facts = await run(io.LOAD_BREACH, io.BreachRef(arg.breach_id), SHORT)
        state = BreachState(aware_at=facts.aware_at, status=BreachStatus(facts.status))
        self._state = state
        async with self._lock:
            if state.status == BreachStatus.SUSPECTED:
                await self._record("suspected", "system")
                await self._alert(
                    io.BreachAlert(self._breach_id, "suspicion", "suspicion", workflow.now())
                )
            else:
                await self._record("declared", "system")
        self._publish()
        await workflow.wait_condition(lambda: state.status != BreachStatus.SUSPECTED)
        while state.status == BreachStatus.OPEN:
            self._publish()
            changed = self._changed_since(self._epoch)
            if state.informing and self._inform_task is None:
                self._inform_task = asyncio.create_task(self._inform_people())
            async with self._lock:
                await self._send_due_alerts()
            moment = next_alert(state.aware_at, self._alerts)
            if moment is None or not state.deadline_steps_remain():
                await workflow.wait_condition(changed)
            else:
                await wait_until(moment, changed)
        self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _changed_since(self, epoch: int) -> Callable[[], bool]:
        return lambda: self._epoch != epoch

    # ----- the clock ---------------------------------------------------------------------------

    async def _send_due_alerts(self) -> None:
        state = self._breach()
        if not state.deadline_steps_remain():
            return
        send, skipped = due_alerts(state.aware_at, self._alerts, workflow.now())
        self._alerts.update(alert.key for alert in skipped)
        for alert in send:
            kind = "overdue" if alert.overdue else "alert"
            message = io.BreachAlert(self._breach_id, alert.key, kind, workflow.now(), alert.hours)
            await self._alert(message)
            self._alerts.add(alert.key)
            await self._record(alert.key, "system", detail={"hours": alert.hours})
            self._publish()

    async def _alert(self, alert: io.BreachAlert) -> None:
        await run(io.SEND_BREACH_ALERT, alert, EMAIL)

    # ----- updates -----------------------------------------------------------------------------

    @workflow.update(name=CONFIRM_BREACH_UPDATE)
    async def confirm(self, arg: ConfirmBreach) -> datetime:
        """The suspicion is a breach: returns its deadline."""
        await self._loaded()
        async with self._lock:
            refuse_if(self._breach().confirm_refusal(arg.aware_at, workflow.now()))
            state = self._breach()
            state.aware_at = arg.aware_at
            state.status = BreachStatus.OPEN
            await self._changed("confirmed", arg.actor)
            return state.notify_by

    @confirm.validator
    def _validate_confirm(self, arg: ConfirmBreach) -> None:
        if self._state is not None:
            reject_if(self._state.confirm_refusal(arg.aware_at, workflow.now()))

    @workflow.update(name=DISMISS_BREACH_UPDATE)
    async def dismiss(self, arg: DismissBreach) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._breach().dismiss_refusal())
            self._breach().status = BreachStatus.DISMISSED
            await self._changed("dismissed", arg.actor)
            return BreachStatus.DISMISSED.value

    @dismiss.validator
    def _validate_dismiss(self, arg: DismissBreach) -> None:
        if self._state is not None:
            reject_if(self._state.dismiss_refusal())

    @workflow.update(name=SCOPED_UPDATE)
    async def scoped(self, arg: Scoped) -> int:
        await self._loaded()
        async with self._lock:
            refuse_if(self._breach().scope_refusal())
            state = self._breach()
            state.scoped = True
            state.people = arg.people
            await self._changed(
                "scoped", arg.actor, detail={"people": arg.people, "scope": arg.scope_id}
            )
            return arg.people

    @scoped.validator
    def _validate_scoped(self, arg: Scoped) -> None:
        if self._state is not None:
            reject_if(self._state.scope_refusal())

    @workflow.update(name=ASSESSED_UPDATE)
    async def assessed(self, arg: Assessed) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._assessment_refusal(arg))
            state = self._breach()
            state.risk = RiskLevel(arg.risk)
            state.exemption = Exemption(arg.exemption)
            await self._changed(
                "assessed", arg.actor, detail={"risk": arg.risk, "exemption": arg.exemption}
            )
            return arg.risk

    @assessed.validator
    def _validate_assessed(self, arg: Assessed) -> None:
        if self._state is not None:
            reject_if(self._assessment_refusal(arg))

    def _assessment_refusal(self, arg: Assessed) -> str | None:
        if arg.risk not in RiskLevel.labels():
            return UNKNOWN_RISK
        if arg.exemption not in Exemption.labels():
            return UNKNOWN_EXEMPTION
        return self._breach().assess_refusal(
            RiskLevel(arg.risk), arg.rationale, Exemption(arg.exemption), arg.exemption_reason
        )

    @workflow.update(name=NOTIFIED_UPDATE)
    async def notified(self, arg: Notified) -> int:
        await self._loaded()
        async with self._lock:
            refuse_if(self._notification_refusal(arg))
            state = self._breach()
            state.notifications += 1
            late = workflow.now() > state.notify_by
            await self._changed(
                "notified",
                arg.actor,
                detail={"phase": arg.phase, "number": state.notifications, "late": int(late)},
                notification_id=arg.notification_id,
            )
            return state.notifications

    @notified.validator
    def _validate_notified(self, arg: Notified) -> None:
        if self._state is not None:
            reject_if(self._notification_refusal(arg))

    def _notification_refusal(self, arg: Notified) -> str | None:
        if arg.phase not in NotificationKind.labels():
            return UNKNOWN_PHASE
        return self._breach().notify_refusal(
            NotificationKind(arg.phase), arg.delay_reasons, workflow.now()
        )

    @workflow.update(name=INFORM_UPDATE)
    async def inform(self, arg: InformPeople) -> int:
        """Start informing the people; returns how many are to be reached."""
        await self._loaded()
        async with self._lock:
            refuse_if(self._breach().inform_refusal())
            self._breach().informing = True
            await self._changed("informing", arg.actor, detail={"people": self._breach().people})
            return self._breach().people

    @inform.validator
    def _validate_inform(self, arg: InformPeople) -> None:
        if self._state is not None:
            reject_if(self._state.inform_refusal())

    @workflow.update(name=CLOSE_BREACH_UPDATE)
    async def close(self, arg: CloseBreach) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._breach().close_refusal(arg.measures))
            self._breach().status = BreachStatus.CLOSED
            self._closed_at = workflow.now()
            await self._changed("closed", arg.actor)
            return BreachStatus.CLOSED.value

    @close.validator
    def _validate_close(self, arg: CloseBreach) -> None:
        if self._state is not None:
            reject_if(self._state.close_refusal(arg.measures))

    @workflow.query(name=BREACH_STATUS_QUERY)
    def status(self) -> BreachStatusView:
        if self._state is None:
            return BreachStatusView(LOADING, None, None, overdue=False)
        state = self._state
        return BreachStatusView(
            status=state.status.value,
            aware_at=state.aware_at,
            notify_by=state.notify_by,
            overdue=self._overdue(),
            steps={step.value: done for step, done in state.steps().items()},
            alerts=sorted(self._alerts),
            informing=state.informing,
            informed=state.informed,
        )

    # ----- informing the people ----------------------------------------------------------------

    async def _inform_people(self) -> None:
        """Batch after batch until nobody is left pending; the counts go to the timeline."""
        emailed = no_email = refused = 0
        while True:
            batch = io.InformBatch(self._breach_id, INFORM_BATCH)
            progress = await run(io.INFORM_BREACH_PEOPLE, batch, INFORMING)
            emailed += progress.emailed
            no_email += progress.no_email
            refused += progress.refused
            if progress.remaining == 0:
                break
        async with self._lock:
            self._breach().informed = True
            self._informed_at = workflow.now()
            detail: dict[str, str | int] = {
                "emailed": emailed,
                "no_email": no_email,
                "refused": refused,
            }
            await self._changed("informed", "system", detail=detail)

    # ----- records -----------------------------------------------------------------------------

    async def _loaded(self) -> None:
        """An action that came in while the breach was still being loaded waits for it."""
        await workflow.wait_condition(lambda: self._state is not None)

    def _breach(self) -> BreachState:
        if self._state is None:
            raise ValueError("La violation est en cours d'ouverture : réessayez dans un instant.")
        return self._state

    async def _changed(
        self,
        kind: str,
        actor: str,
        *,
        detail: dict[str, str | int] | None = None,
        notification_id: int | None = None,
    ) -> None:
        await self._record(kind, actor, detail=detail, notification_id=notification_id)
        self._epoch += 1

    async def _record(
        self,
        kind: str,
        actor: str,
        *,
        detail: dict[str, str | int] | None = None,
        notification_id: int | None = None,
    ) -> None:
        """One timeline event with the read model it leaves (under the lock)."""
        self._events += 1
        state = self._breach()
        snapshot = io.BreachSnapshot(
            status=state.status.value,
            aware_at=state.aware_at,
            notifications=state.notifications,
            informing=state.informing,
            informed_at=self._informed_at,
            alerts=sorted(self._alerts),
            closed_at=self._closed_at,
        )
        event = io.BreachEventRecord(
            breach_id=self._breach_id,
            key=f"{self._breach_id}:{self._events}:{kind}",
            kind=kind,
            actor=actor,
            at=workflow.now(),
            snapshot=snapshot,
            detail=detail or {},
            notification_id=notification_id,
        )
        await run(io.RECORD_BREACH_EVENT, event, SHORT)

    def _overdue(self) -> bool:
        state = self._breach()
        return state.deadline_steps_remain() and workflow.now() >= state.notify_by

    def _publish(self) -> None:
        state = self._breach()
        stage = OVERDUE_STAGE if self._overdue() else state.status.value
        deadline = state.notify_by if state.deadline_steps_remain() else None
        publish_search_attributes(STAGE_PREFIX + stage, deadline)
