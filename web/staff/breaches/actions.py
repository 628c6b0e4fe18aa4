"""POST actions of the breach pages: declare, raise a suspicion, and each step of a breach.

Each is checked by the shared models and actions (web/breach_actions.py), then by the
workflow's validators. A refused step shows the page again with its panel, what was typed and
why; a success goes back to the page (303). Opening an action's URL directly (a reload after a
refusal, a bookmark) leads back to the page (web/errors.page_above) rather than to a 405.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

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
from domain.errors import InvalidInput
from domain.french_text import counted
from models.staff import StaffUser
from services.breaches.access import can_handle
from web import breach_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.breaches.forms import parse, typed_form
from web.staff.breaches.pages import breach_page, form_page
from web.ui.flash import flash
from web.workflow_gateway import TemporalUnavailable, TransitionRefused

router = APIRouter()
NOT_DONE = "Corrigez le formulaire : rien n'a été enregistré."
Step = Callable[[Request, StaffUser, str, Any], Awaitable[Any]]
STEPS: dict[str, tuple[type[BaseModel], Step, Callable[[Any], str]]] = {
    "confirm": (
        ConfirmIn,
        actions.confirm,
        lambda _: "Violation confirmée : le délai de 72 heures court.",
    ),
    "dismiss": (
        DismissIn,
        actions.dismiss,
        lambda _: "Suspicion écartée : elle reste au registre avec son motif.",
    ),
    "scope": (
        ScopeIn,
        actions.scope,
        lambda people: (
            f"Portée calculée : {counted(people, 'personne concernée', 'personnes concernées')}."
        ),
    ),
    "assess": (AssessIn, actions.assess, lambda _: "Évaluation du risque enregistrée."),
    "notify": (
        NotifyIn,
        actions.notify,
        lambda number: f"Notification n° {number} à la CNIL enregistrée comme faite.",
    ),
    "inform": (
        InformIn,
        actions.inform,
        lambda people: f"Information lancée : {counted(people, 'personne')} à prévenir.",
    ),
    "close": (CloseIn, actions.close, lambda _: "Violation close."),
}


@router.post("/breaches/new", response_model=None)
async def declare_page(
    request: Request, settings: SettingsDep, staff: CurrentStaff, _csrf: CsrfProtected
) -> Response:
    typed = await typed_form(request)
    try:
        row = await actions.declare(request, staff, parse(BreachIn, typed))
    except InvalidInput as exc:
        return form_page(
            request,
            settings,
            "web/breaches/new.html",
            typed,
            dict(exc.errors),
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    flash(request, f"Violation {row.reference} déclarée : le délai de 72 heures court.")
    return RedirectResponse(f"/breaches/{row.id}", status.HTTP_303_SEE_OTHER)


@router.post("/breaches/report", response_model=None)
async def report_page(
    request: Request, settings: SettingsDep, staff: CurrentStaff, _csrf: CsrfProtected
) -> Response:
    typed = await typed_form(request)
    try:
        row = await actions.raise_suspicion(request, staff, parse(SuspicionIn, typed))
    except InvalidInput as exc:
        return form_page(
            request,
            settings,
            "web/breaches/report.html",
            typed,
            dict(exc.errors),
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    flash(
        request,
        f"Merci : signalement {row.reference} transmis au délégué à la protection "
        "des données, qui vous recontactera si besoin.",
    )
    if can_handle(staff):
        return RedirectResponse(f"/breaches/{row.id}", status.HTTP_303_SEE_OTHER)
    return RedirectResponse("/dossiers", status.HTTP_303_SEE_OTHER)


@router.post("/breaches/{breach_id}/{action}", response_model=None)
async def breach_step(
    request: Request,
    breach_id: str,
    action: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    if action not in STEPS:
        return RedirectResponse(f"/breaches/{breach_id}", status.HTTP_303_SEE_OTHER)
    model, step, done = STEPS[action]
    typed = await typed_form(request)
    try:
        try:
            data = parse(model, typed)
        except InvalidInput:
            # The form's errors only for who may act at all.
            await actions.require_handler_of(request, staff, breach_id)
            raise
        result = await step(request, staff, breach_id, data)
    except InvalidInput as exc:
        return await breach_page(
            request,
            settings,
            staff,
            breach_id,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            action_error=NOT_DONE,
            action_panel=action,
            typed=typed,
            errors=dict(exc.errors),
        )
    except (TransitionRefused, TemporalUnavailable) as exc:
        code = 409 if isinstance(exc, TransitionRefused) else 503
        return await breach_page(
            request,
            settings,
            staff,
            breach_id,
            status_code=code,
            action_error=exc.message,
            action_panel=action,
            typed=typed,
        )
    flash(request, done(result))
    return RedirectResponse(f"/breaches/{breach_id}", status.HTTP_303_SEE_OTHER)
