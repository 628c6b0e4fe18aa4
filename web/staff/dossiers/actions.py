"""POST actions of the dossier page: closure and legal hold.

The shared services in web/dossier_actions.py check access, ask the workflow (whose update
validators have the last word) and write the accompanying data only once it accepted. Here a
refusal re-renders the dossier page with its message and what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
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


@dataclass(frozen=True)
class DossierPost:
    """A POST made from the dossier page by `staff`: a refusal shows that page again."""

    request: Request
    settings: Settings
    staff: StaffUser
    dossier_id: str

    async def page_again(self, status_code: int, **state: Any) -> Response:
        """The dossier page, with `state` saying what is open, what was typed and why."""
        return await dossier_page(
            self.request,
            self.settings,
            self.staff,
            self.dossier_id,
            status_code=status_code,
            **state,
        )


@dataclass(frozen=True)
class PanelAction(DossierPost):
    """A POST of one of the dossier page's action panels (closure, legal hold), once the CSRF
    token is checked: the workflow is asked, and a refusal shows the page again with the panel
    open, what was typed and why."""

    panel: str

    async def refused(self, status_code: int, message: str, **kept: Any) -> Response:
        return await self.page_again(
            status_code, action_error=message, action_panel=self.panel, **kept
        )

    async def invalid(
        self, access: DossierAction, purpose: str, message: str, **kept: Any
    ) -> Response:
        """422 with the form's errors, once the viewer is known to be allowed at all."""
        await run_in_threadpool(
            _require, self.settings, self.staff, self.dossier_id, access, purpose
        )
        return await self.refused(status.HTTP_422_UNPROCESSABLE_CONTENT, message, **kept)

    async def ask(self, attempt: Awaitable[Any], done: str, **kept: Any) -> Response:
        code, message = await refusal_of(attempt)
        if code:
            return await self.refused(code, message, **kept)
        flash(self.request, done)
        return RedirectResponse(f"/dossiers/{self.dossier_id}", status.HTTP_303_SEE_OTHER)


def _panel(name: str) -> Any:
    async def action(
        request: Request,
        dossier_id: str,
        settings: SettingsDep,
        staff: CurrentStaff,
        _csrf: CsrfProtected,
    ) -> PanelAction:
        return PanelAction(request, settings, staff, dossier_id, name)

    return Depends(action)


ClosePanel = Annotated[PanelAction, _panel("close")]
HoldPanel = Annotated[PanelAction, _panel("hold")]


@router.post("/dossiers/{dossier_id}/close", response_model=None)
async def close_dossier(
    panel: ClosePanel,
    outcome: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    closing: dict[str, Any] = {"outcome": outcome, "note": note, "errors": {}}
    try:
        close = CloseRequest.model_validate({"outcome": outcome, "note": note or None})
    except ValidationError as exc:
        closing["errors"] = validation_errors(exc)
        if not outcome:
            closing["errors"]["outcome"] = CHOOSE_OUTCOME
        return await panel.invalid(
            DossierAction.WRITE, "dossier.close", CLOSE_NOT_DONE, closing=closing
        )
    return await panel.ask(
        actions.close_dossier(panel.request, panel.staff, panel.dossier_id, close),
        f"Dossier clôturé : {OUTCOME_LABELS_FR[close.outcome]}.",
        closing=closing,
    )


@router.post("/dossiers/{dossier_id}/legal-hold", response_model=None)
async def place_legal_hold(panel: HoldPanel, reason: Annotated[str, Form()] = "") -> Response:
    hold: dict[str, Any] = {"reason": reason, "errors": {}}
    try:
        request_data = LegalHoldRequest.model_validate({"reason": reason})
    except ValidationError as exc:
        hold["errors"] = validation_errors(exc)
        return await panel.invalid(
            DossierAction.LEGAL_HOLD, "dossier.legal_hold", HOLD_NOT_DONE, hold=hold
        )
    return await panel.ask(
        actions.place_legal_hold(panel.request, panel.staff, panel.dossier_id, request_data),
        "Conservation pour motif légal placée : aucune suppression n'aura lieu.",
        hold=hold,
    )


@router.post("/dossiers/{dossier_id}/legal-hold/lift", response_model=None)
async def lift_legal_hold(panel: HoldPanel) -> Response:
    return await panel.ask(
        actions.lift_legal_hold(panel.request, panel.staff, panel.dossier_id),
        "Conservation pour motif légal levée.",
    )
