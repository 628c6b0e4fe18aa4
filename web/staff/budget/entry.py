"""GET/POST /dossiers/{id}/budget: resources, charges, debts; a refused form comes back as typed."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.budget import (
    CHARGE_BASIS,
    CHARGE_LABELS_FR,
    DEBT_NATURE_LABELS_FR,
    RESOURCE_LABELS_FR,
    ChargeBasis,
)
from domain.clock import utcnow
from domain.dossier_stages import CREDITOR_KIND_LABELS_FR
from domain.errors import InvalidInput
from domain.french_dates import PARIS
from models.database import session_scope
from models.dossier import DossierCreditor
from models.staff import StaffUser
from services.budget.store import BudgetRefused, load_budget_input, save_budget_input
from services.dossiers.access import DossierAction
from services.effective import effective
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
from web.staff.budget.entry_form import SECTIONS, BudgetForm, error_summary
from web.ui.flash import flash

router = APIRouter()

NOT_SAVED = "Le budget n'a pas été enregistré."
ALLOWANCE_LABELS = [
    label
    for category, label in CHARGE_LABELS_FR.items()
    if CHARGE_BASIS[category] is ChargeBasis.ALLOWANCE
]


def _options(form: BudgetForm) -> dict[str, list[tuple[str, str]]]:
    # Allowance-based charges are counted at the commission's forfait whatever is declared:
    # they are offered only if a stored budget already has one, so it is not lost on saving.
    present = {row.category for row in form.charges}
    charges = [
        (c.value, label)
        for c, label in CHARGE_LABELS_FR.items()
        if CHARGE_BASIS[c] is not ChargeBasis.ALLOWANCE or c.value in present
    ]
    return {
        "resource_options": [(k.value, v) for k, v in RESOURCE_LABELS_FR.items()],
        "charge_options": charges,
        "nature_options": [(k.value, v) for k, v in DEBT_NATURE_LABELS_FR.items()],
        "creditor_kind_options": [(k.value, v) for k, v in CREDITOR_KIND_LABELS_FR.items()],
        "adult_options": [("1", "1 adulte"), ("2", "2 adultes")],
        "person_options": [("1", "Adulte 1"), ("2", "Adulte 2")],
    }


def _page(
    request: Request,
    settings: Settings,
    heading: BudgetHeading,
    form: BudgetForm,
    errors: dict[str, str] | None = None,
    *,
    refusal: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return budget_page(
        request,
        settings,
        "web/budget/entry.html",
        heading,
        {
            "form": form,
            "errors": errors,
            "summary": error_summary(errors),
            "refusal": refusal,
            "allowance_labels": ALLOWANCE_LABELS,
            **_options(form),
        },
        tab="entry",
        status_code=status_code,
    )


def _load_form(
    settings: Settings, staff: StaffUser, dossier_id: str
) -> tuple[BudgetHeading, BudgetForm]:
    with session_scope(settings) as session:
        heading = load_heading(session, staff, dossier_id)
        data = load_budget_input(session, staff, dossier_id, settings)
        if data is not None:
            return heading, BudgetForm.from_input(data)
        creditors = session.exec(
            select(DossierCreditor.name, DossierCreditor.kind)
            .where(DossierCreditor.dossier_id == heading.id, effective(DossierCreditor))
            .order_by(col(DossierCreditor.id))
        ).all()
    today = utcnow().astimezone(PARIS).date()
    return heading, BudgetForm.blank_form(today, [(name, str(kind)) for name, kind in creditors])


@router.get("/dossiers/{dossier_id}/budget", response_class=HTMLResponse)
async def budget_form(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    heading, form = await run_in_threadpool(_load_form, settings, staff, dossier_id)
    return _page(request, settings, heading, form)


def _save(
    settings: Settings, staff: StaffUser, dossier_id: str, form: BudgetForm
) -> dict[str, str]:
    data, errors = form.validate()
    if data is None:
        return errors
    try:
        with session_scope(settings) as session:
            save_budget_input(session, staff, dossier_id, data, settings)
    except InvalidInput as exc:
        # Checks needing the parameters: a date before the first barème, missing forfaits.
        return form.page_errors(exc.errors)
    return {}


@router.post("/dossiers/{dossier_id}/budget", response_model=None)
async def save_budget(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    submitted = await request.form()
    # Refuse (403, audited) before showing form errors to someone who may not write here.
    heading = await run_in_threadpool(heading_of, settings, staff, dossier_id, DossierAction.WRITE)
    form = BudgetForm.from_form(submitted)
    add = submitted.get("add")
    if isinstance(add, str) and add in SECTIONS:
        form.add_rows(add)
        return _page(request, settings, heading, form)
    try:
        errors = await run_in_threadpool(_save, settings, staff, dossier_id, form)
    except BudgetRefused as exc:
        return _page(
            request,
            settings,
            heading,
            form,
            refusal=exc.message,
            status_code=status.HTTP_409_CONFLICT,
        )
    if errors:
        return _page(
            request,
            settings,
            heading,
            form,
            errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    flash(request, "Budget enregistré. Voici l'analyse qui en résulte.")
    return redirect(f"/dossiers/{dossier_id}/budget/analysis")
