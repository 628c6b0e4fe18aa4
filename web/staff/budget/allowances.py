"""GET/POST /allowances: the commissions' forfaits as dated parameters (admins and supervisors).

No personal data here: figures a commission publishes. Every change is audited with the figures
before and after; rows seeded from the sample figures are flagged until someone replaces them.
The list is paged (the filter kept in every page link); a deletion is confirmed on its own page
naming the row, whose form alone deletes.
"""

from __future__ import annotations

from itertools import groupby
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.budget.inputs import DEFAULT_DEPARTEMENT
from domain.input_fields import MAX_PAGE, whole_number
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
PER_PAGE = 25
# Pages linked around the current one; the first and last are always linked.
PAGE_WINDOW = 2


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


def list_url(shown: str, page: int = 1) -> str:
    params = {"departement": shown} if shown else {}
    if page > 1:
        params["page"] = str(page)
    return "/allowances" + (f"?{urlencode(params)}" if params else "")


def page_links(shown: str, page: int, pages: int) -> list[tuple[int, str | None]]:
    """(number, url) for the pagination; url None stands for a gap ("…")."""
    numbers = {1, pages, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    links: list[tuple[int, str | None]] = []
    previous = 0
    for number in sorted(n for n in numbers if 1 <= n <= pages):
        if number > previous + 1:
            links.append((0, None))
        links.append((number, list_url(shown, number)))
        previous = number
    return links


def _page(
    request: Request,
    settings: Settings,
    rows: list[AllowanceParameter],
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    shown: str = "",
    page: int = 1,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    departements = list(dict.fromkeys(row.departement for row in rows))
    options = [(d, "Tous les autres (*)" if d == DEFAULT_DEPARTEMENT else d) for d in departements]
    listed = [row for row in rows if row.departement == shown] if shown else rows
    pages = max(1, -(-len(listed) // PER_PAGE))
    page = min(page, pages)
    on_page = listed[(page - 1) * PER_PAGE : page * PER_PAGE]
    groups = [
        (departement, list(items))
        for departement, items in groupby(on_page, lambda r: r.departement)
    ]
    return render(
        request,
        "web/budget/allowances.html",
        {
            "nav": "allowances",
            "groups": groups,
            "page": page,
            "pages": pages,
            "total": len(listed),
            "page_links": page_links(shown, page, pages),
            "prev_url": list_url(shown, page - 1) if page > 1 else None,
            "next_url": list_url(shown, page + 1) if page < pages else None,
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
    page: str = "1",
) -> HTMLResponse:
    rows = await run_in_threadpool(_rows, settings)
    editing = next((row for row in rows if row.id == edit), None)
    form = _as_form(editing) if editing else {name: "" for name in FIELDS}
    number = whole_number(page, maximum=MAX_PAGE) or 1
    return _page(request, settings, rows, form, shown=departement.strip()[:3], page=number)


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


def _row(settings: Settings, parameter_id: int) -> AllowanceParameter | None:
    with session_scope(settings) as session:
        return session.get(AllowanceParameter, parameter_id)


def _gone(request: Request) -> Response:
    flash(request, "Ce forfait n'existe plus.", "warning")
    return redirect("/allowances")


@router.get("/allowances/{parameter_id}/delete", response_model=None)
async def confirm_delete_allowance(
    request: Request, parameter_id: RowId, settings: SettingsDep, staff: Editor
) -> Response:
    """The confirmation step: what will be deleted, and the only form that deletes it."""
    row = await run_in_threadpool(_row, settings, parameter_id)
    if row is None:
        return _gone(request)
    return render(
        request,
        "web/budget/allowance_delete.html",
        {
            "nav": "allowances",
            "row": row,
            "label": PARAMETER_LABELS_FR[row.category],
            "back": f"{list_url(row.departement)}#d-{row.departement}",
        },
        settings=settings,
    )


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
        return _gone(request)
    flash(
        request,
        f"Forfait supprimé : {PARAMETER_LABELS_FR[row.category]}, département {row.departement}, "
        f"à partir du {date_input(row.valid_from)}.",
    )
    return redirect(f"/allowances?departement={quote(row.departement)}#d-{row.departement}")
