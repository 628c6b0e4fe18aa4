"""The strategy editor and "Envoyer l'analyse au client".

GET/POST /dossiers/{id}/budget/strategy: the engine's proposals, pre-filled, to keep, edit or
drop, and the case worker's own lines. POST /dossiers/{id}/budget/submit asks the workflow to
send the analysis (SUBMIT_ANALYSIS_UPDATE); its refusal is shown next to the button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.budget import STRATEGY_LABELS_FR, propose_strategies
from domain.budget.legal_parameters import ParameterMissing
from domain.errors import InvalidInput
from models.database import session_scope
from models.staff import StaffUser
from rendering.labels import debt_name
from services.budget.store import (
    NO_BUDGET,
    NO_STRATEGY,
    BudgetNotReady,
    BudgetRefused,
    CurrentAnalysis,
    current_analysis_detail,
    save_strategy,
)
from services.dossiers.access import DossierAction, actor_of
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.budget.common import (
    BudgetHeading,
    budget_page,
    heading_of,
    load_heading,
    redirect,
)
from web.staff.budget.strategy_form import StrategyForm, error_summary
from web.staff.dossiers.actions import refusal_of
from web.ui.flash import flash
from web.workflow_gateway import send_update
from workflows.dossier_messages import SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis

router = APIRouter()

STRATEGY_OLDER = (
    "Le budget a été modifié après l'enregistrement de la stratégie : vérifiez les démarches et "
    "les mensualités avant l'envoi."
)


@dataclass(frozen=True)
class StrategyPage:
    heading: BudgetHeading
    current: CurrentAnalysis | None
    problem: str


def _load(
    settings: Settings, staff: StaffUser, dossier_id: str, action: DossierAction
) -> StrategyPage:
    with session_scope(settings) as session:
        heading = load_heading(session, staff, dossier_id, action, "budget.strategy")
        try:
            current = current_analysis_detail(session, staff, dossier_id, settings)
        except ParameterMissing as exc:
            return StrategyPage(heading, None, exc.message_fr)
    return StrategyPage(heading, current, "" if current else NO_BUDGET)


def _render(
    request: Request,
    settings: Settings,
    page: StrategyPage,
    form: StrategyForm | None,
    *,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    send_error: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    current = page.current
    context: dict[str, Any] = {
        "current": current,
        "problem": page.problem,
        "form": form,
        "errors": errors,
        "summary": error_summary(errors),
        "refusal": refusal,
        "send_error": send_error,
        "kind_options": [(k.value, v) for k, v in STRATEGY_LABELS_FR.items()],
        "debt_options": (
            []
            if current is None
            else [("", debt_name(current.data, None))]
            + [(str(i), debt_name(current.data, i)) for i in range(len(current.data.debts))]
        ),
        "strategy_older": STRATEGY_OLDER if _strategy_older(page.heading) else "",
    }
    return budget_page(
        request,
        settings,
        "web/budget/strategy.html",
        page.heading,
        context,
        tab="strategy",
        status_code=status_code,
    )


def _strategy_older(heading: BudgetHeading) -> bool:
    entered, chosen = heading.status.entered_at, heading.status.strategy_at
    return entered is not None and chosen is not None and chosen < entered


def _initial_form(current: CurrentAnalysis | None) -> StrategyForm | None:
    if current is None:
        return None
    return StrategyForm.build(current.strategy, propose_strategies(current.data, current.analysis))


@router.get("/dossiers/{dossier_id}/budget/strategy", response_class=HTMLResponse)
async def strategy_page(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    page = await run_in_threadpool(_load, settings, staff, dossier_id, DossierAction.READ)
    return _render(request, settings, page, _initial_form(page.current))


def _save(settings: Settings, staff: StaffUser, dossier_id: str, lines: list[Any]) -> None:
    with session_scope(settings) as session:
        save_strategy(session, staff, dossier_id, lines, settings)


@router.post("/dossiers/{dossier_id}/budget/strategy", response_model=None)
async def save_strategy_page(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    submitted = await request.form()
    page = await run_in_threadpool(_load, settings, staff, dossier_id, DossierAction.WRITE)
    form = StrategyForm.from_form(submitted)
    if page.current is None:
        return _render(request, settings, page, None, status_code=status.HTTP_409_CONFLICT)
    if submitted.get("add") == "line":
        form.add_row()
        return _render(request, settings, page, form)
    lines, errors = form.validate(len(page.current.data.debts))
    refusal = ""
    if lines is not None:
        try:
            await run_in_threadpool(_save, settings, staff, dossier_id, lines)
        except InvalidInput as exc:
            errors = exc.errors
        except (BudgetRefused, BudgetNotReady) as exc:
            refusal = exc.message
    if errors or refusal:
        return _render(
            request,
            settings,
            page,
            form,
            errors=errors,
            refusal=refusal,
            status_code=(
                status.HTTP_409_CONFLICT if refusal else status.HTTP_422_UNPROCESSABLE_CONTENT
            ),
        )
    flash(request, "Stratégie enregistrée. Vous pouvez maintenant envoyer l'analyse au client.")
    return redirect(f"/dossiers/{dossier_id}/budget/strategy#send")


def _submission_number(result: object) -> int | None:
    """The update's SubmissionResult, which arrives as a dict when no type hint is given."""
    value = (
        result.get("submission")
        if isinstance(result, dict)
        else getattr(result, "submission", None)
    )
    return value if isinstance(value, int) else None


def _notified(result: object) -> bool:
    value = (
        result.get("client_notified")
        if isinstance(result, dict)
        else getattr(result, "client_notified", True)
    )
    return bool(value)


@router.post("/dossiers/{dossier_id}/budget/submit", response_model=None)
async def submit_analysis(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    heading = await run_in_threadpool(heading_of, settings, staff, dossier_id, DossierAction.WRITE)
    missing = (
        NO_BUDGET
        if heading.status.entered_at is None
        else NO_STRATEGY
        if heading.status.strategy_at is None
        else ""
    )
    code, message = status.HTTP_409_CONFLICT, missing
    result: object = None
    if not missing:

        async def send() -> None:
            nonlocal result
            result = await send_update(
                request, dossier_id, SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor=actor_of(staff))
            )

        code, message = await refusal_of(send())
    if code:
        page = await run_in_threadpool(_load, settings, staff, dossier_id, DossierAction.READ)
        return _render(
            request,
            settings,
            page,
            _initial_form(page.current),
            send_error=message,
            status_code=code,
        )
    number = _submission_number(result)
    flash(
        request,
        "Analyse envoyée au client"
        + (f" (envoi n° {number})" if number else "")
        + " : il a reçu un e-mail avec un lien sécurisé pour la consulter et la valider.",
    )
    if not _notified(result):
        flash(
            request,
            "L'e-mail n'a pas pu être remis au client : prévenez-le par un autre moyen.",
            "warning",
        )
    return redirect(f"/dossiers/{dossier_id}#budget")
