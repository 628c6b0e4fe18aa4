"""POST actions of a request's page: pause, resume, extend, decide, respond.

Each is checked by the shared models and actions (web/privacy_request_actions.py), then by the
workflow's validators. A refusal shows the page again with its panel open, what was typed and
why; a success goes back to the page (303). Opening an action's URL directly (a reload after a
refusal, a bookmark) leads back to the page rather than to a 405.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from domain.errors import InvalidInput
from domain.intake import validation_errors
from domain.privacy.actions import DecideIn, ExtendIn, PauseIn
from domain.privacy.rectification import RectificationIn
from domain.privacy.request import Outcome, Right
from models.staff import StaffUser
from web import privacy_request_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.privacy.request_page import request_page
from web.ui.flash import flash
from web.workflow_gateway import TemporalUnavailable, TransitionRefused

router = APIRouter()
ACTIONS = (
    "pause",
    "resume",
    "extend",
    "decide",
    "respond",
    "identity",
    "identity-document",
    "lift-restriction",
    "rectify",
)
NOT_DONE = "L'action n'a pas été enregistrée : corrigez le formulaire."
MAX_TYPED = 5000


def _page_url(request_id: str, panel: str = "") -> str:
    return f"/privacy-requests/{request_id}" + (f"#{panel}" if panel else "")


@router.get("/privacy-requests/{request_id}/{action}", include_in_schema=False)
async def back_to_the_page(request_id: str, action: str) -> RedirectResponse:
    if action not in ACTIONS:
        return RedirectResponse("/privacy-requests", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(_page_url(request_id), status.HTTP_303_SEE_OTHER)


async def typed_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        name: value[:MAX_TYPED]
        for name, value in form.items()
        if isinstance(value, str) and name != "csrf_token"
    }


async def attempt(
    request: Request,
    settings: SettingsDep,
    staff: StaffUser,
    request_id: str,
    panel: str,
    action: Awaitable[Any],
    done: str | Callable[[], str],
    typed: dict[str, str],
) -> Response:
    """Run the action; a refusal shows the page again with its panel, what was typed and why,
    a success goes back to the page with `done` (or what it says once the action ran)."""
    try:
        await action
    except InvalidInput as exc:
        return await request_page(
            request,
            settings,
            staff,
            request_id,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            action_error=NOT_DONE,
            action_panel=panel,
            typed=typed,
            errors=exc.errors,
        )
    except (TransitionRefused, TemporalUnavailable) as exc:
        code = 409 if isinstance(exc, TransitionRefused) else 503
        return await request_page(
            request,
            settings,
            staff,
            request_id,
            status_code=code,
            action_error=exc.message,
            action_panel=panel,
            typed=typed,
        )
    flash(request, done if isinstance(done, str) else done())
    return RedirectResponse(_page_url(request_id), status.HTTP_303_SEE_OTHER)


def _parsed(model: type[BaseModel], typed: dict[str, str]) -> Any:
    """The action's input, or InvalidInput with each field's French message (blank = missing)."""
    try:
        return model.model_validate({k: v or None for k, v in typed.items()})
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc)) from None


async def parsed_then(
    request: Request,
    staff: StaffUser,
    request_id: str,
    model: type[BaseModel],
    typed: dict[str, str],
    run: Any,
) -> None:
    """Run the action on the parsed input; the form's errors only for who may act at all."""
    try:
        data = _parsed(model, typed)
    except InvalidInput:
        await actions.require_driver(request, staff, request_id)
        raise
    await run(data)


async def form_action(
    request: Request,
    settings: SettingsDep,
    staff: StaffUser,
    request_id: str,
    panel: str,
    model: type[BaseModel],
    act: Callable[[Any], Awaitable[Any]],
    done: str | Callable[[], str],
) -> Response:
    """A panel's form: what was typed, parsed by `model`, handed to `act`; the page again with
    the panel open on a refusal, the page with `done` on success."""
    typed = await typed_fields(request)
    run = parsed_then(request, staff, request_id, model, typed, act)
    return await attempt(request, settings, staff, request_id, panel, run, done, typed)


@router.post("/privacy-requests/{request_id}/pause", response_model=None)
async def pause_clock(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    done = "Délai suspendu : il reprendra quand la personne aura répondu."
    act = functools.partial(actions.pause, request, staff, request_id)
    return await form_action(request, settings, staff, request_id, "pause", PauseIn, act, done)


@router.post("/privacy-requests/{request_id}/resume", response_model=None)
async def resume_clock(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    run = actions.resume(request, staff, request_id)
    done = "Délai repris : les jours d'attente ont été rajoutés à l'échéance."
    return await attempt(request, settings, staff, request_id, "pause", run, done, {})


@router.post("/privacy-requests/{request_id}/extend", response_model=None)
async def extend_deadline(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    done = "Délai prolongé : la personne en a été informée, avec le motif."
    act = functools.partial(actions.extend, request, staff, request_id)
    return await form_action(request, settings, staff, request_id, "extend", ExtendIn, act, done)


@router.post("/privacy-requests/{request_id}/decide", response_model=None)
async def decide_right(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    typed = await typed_fields(request)  # read again by form_action: the form is cached
    right = Right(typed["right"]).label if typed.get("right") in Right.labels() else "Droit"
    outcome = typed.get("decision", "")
    said = Outcome(outcome).label.lower() if outcome in Outcome.labels() else ""
    done = f"{right} : {said}."
    act = functools.partial(actions.decide, request, staff, request_id)
    return await form_action(request, settings, staff, request_id, "decide", DecideIn, act, done)


@router.post("/privacy-requests/{request_id}/respond", response_model=None)
async def send_response(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    run = actions.respond(request, staff, request_id)
    done = "Réponse envoyée à la personne : la demande est close."
    return await attempt(request, settings, staff, request_id, "respond", run, done, {})


@router.post("/privacy-requests/{request_id}/lift-restriction", response_model=None)
async def lift_restriction(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    run = actions.lift_restriction(request, staff, request_id)
    done = "La personne est prévenue et la limitation levée : le suivi de son dossier reprend."
    return await attempt(request, settings, staff, request_id, "restriction", run, done, {})


@router.post("/privacy-requests/{request_id}/rectify", response_model=None)
async def rectify(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    told: list[bool] = []

    async def correct(data: RectificationIn) -> None:
        told.append(await actions.rectify(request, staff, request_id, data))

    def done() -> str:
        if all(told):
            return "Donnée rectifiée ; les créanciers qui avaient l'ancienne valeur sont prévenus."
        return (
            "Donnée rectifiée. Les créanciers n'ont pas pu être prévenus pour le moment : "
            "utilisez « Prévenir les créanciers » ci-dessous."
        )

    return await form_action(
        request, settings, staff, request_id, "rectify", RectificationIn, correct, done
    )


@router.post(
    "/privacy-requests/{request_id}/rectifications/{rectification_id}/notify",
    response_model=None,
)
async def notify_again(
    request: Request,
    request_id: str,
    rectification_id: int,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    async def notify() -> None:
        await actions.require_driver(request, staff, request_id)
        if not await actions.notify_correction(request, staff, request_id, rectification_id):
            raise TemporalUnavailable()

    done = "Créanciers prévenus."
    return await attempt(request, settings, staff, request_id, "rectify", notify(), done, {})


@router.post("/privacy-requests/{request_id}/notices/{notice_id}/acknowledged", response_model=None)
async def acknowledged(
    request: Request,
    request_id: str,
    notice_id: int,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    run = actions.acknowledge_notice(request, staff, request_id, notice_id)
    done = "Accusé de réception du créancier enregistré."
    return await attempt(request, settings, staff, request_id, "rectify", run, done, {})
