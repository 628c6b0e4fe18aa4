"""GET/POST /privacy-requests/new: record a request received by letter or email; a refused
submission comes back exactly as typed."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.errors import InvalidInput
from domain.privacy.request import Right
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from services.dossiers.access import DossierAction, load_dossier
from services.dossiers.intake_requests import check_request_key
from services.privacy_requests.access import require_request_role
from web import privacy_request_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.privacy.entry_form import FIELD_LABELS, STAFF_CHANNELS, PrivacyRequestForm
from web.ui.error_summary import summary_lines
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()


def _dossier_of_client(settings: Settings, staff: StaffUser, client_id: str) -> Dossier | None:
    """The client's latest dossier the viewer may read (what the form names the person by)."""
    with session_scope(settings) as session:
        require_request_role(session, staff, "privacy_request.create")
        if not client_id:
            return None
        client = session.get(Client, client_id) if len(client_id) <= 32 else None
        if client is None:
            return None
        latest = session.exec(
            select(Dossier.id)
            .where(Dossier.client_id == client.id)
            .order_by(col(Dossier.created_at).desc())
        ).first()
        if latest is None:
            return None
        return load_dossier(session, staff, latest, DossierAction.READ, "privacy_request.create")


def _form_page(
    request: Request,
    settings: Settings,
    form: PrivacyRequestForm,
    dossier: Dossier | None,
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/privacy/new.html",
        {
            "nav": "privacy",
            "form": form,
            "dossier": dossier,
            "errors": errors,
            "summary": summary_lines(errors, FIELD_LABELS),
            "right_options": [(r.value, label) for r, label in Right.labels().items()],
            "channel_options": [(c.value, c.label) for c in STAFF_CHANNELS],
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/privacy-requests/new", response_class=HTMLResponse)
async def new_request_form(
    request: Request, settings: SettingsDep, staff: CurrentStaff, client: str = ""
) -> HTMLResponse:
    dossier = await run_in_threadpool(_dossier_of_client, settings, staff, client[:40])
    form = PrivacyRequestForm(client_id=dossier.client_id if dossier else "")
    return _form_page(request, settings, form, dossier)


@router.post("/privacy-requests/new", response_model=None)
async def record_request_page(
    request: Request, settings: SettingsDep, staff: CurrentStaff, _csrf: CsrfProtected
) -> Response:
    form = PrivacyRequestForm.from_form(await request.form())
    dossier = await run_in_threadpool(_dossier_of_client, settings, staff, form.client_id)
    if form.client_id and dossier is None:
        form.client_id = ""  # a client the viewer cannot see: asked for by email instead
    data, errors = form.validate()
    if data is not None:
        try:
            key = check_request_key(form.request_token)
            recorded = await actions.record_request(request, data, staff, key)
        except InvalidInput as exc:
            errors = {path.split(".")[0]: message for path, message in exc.errors.items()}
        else:
            row = recorded.row
            if recorded.created:
                flash(
                    request,
                    f"Demande {row.reference} enregistrée : le délai court depuis sa réception.",
                )
            else:
                flash(
                    request,
                    f"Ce formulaire avait déjà été envoyé : la demande {row.reference} existait, "
                    "aucune seconde demande n'a été enregistrée.",
                    "warning",
                )
            return RedirectResponse(f"/privacy-requests/{row.id}", status.HTTP_303_SEE_OTHER)
    return _form_page(
        request, settings, form, dossier, errors, status.HTTP_422_UNPROCESSABLE_CONTENT
    )
