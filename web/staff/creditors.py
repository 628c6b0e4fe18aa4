"""/creanciers: the creditor directory. Listed for every signed-in staff member (business
contacts, no client data); added and changed by supervisors and admins, audited. A refused
form comes back with what was typed and a message per field."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.dossier_stages import CREDITOR_KIND_LABELS_FR
from domain.errors import InvalidInput
from models.creditor_directory import CREDITOR_CHANNEL_LABELS_FR, Creditor
from models.database import session_scope
from models.staff import StaffUser
from services.creditors import (
    DIRECTORY_EDITORS,
    FIELDS,
    check_creditor,
    create_creditor,
    get_creditor,
    list_creditors,
    update_creditor,
)
from web.auth import CurrentStaff, require_role
from web.csrf import CsrfProtected
from web.deps import RowId, SettingsDep
from web.staff.budget.common import redirect
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

Editor = Annotated[StaffUser, Depends(require_role(*DIRECTORY_EDITORS))]
FIELD_LABELS = {
    "name": "Nom",
    "kind": "Type de créancier",
    "contact_channel": "Nos messages lui parviennent par",
    "contact_email": "Adresse e-mail",
    "postal_address": "Adresse postale",
    "ombudsman_name": "Médiateur",
    "ombudsman_contact": "Coordonnées du médiateur",
}


def _rows(settings: Settings) -> list[Creditor]:
    with session_scope(settings) as session:
        return list_creditors(session)


def _as_form(creditor: Creditor | None) -> dict[str, str]:
    if creditor is None:
        return {name: "" for name in FIELDS}
    return {name: str(getattr(creditor, name) or "") for name in FIELDS}


@router.get("/creanciers", response_class=HTMLResponse)
async def directory(request: Request, settings: SettingsDep, staff: CurrentStaff) -> HTMLResponse:
    rows = await run_in_threadpool(_rows, settings)
    return render(
        request,
        "web/creditors/list.html",
        {
            "nav": "creditors",
            "rows": rows,
            "can_edit": staff.role in DIRECTORY_EDITORS,
            "has_samples": any(row.sample for row in rows),
            "kind_labels": {k.value: v for k, v in CREDITOR_KIND_LABELS_FR.items()},
            "channel_labels": {k.value: v for k, v in CREDITOR_CHANNEL_LABELS_FR.items()},
        },
        settings=settings,
    )


def _form_page(
    request: Request,
    settings: Settings,
    form: dict[str, str],
    *,
    creditor: Creditor | None,
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/creditors/form.html",
        {
            "nav": "creditors",
            "creditor": creditor,
            "form": form,
            "errors": errors,
            "summary": [
                (k, f"{FIELD_LABELS.get(k, 'Formulaire')} : {v}") for k, v in errors.items()
            ],
            "kind_options": [(k.value, v) for k, v in CREDITOR_KIND_LABELS_FR.items()],
            "channel_options": [(k.value, v) for k, v in CREDITOR_CHANNEL_LABELS_FR.items()],
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/creanciers/nouveau", response_class=HTMLResponse)
async def new_creditor_form(request: Request, settings: SettingsDep, staff: Editor) -> HTMLResponse:
    return _form_page(request, settings, _as_form(None), creditor=None)


def _one(settings: Settings, creditor_id: int) -> Creditor:
    with session_scope(settings) as session:
        return get_creditor(session, creditor_id)


@router.get("/creanciers/{creditor_id}/modifier", response_class=HTMLResponse)
async def edit_creditor_form(
    request: Request, creditor_id: RowId, settings: SettingsDep, staff: Editor
) -> HTMLResponse:
    creditor = await run_in_threadpool(_one, settings, creditor_id)
    return _form_page(request, settings, _as_form(creditor), creditor=creditor)


async def _save(
    request: Request, settings: Settings, staff: StaffUser, creditor_id: int | None
) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in FIELDS}
    creditor = None if creditor_id is None else await run_in_threadpool(_one, settings, creditor_id)

    def save() -> str:
        data = check_creditor(form)
        with session_scope(settings) as session:
            if creditor_id is None:
                return create_creditor(session, staff, data).name
            return update_creditor(session, staff, creditor_id, data).name

    try:
        name = await run_in_threadpool(save)
    except InvalidInput as exc:
        return _form_page(
            request,
            settings,
            form,
            creditor=creditor,
            errors=exc.errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    flash(request, f"Annuaire mis à jour : {name}.")
    return redirect("/creanciers")


@router.post("/creanciers/nouveau", response_model=None)
async def create(
    request: Request, settings: SettingsDep, staff: Editor, _csrf: CsrfProtected
) -> Response:
    return await _save(request, settings, staff, None)


@router.post("/creanciers/{creditor_id}/modifier", response_model=None)
async def update(
    request: Request, creditor_id: RowId, settings: SettingsDep, staff: Editor, _csrf: CsrfProtected
) -> Response:
    return await _save(request, settings, staff, creditor_id)
