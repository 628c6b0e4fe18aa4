"""GET/POST /dossiers/new: the intake form; a refused submission comes back exactly as typed."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.contact_fields import CONTACT_CHANNEL_LABELS_FR, ContactChannel
from domain.dossier_stages import (
    CLIENT_DOCUMENT_KINDS,
    CREDITOR_KIND_LABELS_FR,
    DOCUMENT_LABELS_FR,
)
from domain.errors import AccessDenied, ConflictingInput, InvalidInput
from models.database import session_scope
from models.staff import StaffUser
from services.dossiers.access import DOSSIER_WRITERS
from services.dossiers.intake_requests import check_request_key
from web import dossier_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.dossier_actions import OpenedDossier
from web.staff.dossiers.assignees import assignee_choices
from web.staff.dossiers.intake_form import DossierForm, error_summary
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()


def _assignees(settings: Settings, staff: StaffUser) -> list[tuple[str, str]]:
    with session_scope(settings) as session:
        return assignee_choices(session, staff)


def _form_page(
    request: Request,
    settings: Settings,
    form: DossierForm,
    assignees: list[tuple[str, str]],
    errors: dict[str, str] | None = None,
    second_dossier: bool = False,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/dossiers/new.html",
        {
            "nav": "new",
            "form": form,
            "errors": errors,
            "summary": error_summary(errors),
            "channel_options": [(c.value, label) for c, label in CONTACT_CHANNEL_LABELS_FR.items()],
            "creditor_kind_options": [(k.value, v) for k, v in CREDITOR_KIND_LABELS_FR.items()],
            "document_options": [(k.value, DOCUMENT_LABELS_FR[k]) for k in CLIENT_DOCUMENT_KINDS],
            "assignee_options": assignees,
            # The person has an open dossier: the form offers to confirm a second one.
            "second_dossier": second_dossier,
        },
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK,
        settings=settings,
    )


@router.get("/dossiers/new", response_class=HTMLResponse)
async def new_dossier_form(
    request: Request, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    if staff.role not in DOSSIER_WRITERS:
        # Said before anything is typed, rather than refusing the filled-in form.
        raise AccessDenied("Votre rôle permet de consulter les dossiers, pas d'en ouvrir.")
    assignees = await run_in_threadpool(_assignees, settings, staff)
    form = DossierForm(preferred_channel=ContactChannel.EMAIL.value, assignee_id=str(staff.id))
    return _form_page(request, settings, form, assignees)


@router.post("/dossiers/new", response_model=None)
async def create_dossier_page(
    request: Request, settings: SettingsDep, staff: CurrentStaff, _csrf: CsrfProtected
) -> Response:
    form = DossierForm.from_form(await request.form())
    data, errors = form.validate()
    opened: OpenedDossier | None = None
    second_dossier = False
    if data is not None:
        try:
            # Rows and workflow intent commit together; the workflow starts now or, if Temporal
            # is down, later from the worker's relay: the dossier is created either way.
            key = check_request_key(form.request_token)
            opened = await actions.open_dossier(request, data, staff, key)
        except InvalidInput as exc:
            # Checks that need the database (e.g. the assignee's team), keyed like the form.
            errors = form.page_errors(exc.errors)
            second_dossier = isinstance(exc, ConflictingInput) and "email" in exc.errors
    if opened is None:
        assignees = await run_in_threadpool(_assignees, settings, staff)
        return _form_page(request, settings, form, assignees, errors, second_dossier)
    dossier = opened.dossier
    if opened.created:
        flash(request, f"Dossier {dossier.reference} créé.")
    else:
        flash(
            request,
            f"Ce formulaire avait déjà été envoyé : le dossier {dossier.reference} "
            "existait, aucun second dossier n'a été créé.",
            "warning",
        )
    return RedirectResponse(f"/dossiers/{dossier.id}", status.HTTP_303_SEE_OTHER)
