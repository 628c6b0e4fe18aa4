"""GET/POST /allowances: the commissions' forfaits as dated parameters (admins and supervisors).

No personal data here: figures a commission publishes. Every change is audited with the figures
before and after; rows seeded from the sample figures are flagged until someone replaces them.
"""

from __future__ import annotations

from itertools import groupby
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.budget.inputs import DEFAULT_DEPARTEMENT
from domain.intake import validation_errors
from models.allowance_parameters import AllowanceParameter
from models.database import session_scope
from models.staff import StaffUser
from rendering.labels import amount_input, date_input
from services.budget.allowances import (
    PARAMETER_LABELS_FR,
    AllowanceParameterIn,
    delete_parameter,
    list_parameters,
    save_parameter,
)
from services.dossiers.access import actor_of
from web.auth import require_role
from web.csrf import CsrfProtected
from web.deps import RowId, SettingsDep
from web.staff.budget.common import ALLOWANCE_EDITORS, redirect
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

Editor = Annotated[StaffUser, Depends(require_role(*ALLOWANCE_EDITORS))]
FIELDS = (
    "departement",
    "valid_from",
    "category",
    "base_amount",
    "second_adult_amount",
    "per_child_amount",
    "source",
)
# Empty, these get their own message ("Indiquez la source…") rather than "obligatoire".
SPECIFIC_WHEN_EMPTY = {"category", "source"}
FIELD_LABELS = {
    "departement": "Département",
    "valid_from": "En vigueur à partir du",
    "category": "Poste",
    "base_amount": "Adulte seul",
    "second_adult_amount": "Deuxième adulte",
    "per_child_amount": "Par enfant",
    "source": "Source",
}


def _as_form(row: AllowanceParameter) -> dict[str, str]:
    return {
        "departement": row.departement,
        "valid_from": date_input(row.valid_from),
        "category": row.category.value,
        "base_amount": amount_input(row.base_amount),
        "second_adult_amount": amount_input(row.second_adult_amount),
        "per_child_amount": amount_input(row.per_child_amount),
        "source": "" if row.sample else row.source,
    }


def _rows(settings: Settings) -> list[AllowanceParameter]:
    with session_scope(settings) as session:
        return list_parameters(session)


def _page(
    request: Request,
    settings: Settings,
    rows: list[AllowanceParameter],
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    shown: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    groups = [
        (departement, list(items)) for departement, items in groupby(rows, lambda r: r.departement)
    ]
    options = [(d, "Tous les autres (*)" if d == DEFAULT_DEPARTEMENT else d) for d, _ in groups]
    if shown:
        groups = [group for group in groups if group[0] == shown]
    return render(
        request,
        "web/budget/allowances.html",
        {
            "nav": "allowances",
            "groups": groups,
            "default_departement": DEFAULT_DEPARTEMENT,
            "has_samples": any(row.sample for row in rows),
            "departement_options": options,
            "shown": shown,
            "form": form,
            "errors": errors,
            "summary": [
                (k, f"{FIELD_LABELS.get(k, 'Formulaire')} : {v}") for k, v in errors.items()
            ],
            "category_options": [(c.value, label) for c, label in PARAMETER_LABELS_FR.items()],
            "labels": {c.value: label for c, label in PARAMETER_LABELS_FR.items()},
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/allowances", response_class=HTMLResponse)
async def allowances_page(
    request: Request,
    settings: SettingsDep,
    staff: Editor,
    edit: int | None = None,
    departement: str = "",
) -> HTMLResponse:
    rows = await run_in_threadpool(_rows, settings)
    editing = next((row for row in rows if row.id == edit), None)
    form = _as_form(editing) if editing else {name: "" for name in FIELDS}
    return _page(request, settings, rows, form, shown=departement.strip()[:3])


def _save(settings: Settings, staff: StaffUser, data: AllowanceParameterIn) -> None:
    with session_scope(settings) as session:
        save_parameter(session, data, actor_of(staff))


@router.post("/allowances", response_model=None)
async def save_allowance(
    request: Request, settings: SettingsDep, staff: Editor, _csrf: CsrfProtected
) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in FIELDS}
    try:
        data = AllowanceParameterIn.model_validate(
            {k: v for k, v in form.items() if v.strip() or k in SPECIFIC_WHEN_EMPTY}
        )
    except ValidationError as exc:
        rows = await run_in_threadpool(_rows, settings)
        return _page(
            request,
            settings,
            rows,
            form,
            validation_errors(exc),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    await run_in_threadpool(_save, settings, staff, data)
    flash(
        request,
        f"Forfait enregistré : {PARAMETER_LABELS_FR[data.category]}, département "
        f"{data.departement}, à partir du {date_input(data.valid_from)}.",
    )
    return redirect(f"/allowances?departement={quote(data.departement)}#d-{data.departement}")


def _delete(settings: Settings, staff: StaffUser, parameter_id: int) -> AllowanceParameter | None:
    with session_scope(settings) as session:
        return delete_parameter(session, parameter_id, actor_of(staff))


@router.post("/allowances/{parameter_id}/delete", response_model=None)
async def delete_allowance(
    request: Request,
    parameter_id: RowId,
    settings: SettingsDep,
    staff: Editor,
    _csrf: CsrfProtected,
) -> Response:
    row = await run_in_threadpool(_delete, settings, staff, parameter_id)
    if row is None:
        flash(request, "Ce forfait n'existe plus.", "warning")
        return redirect("/allowances")
    flash(
        request,
        f"Forfait supprimé : {PARAMETER_LABELS_FR[row.category]}, département {row.departement}, "
        f"à partir du {date_input(row.valid_from)}.",
    )
    return redirect(f"/allowances?departement={quote(row.departement)}#d-{row.departement}")
