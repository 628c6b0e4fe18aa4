"""Breach actions shared by the pages and the API. Each checks access and the input, then asks
the breach's workflow whether it is reachable (nothing is written while Temporal is down),
checks the step against the breach as last recorded, stores what the DPO wrote, and only then
sends the update, whose validator has the last word."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.breach.inputs import (
    AssessIn,
    BreachIn,
    CloseIn,
    ConfirmIn,
    DismissIn,
    InformIn,
    NotifyIn,
    ScopeIn,
    SuspicionIn,
)
from domain.breach.rules import BreachState, NotificationKind
from domain.breach.scope_sources import ScopeSource
from domain.clock import utcnow
from domain.errors import InvalidInput
from gateway.start_intents import record_breach_start_intent
from models.breach import Breach
from models.database import session_scope
from models.staff import StaffUser
from services.breaches import records
from services.breaches.access import load_breach, require_handler
from services.breaches.cnil_document import notification_document
from services.breaches.queries import state_of
from services.breaches.scope import exposable_tables
from services.dossiers.access import actor_of
from web.workflow_gateway import (
    TransitionRefused,
    query_breach,
    send_breach_update,
    start_breach_workflow,
)
from workflows.breach_messages import (
    ASSESSED_UPDATE,
    CLOSE_BREACH_UPDATE,
    CONFIRM_BREACH_UPDATE,
    DISMISS_BREACH_UPDATE,
    INFORM_UPDATE,
    NOTIFIED_UPDATE,
    SCOPED_UPDATE,
    Assessed,
    CloseBreach,
    ConfirmBreach,
    DismissBreach,
    InformPeople,
    Notified,
    Scoped,
)

UNKNOWN_STAFF = "Aucun compte du personnel ne porte ce numéro."
UNKNOWN_TABLE = "Table inconnue ou sans données personnelles : {names}."


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def declare(request: Request, staff: StaffUser, data: BreachIn) -> Breach:
    """Record the breach (its workflow intent commits with it), then start its workflow; if
    Temporal is down the worker's relay starts it later."""
    settings = _settings(request)
    now = utcnow()

    def create() -> Breach:
        with session_scope(settings) as session:
            require_handler(session, staff, "breach.declare")
            row = records.declare(session, data, actor_of(staff), settings, now)
            record_breach_start_intent(session, row.id)
            return row

    row = await run_in_threadpool(create)
    await start_breach_workflow(request, row.id)
    return row


async def raise_suspicion(request: Request, staff: StaffUser, data: SuspicionIn) -> Breach:
    """Any staff member: the DPO is emailed at once and confirms or dismisses it."""
    settings = _settings(request)
    now = utcnow()

    def create() -> Breach:
        with session_scope(settings) as session:
            row = records.raise_suspicion(session, data, actor_of(staff), settings, now)
            record_breach_start_intent(session, row.id)
            return row

    row = await run_in_threadpool(create)
    await start_breach_workflow(request, row.id)
    return row


async def _step(
    request: Request,
    staff: StaffUser,
    breach_id: str,
    purpose: str,
    rule: Callable[[BreachState], str | None],
    write: Callable[[Session, Breach], Any],
    update: str,
    validate: Callable[[], None] | None = None,
) -> Any:
    """Access, the input (`validate`), reachability, the rule, the rows, then the update with
    the message `write` returned."""
    settings = _settings(request)

    def check() -> None:
        with session_scope(settings) as session:
            load_breach(session, staff, breach_id, purpose)
        if validate is not None:
            validate()

    await run_in_threadpool(check)
    await query_breach(request, breach_id)

    def store() -> Any:
        with session_scope(settings) as session:
            row = load_breach(session, staff, breach_id, purpose)
            refusal = rule(state_of(row))
            if refusal:
                raise TransitionRefused(refusal)
            return write(session, row)

    message = await run_in_threadpool(store)
    return await send_breach_update(request, breach_id, update, message)


async def require_handler_of(request: Request, staff: StaffUser, breach_id: str) -> None:
    """Refuse (403, audited) before showing form errors to someone who may not act at all."""
    settings = _settings(request)

    def check() -> None:
        with session_scope(settings) as session:
            load_breach(session, staff, breach_id, "breach.act")

    await run_in_threadpool(check)


async def confirm(request: Request, staff: StaffUser, breach_id: str, data: ConfirmIn) -> None:
    settings, actor, now = _settings(request), actor_of(staff), utcnow()

    def write(session: Session, row: Breach) -> ConfirmBreach:
        records.confirm(session, row, data, actor, settings, now)
        return ConfirmBreach(aware_at=data.aware_at, actor=actor)

    await _step(
        request,
        staff,
        breach_id,
        "breach.confirm",
        lambda s: s.confirm_refusal(data.aware_at, now),
        write,
        CONFIRM_BREACH_UPDATE,
    )


async def dismiss(request: Request, staff: StaffUser, breach_id: str, data: DismissIn) -> None:
    settings, actor = _settings(request), actor_of(staff)

    def write(session: Session, row: Breach) -> DismissBreach:
        records.dismiss(session, row, data, actor, settings)
        return DismissBreach(actor=actor)

    await _step(
        request,
        staff,
        breach_id,
        "breach.dismiss",
        lambda s: s.dismiss_refusal(),
        write,
        DISMISS_BREACH_UPDATE,
    )


async def scope(request: Request, staff: StaffUser, breach_id: str, data: ScopeIn) -> int:
    """Compute and record the scope; how many people it affects."""
    settings, actor, now = _settings(request), actor_of(staff), utcnow()

    def validate() -> None:
        data.check()
        if data.source == ScopeSource.TABLES:
            unknown = sorted(set(data.tables or []) - set(exposable_tables()))
            if unknown:
                raise InvalidInput({"tables": UNKNOWN_TABLE.format(names=", ".join(unknown))})

    def write(session: Session, row: Breach) -> Scoped:
        if data.staff_id is not None and session.get(StaffUser, data.staff_id) is None:
            raise InvalidInput({"staff_id": UNKNOWN_STAFF})
        recorded = records.record_scope(session, row, data, actor, settings, now)
        return Scoped(scope_id=recorded.id or 0, people=row.people_count or 0, actor=actor)

    people: int = await _step(
        request, staff, breach_id, "breach.scope", lambda s: s.scope_refusal(), write,
        SCOPED_UPDATE, validate,
    )  # fmt: skip
    return people


async def assess(request: Request, staff: StaffUser, breach_id: str, data: AssessIn) -> None:
    settings, actor, now = _settings(request), actor_of(staff), utcnow()

    def write(session: Session, row: Breach) -> Assessed:
        records.record_assessment(session, row, data, actor, settings, now)
        return Assessed(risk=data.risk.value, exemption=data.exemption.value, actor=actor)

    def rule(state: BreachState) -> str | None:
        return state.assess_refusal(data.risk, True, data.exemption, bool(data.exemption_reason))

    await _step(
        request, staff, breach_id, "breach.assess", rule, write, ASSESSED_UPDATE, data.check
    )


async def notify(request: Request, staff: StaffUser, breach_id: str, data: NotifyIn) -> int:
    """Generate the notification from the case and record it as made; its number."""
    settings, actor, now = _settings(request), actor_of(staff), utcnow()

    def write(session: Session, row: Breach) -> Notified:
        document = notification_document(session, row, data, settings, now)
        made = records.record_notification(session, row, data, actor, settings, now, document)
        return Notified(
            notification_id=made.id or 0,
            phase=data.phase.value,
            delay_reasons=bool(data.delay_reasons),
            actor=actor,
        )

    def rule(state: BreachState) -> str | None:
        return state.notify_refusal(NotificationKind(data.phase), bool(data.delay_reasons), now)

    number: int = await _step(
        request, staff, breach_id, "breach.notify", rule, write, NOTIFIED_UPDATE
    )
    return number


async def inform(request: Request, staff: StaffUser, breach_id: str, data: InformIn) -> int:
    """Store the message and start sending it; how many people it goes to."""
    settings, actor = _settings(request), actor_of(staff)

    def write(session: Session, row: Breach) -> InformPeople:
        records.record_information(session, row, data, actor, settings)
        return InformPeople(actor=actor)

    people: int = await _step(
        request,
        staff,
        breach_id,
        "breach.inform",
        lambda s: s.inform_refusal(),
        write,
        INFORM_UPDATE,
    )
    return people


async def close(request: Request, staff: StaffUser, breach_id: str, data: CloseIn) -> None:
    settings, actor = _settings(request), actor_of(staff)

    def write(session: Session, row: Breach) -> CloseBreach:
        records.record_closure(session, row, data, actor, settings)
        return CloseBreach(actor=actor)

    await _step(
        request,
        staff,
        breach_id,
        "breach.close",
        lambda s: s.close_refusal(True),
        write,
        CLOSE_BREACH_UPDATE,
    )
