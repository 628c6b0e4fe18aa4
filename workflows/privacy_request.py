"""PrivacyRequestWorkflow: one data-subject request, from receipt to the answer, on its clock.

The clock (domain/privacy/deadline.py) starts at receipt; waiting on the person pauses it and
the paused days are added back; one extension may follow before the due date. Reminders go to
the DPO at D−10, D−5 and D−1, the supervisor is told on the due day, and the request is marked
overdue the second its due day ends — in the timeline, the read model and the search
attributes — until it is answered (domain/privacy/notices.py).

The DPO drives it through updates whose validators apply the rules of
domain/privacy/request.py: a refused action is refused before it is recorded, with its French
message. Every update that changes the request wakes the main loop, which recomputes the next
notice from the clock as it now stands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts import privacy_request as io
    from domain.privacy.deadline import RequestClock
    from domain.privacy.notices import Notice, NoticeKind, due_now, next_moment
    from domain.privacy.request import (
        ANSWERED,
        CONFIRMATION_HOURS,
        Outcome,
        PauseReason,
        PrivacyRequestState,
        RequestStatus,
        Right,
    )
    from workflows.plumbing import (
        EMAIL,
        RENDERING,
        SHORT,
        publish_search_attributes,
        refuse_if,
        reject_if,
        run,
        wait_until,
    )
    from workflows.privacy_request_messages import (
        CONFIRM_UPDATE,
        DECIDE_UPDATE,
        EXTEND_UPDATE,
        LIFT_RESTRICTION_UPDATE,
        PAUSE_UPDATE,
        PRIVACY_REQUEST_WORKFLOW,
        PRIVACY_STATUS_QUERY,
        RECTIFIED_UPDATE,
        RESPOND_UPDATE,
        RESUME_UPDATE,
        ConfirmAddress,
        DecideRight,
        ExtendDeadline,
        LiftRestriction,
        PauseClock,
        PrivacyRequestInput,
        PrivacyRequestStatus,
        Rectified,
        ResumeClock,
        SendResponse,
    )

# The stage operators filter on (CravelynosStage): "privacy:open", "privacy:overdue"...
STAGE_PREFIX = "privacy:"
OVERDUE_STAGE = "overdue"
# Answered, with a restriction of processing in place until the DPO lifts it.
RESTRICTING_STAGE = "restricting"
UNKNOWN_RIGHT = "Droit inconnu."
UNKNOWN_OUTCOME = "Issue inconnue."
UNKNOWN_PAUSE_REASON = "Motif de suspension inconnu."
NOT_RECTIFICATION = "Cette demande ne porte pas sur la rectification."
NOT_RESTRICTING = "Aucune limitation accordée par cette demande n'est en place."
ALREADY_CONFIRMED = "Votre demande est déjà confirmée : elle est en cours de traitement."
CONFIRMATION_CLOSED = (
    "Cette demande ne peut plus être confirmée : le délai de 48 heures est passé. Déposez une "
    "nouvelle demande sur notre site."
)


@workflow.defn(name=PRIVACY_REQUEST_WORKFLOW)
class PrivacyRequestWorkflow:
    @workflow.init
    def __init__(self, arg: PrivacyRequestInput) -> None:
        self._request_id = arg.request_id
        self._state: PrivacyRequestState | None = None
        self._done: set[str] = set()
        # Bumped by every change of the request: the main loop's waits end on it.
        self._epoch = 0
        self._events = 0
        self._lock = asyncio.Lock()
        # Filed on the site: set while waiting for the person to confirm their address.
        self._awaiting_confirmation = False
        self._confirming = False
        # A restriction granted by this request holds; and its lifting has begun.
        self._restricting = False
        self._lifting = False
        self._confirmed_at: datetime | None = None

    @workflow.run
    async def run(self, arg: PrivacyRequestInput) -> None:
        facts = await run(io.LOAD_PRIVACY_REQUEST, io.RequestRef(arg.request_id), SHORT)
        received_at = facts.received_at
        if facts.awaiting_confirmation:
            confirmed_at = await self._confirmation()
            if confirmed_at is None:
                return
            received_at = confirmed_at
        rights = [Right(value) for value in facts.rights]
        self._state = PrivacyRequestState(arg.request_id, rights, RequestClock(received_at))
        async with self._lock:
            await self._record("received", "system")
        state = self._state
        while state.status != RequestStatus.ANSWERED:
            self._publish()
            changed = self._changed_since(self._epoch)
            if state.pause is not None:
                # Paused: the due date moves every day until the clock runs again.
                await workflow.wait_condition(changed)
                continue
            async with self._lock:
                await self._send_due_notices()
            moment = next_moment(state.clock, self._done)
            if moment is None:
                # Overdue and told: only the answer (or another change) is awaited.
                await workflow.wait_condition(changed)
            else:
                await wait_until(moment, changed)
        self._publish()
        if self._restricting:
            # The restriction holds until the DPO lifts it (the person told first).
            await workflow.wait_condition(lambda: not self._restricting)
            self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)

    async def _confirmation(self) -> datetime | None:
        """Filed on the site: the person is sent a link to confirm their address, and the
        request starts when they do; unconfirmed after 48 hours, it is discarded."""
        self._awaiting_confirmation = True
        notice = io.RequestNotice(
            self._request_id,
            f"{self._request_id}:confirmation",
            "confirmation",
            workflow.now(),
            workflow.now() + timedelta(hours=CONFIRMATION_HOURS),
        )
        await run(io.SEND_PRIVACY_NOTICE, notice, EMAIL)
        deadline = workflow.now() + timedelta(hours=CONFIRMATION_HOURS)
        if not await wait_until(deadline, lambda: self._confirmed_at is not None):
            self._awaiting_confirmation = False
            # A confirmation that came in just as the wait ended waits for its handler.
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._confirmed_at is None:
                await run(io.DISCARD_UNCONFIRMED_REQUEST, io.RequestRef(self._request_id), SHORT)
                return None
        return self._confirmed_at

    @workflow.update(name=CONFIRM_UPDATE)
    async def confirm(self, arg: ConfirmAddress) -> datetime:
        """The person confirmed: the request is received now; its due date is returned."""
        refuse_if(self._confirmation_refusal())
        self._confirming = True
        confirmed_at = workflow.now()
        record = io.ConfirmationRecord(self._request_id, confirmed_at)
        await run(io.RECORD_PRIVACY_CONFIRMATION, record, SHORT)
        # Only now does the main flow go on: its first record must follow this one.
        self._confirmed_at = confirmed_at
        self._awaiting_confirmation = False
        return RequestClock(confirmed_at).due_at

    @confirm.validator
    def _validate_confirm(self, arg: ConfirmAddress) -> None:
        reject_if(self._confirmation_refusal())

    def _confirmation_refusal(self) -> str | None:
        if self._confirming or self._state is not None:
            return ALREADY_CONFIRMED
        if not self._awaiting_confirmation:
            return CONFIRMATION_CLOSED
        return None

    def _changed_since(self, epoch: int) -> Callable[[], bool]:
        return lambda: self._epoch != epoch

    # ----- notices ----------------------------------------------------------------------------

    async def _send_due_notices(self) -> None:
        state = self._request()
        if state.status == RequestStatus.ANSWERED or state.pause is not None:
            return
        send, skipped = due_now(state.clock, self._done, workflow.now())
        for notice in skipped:
            self._done.add(notice.key)
        for notice in send:
            await self._notify(notice)

    async def _notify(self, notice: Notice) -> None:
        key = f"{self._request_id}:{notice.key}"
        due_at = self._request().clock.due_at
        await run(
            io.SEND_PRIVACY_NOTICE,
            io.RequestNotice(self._request_id, key, notice.kind.value, workflow.now(), due_at),
            EMAIL,
        )
        self._done.add(notice.key)
        await self._record(
            notice.kind.value, "system", key=key, detail={"due_on": notice.due_on.isoformat()}
        )
        if notice.kind == NoticeKind.OVERDUE:
            self._publish()

    # ----- updates ----------------------------------------------------------------------------

    @workflow.update(name=PAUSE_UPDATE)
    async def pause(self, arg: PauseClock) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._pause_refusal(arg))
            self._request().paused(PauseReason(arg.reason), workflow.now())
            await self._changed("paused", arg.actor, detail={"reason": arg.reason})
            return self._request().status.value

    @pause.validator
    def _validate_pause(self, arg: PauseClock) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._pause_refusal(arg))

    def _pause_refusal(self, arg: PauseClock) -> str | None:
        if arg.reason not in PauseReason.labels():
            return UNKNOWN_PAUSE_REASON
        return self._request().pause_refusal(workflow.now())

    @workflow.update(name=RESUME_UPDATE)
    async def resume(self, arg: ResumeClock) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._request().resume_refusal())
            days = self._request().resumed(workflow.now())
            await self._changed("resumed", arg.actor, detail={"days": days})
            return self._request().status.value

    @resume.validator
    def _validate_resume(self, arg: ResumeClock) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._request().resume_refusal())

    @workflow.update(name=EXTEND_UPDATE)
    async def extend(self, arg: ExtendDeadline) -> datetime:
        await self._loaded()
        async with self._lock:
            refuse_if(self._extension_refusal(arg))
            self._request().extended(arg.months, _reason_token(arg.note_id), workflow.now())
            await self._changed(
                "extended", arg.actor, detail={"months": arg.months}, note_id=arg.note_id
            )
            await self._tell_person("extension", arg.note_id)
            return self._request().clock.due_at

    @extend.validator
    def _validate_extend(self, arg: ExtendDeadline) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._extension_refusal(arg))

    def _extension_refusal(self, arg: ExtendDeadline) -> str | None:
        return self._request().extension_refusal(
            arg.months, _reason_token(arg.note_id), workflow.now()
        )

    @workflow.update(name=DECIDE_UPDATE)
    async def decide(self, arg: DecideRight) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._decision_refusal(arg))
            self._request().decided(Right(arg.right), Outcome(arg.outcome))
            await self._changed(
                "decided",
                arg.actor,
                detail={"right": arg.right, "outcome": arg.outcome},
                note_id=arg.note_id,
            )
            return arg.outcome

    @decide.validator
    def _validate_decide(self, arg: DecideRight) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._decision_refusal(arg))

    def _decision_refusal(self, arg: DecideRight) -> str | None:
        if arg.right not in Right.labels():
            return UNKNOWN_RIGHT
        if arg.outcome not in Outcome.labels():
            return UNKNOWN_OUTCOME
        return self._request().decision_refusal(
            Right(arg.right), Outcome(arg.outcome), arg.note_id is not None
        )

    @workflow.update(name=RESPOND_UPDATE)
    async def respond(self, arg: SendResponse) -> str:
        await self._loaded()
        async with self._lock:
            refuse_if(self._request().answer_refusal())
            self._request().answered()
            downloads = await self._prepare_exports()
            await self._tell_person("response", None, downloads)
            await self._erase_if_granted()
            await self._restrict_if_granted()
            await self._changed("answered", arg.actor)
            return self._request().status.value

    @respond.validator
    def _validate_respond(self, arg: SendResponse) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._request().answer_refusal())

    @workflow.query(name=PRIVACY_STATUS_QUERY)
    def status(self) -> PrivacyRequestStatus:
        state = self._request()
        return PrivacyRequestStatus(
            status=state.status.value,
            due_at=state.clock.due_at,
            overdue=self._overdue(),
            paused_days=state.clock.paused_days,
            extended_months=state.clock.extension.months if state.clock.extension else 0,
            outcomes={right.value: outcome.value for right, outcome in state.outcomes.items()},
            notices_done=sorted(self._done),
            restricting=self._restricting,
        )

    # ----- records ----------------------------------------------------------------------------

    async def _loaded(self) -> None:
        """An action that came in while the request was still being loaded waits for it."""
        await workflow.wait_condition(lambda: self._state is not None)

    def _request(self) -> PrivacyRequestState:
        if self._state is None:
            raise ValueError("La demande est en cours d'ouverture : réessayez dans un instant.")
        return self._state

    async def _changed(
        self,
        kind: str,
        actor: str,
        *,
        detail: dict[str, str | int] | None = None,
        note_id: int | None = None,
    ) -> None:
        await self._record(kind, actor, detail=detail, note_id=note_id)
        self._epoch += 1

    async def _record(
        self,
        kind: str,
        actor: str,
        *,
        key: str | None = None,
        detail: dict[str, str | int] | None = None,
        note_id: int | None = None,
    ) -> None:
        """One timeline event with the read model it leaves (under the lock)."""
        self._events += 1
        state = self._request()
        snapshot = io.RequestSnapshot(
            status=state.status.value,
            due_at=state.clock.due_at,
            paused_days=state.clock.paused_days,
            extended_months=state.clock.extension.months if state.clock.extension else 0,
            outcomes={right.value: outcome.value for right, outcome in state.outcomes.items()},
            answered_at=workflow.now() if state.status == RequestStatus.ANSWERED else None,
        )
        event = io.RequestEvent(
            request_id=self._request_id,
            key=key or f"{self._request_id}:{self._events}:{kind}",
            kind=kind,
            actor=actor,
            at=workflow.now(),
            snapshot=snapshot,
            detail=detail or {},
            note_id=note_id,
        )
        await run(io.RECORD_PRIVACY_EVENT, event, SHORT)

    async def _prepare_exports(self) -> list[str]:
        """The files the answer links to: the access package and the portable data, for
        each of those rights granted (wholly or in part)."""
        downloads = []
        for right in (Right.ACCESS, Right.PORTABILITY):
            outcome = self._request().outcomes.get(right)
            if outcome is None or outcome == Outcome.REFUSED:
                continue
            export = io.ExportRequest(self._request_id, right.value)
            ready = await run(io.PREPARE_PRIVACY_EXPORT, export, RENDERING)
            downloads.append(ready.download_id)
        return downloads

    async def _erase_if_granted(self) -> None:
        """An erasure granted (wholly or in part) is carried out once the person has the answer
        saying what goes and what is withheld, and why (their address may go with it)."""
        outcome = self._request().outcomes.get(Right.ERASURE)
        if outcome is None or outcome == Outcome.REFUSED:
            return
        erasure = io.ErasureRequest(self._request_id, workflow.now())
        await run(io.ERASE_PERSON_DATA, erasure, RENDERING)
        # The creditors that received the data are asked to erase it too (Art. 19).
        told = await run(io.SEND_ERASURE_NOTICES, io.RequestRef(self._request_id), EMAIL)
        if told.emailed or told.by_post:
            detail: dict[str, str | int] = {"emailed": told.emailed, "by_post": told.by_post}
            await self._record("erasure_notified", "system", detail=detail)

    async def _restrict_if_granted(self) -> None:
        outcome = self._request().outcomes.get(Right.RESTRICTION)
        if outcome is None or outcome == Outcome.REFUSED:
            return
        change = io.RestrictionChange(self._request_id, workflow.now(), restricted=True)
        self._restricting = await run(io.CHANGE_RESTRICTION, change, SHORT)
        if self._restricting:
            await self._record("restricted", "system")

    @workflow.update(name=RECTIFIED_UPDATE)
    async def rectified(self, arg: Rectified) -> int:
        """Tell the creditors that received the old value; how many were emailed."""
        await self._loaded()
        async with self._lock:
            refuse_if(self._rectification_refusal())
            notices = io.CorrectionNotices(self._request_id, arg.rectification_id)
            sent = await run(io.SEND_CORRECTION_NOTICES, notices, EMAIL)
            detail: dict[str, str | int] = {
                "field": sent.field_name,
                "emailed": sent.emailed,
                "by_post": sent.by_post,
            }
            await self._changed("rectified", arg.actor, detail=detail)
            return sent.emailed

    @rectified.validator
    def _validate_rectified(self, arg: Rectified) -> None:
        if self._state is None:
            return  # checked by the handler once the request is loaded
        reject_if(self._rectification_refusal())

    def _rectification_refusal(self) -> str | None:
        state = self._request()
        if state.status == RequestStatus.ANSWERED:
            return ANSWERED
        if Right.RECTIFICATION not in state.rights:
            return NOT_RECTIFICATION
        return None

    @workflow.update(name=LIFT_RESTRICTION_UPDATE)
    async def lift_restriction(self, arg: LiftRestriction) -> bool:
        refuse_if(self._lift_refusal())
        self._lifting = True
        await self._tell_person("restriction_lift", None)
        change = io.RestrictionChange(self._request_id, workflow.now(), restricted=False)
        await run(io.CHANGE_RESTRICTION, change, SHORT)
        await self._record("restriction_lifted", arg.actor)
        self._restricting = False
        return True

    @lift_restriction.validator
    def _validate_lift(self, arg: LiftRestriction) -> None:
        reject_if(self._lift_refusal())

    def _lift_refusal(self) -> str | None:
        if not self._restricting or self._lifting:
            return NOT_RESTRICTING
        return None

    async def _tell_person(
        self, kind: str, note_id: int | None, download_ids: list[str] | None = None
    ) -> None:
        notice = io.RequestNotice(
            self._request_id,
            f"{self._request_id}:{kind}",
            kind,
            workflow.now(),
            self._request().clock.due_at,
            note_id,
            download_ids or [],
        )
        await run(io.SEND_PRIVACY_NOTICE, notice, EMAIL)

    def _overdue(self) -> bool:
        state = self._request()
        return state.status != RequestStatus.ANSWERED and state.clock.overdue(workflow.now())

    def _publish(self) -> None:
        state = self._request()
        stage = OVERDUE_STAGE if self._overdue() else state.status.value
        if self._restricting:
            stage = RESTRICTING_STAGE
        # While paused the due date is not known yet: no deadline to sort on.
        running = state.status == RequestStatus.OPEN
        publish_search_attributes(STAGE_PREFIX + stage, state.clock.due_at if running else None)


def _reason_token(note_id: int) -> str:
    """The domain rules want a reason: here, the note that holds it (0 is no note)."""
    return f"note:{note_id}" if note_id > 0 else ""
