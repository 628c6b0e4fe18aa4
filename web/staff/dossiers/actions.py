"""POST actions of the dossier page: closure and legal hold.

The shared services in web/dossier_actions.py check access, ask the workflow (whose update
validators have the last word) and write the accompanying data only once it accepted. Here a
refusal re-renders the dossier page with its message and what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.dossier_stages import OUTCOME_LABELS_FR
from domain.intake import CloseRequest, LegalHoldRequest, validation_errors
from models.database import session_scope
from models.staff import StaffUser
from services.dossiers.access import DossierAction, load_dossier
from web import dossier_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.ui.flash import flash
from web.workflow_gateway import TemporalUnavailable, TransitionRefused

router = APIRouter()

CHOOSE_OUTCOME = "Choisissez l'issue du dossier."
CLOSE_NOT_DONE = "La clôture n'a pas été enregistrée : corrigez le formulaire de clôture."
HOLD_NOT_DONE = "La conservation n'a pas été placée : indiquez-en le motif."


async def refusal_of(action: Awaitable[Any]) -> tuple[int, str]:
    """(0, "") when the workflow accepted; otherwise the HTTP status and the message to show."""
    try:
        await action
    except TransitionRefused as exc:
        return status.HTTP_409_CONFLICT, exc.message
    except TemporalUnavailable as exc:
        return status.HTTP_503_SERVICE_UNAVAILABLE, exc.message
    return 0, ""


def _require(
    settings: Settings, staff: StaffUser, dossier_id: str, action: DossierAction, purpose: str
) -> None:
    """Refuse (403, audited) before showing form errors to someone who may not act at all."""
    with session_scope(settings) as session:
        load_dossier(session, staff, dossier_id, action, purpose)


def _back_to(dossier_id: str) -> RedirectResponse:
    return RedirectResponse(f"/dossiers/{dossier_id}", status.HTTP_303_SEE_OTHER)


@router.post("/dossiers/{dossier_id}/close", response_model=None)
async def close_dossier(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    closing: dict[str, Any] = {"outcome": outcome, "note": note, "errors": {}}
    try:
        close = CloseRequest.model_validate({"outcome": outcome, "note": note or None})
    except ValidationError as exc:
        await run_in_threadpool(
            _require, settings, staff, dossier_id, DossierAction.WRITE, "dossier.close"
        )
        closing["errors"] = validation_errors(exc)
        if not outcome:
            closing["errors"]["outcome"] = CHOOSE_OUTCOME
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            action_error=CLOSE_NOT_DONE,
            action_panel="close",
            closing=closing,
        )
    code, message = await refusal_of(actions.close_dossier(request, staff, dossier_id, close))
    if code:
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=code,
            action_error=message,
            action_panel="close",
            closing=closing,
        )
    flash(request, f"Dossier clôturé : {OUTCOME_LABELS_FR[close.outcome]}.")
    return _back_to(dossier_id)


@router.post("/dossiers/{dossier_id}/legal-hold", response_model=None)
async def place_legal_hold(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    reason: Annotated[str, Form()] = "",
) -> Response:
    hold: dict[str, Any] = {"reason": reason, "errors": {}}
    try:
        request_data = LegalHoldRequest.model_validate({"reason": reason})
    except ValidationError as exc:
        await run_in_threadpool(
            _require, settings, staff, dossier_id, DossierAction.LEGAL_HOLD, "dossier.legal_hold"
        )
        hold["errors"] = validation_errors(exc)
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            action_error=HOLD_NOT_DONE,
            action_panel="hold",
            hold=hold,
        )
    code, message = await refusal_of(
        actions.place_legal_hold(request, staff, dossier_id, request_data)
    )
    if code:
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=code,
            action_error=message,
            action_panel="hold",
            hold=hold,
        )
    flash(request, "Conservation pour motif légal placée : aucune suppression n'aura lieu.")
    return _back_to(dossier_id)


@router.post("/dossiers/{dossier_id}/legal-hold/lift", response_model=None)
async def lift_legal_hold(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    code, message = await refusal_of(actions.lift_legal_hold(request, staff, dossier_id))
    if code:
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=code,
            action_error=message,
            action_panel="hold",
        )
    flash(request, "Conservation pour motif légal levée.")
    return _back_to(dossier_id)
