"""GET/POST /dossiers/{id}/coordonnees: the client's contact details corrected by a case worker
who may change the dossier. Checked like intake; every change goes through the rectification
service, and the creditors that received an old value are named once saved."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from domain.contact_fields import ContactChannel
from domain.errors import InvalidInput, Refused
from domain.intake import ClientDetailsEdit, parse_input
from services.dossiers.client_details import client_details, edit_client_details
from services.privacy_requests.rectification import AppliedChange
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.transactions import in_session
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "departement",
    "preferred_channel",
    "reason",
)
LABELS = {
    "first_name": "Prénom",
    "last_name": "Nom de famille",
    "email": "Adresse e-mail",
    "phone": "Téléphone",
    "address": "Adresse postale",
    "departement": "Département",
    "preferred_channel": "Moyen de contact préféré",
    "reason": "Motif de la correction",
}
NOTHING_CHANGED = "Aucune coordonnée n'a changé : rien n'a été enregistré."


async def _page(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    dossier_id: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    try:
        details = await in_session(settings, client_details, settings, staff, dossier_id)
    except Refused as exc:
        return await dossier_page(
            request, settings, staff, dossier_id,
            status_code=exc.status_code, action_error=exc.message,
        )  # fmt: skip
    errors = errors or {}
    return render(
        request,
        "web/dossiers/client_edit.html",
        {
            "nav": "dossiers",
            "details": details,
            "form": form if form is not None else {**details.values, "reason": ""},
            "errors": errors,
            "summary": [(k, f"{LABELS.get(k, 'Formulaire')} : {v}") for k, v in errors.items()],
            "channel_options": [(c.value, c.label) for c in ContactChannel],
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/dossiers/{dossier_id}/coordonnees", response_model=None)
async def client_edit_page(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    return await _page(request, settings, staff, dossier_id)


@router.post("/dossiers/{dossier_id}/coordonnees", response_model=None)
async def save_client_details(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in FIELDS}
    try:
        data = parse_input(ClientDetailsEdit, {**form, "reason": form["reason"] or None})
    except InvalidInput as exc:
        return await _page(
            request, settings, staff, dossier_id, form, dict(exc.errors),
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip
    try:
        changes = await in_session(settings, edit_client_details, settings, staff, dossier_id, data)
    except Refused as exc:
        return await dossier_page(
            request, settings, staff, dossier_id,
            status_code=exc.status_code, action_error=exc.message,
        )  # fmt: skip
    _tell(request, changes)
    return RedirectResponse(f"/dossiers/{dossier_id}#h-client", status.HTTP_303_SEE_OTHER)


def _tell(request: Request, changes: list[AppliedChange]) -> None:
    if not changes:
        flash(request, NOTHING_CHANGED, "warning")
        return
    labels = ", ".join(LABELS[c.rectification.field_name] for c in changes)
    flash(request, f"Coordonnées enregistrées : {labels}.")
    told: dict[str, list[str]] = {}
    for change in changes:
        for name in change.recipients:
            told.setdefault(name, []).append(LABELS[change.rectification.field_name].lower())
    if told:
        who = " ; ".join(f"{name} ({', '.join(fields)})" for name, fields in told.items())
        flash(
            request,
            "Ces créanciers ont reçu l'ancienne valeur : prévenez-les de la correction. " + who,
            "warning",
        )
