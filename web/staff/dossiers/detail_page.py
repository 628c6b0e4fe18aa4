"""GET /dossiers/{id}: the dossier page, also re-rendered with the message of a refused action."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_notes import (
    CALL_MAX_MINUTES,
    CALL_SUMMARY_MAX_LENGTH,
    CLIENT_PARTY,
    CREDITOR_PARTY_PREFIX,
    NOTE_MAX_LENGTH,
    CallDirection,
)
from domain.dossier_stages import (
    CLIENT_DOCUMENT_KINDS,
    DOCUMENT_LABELS_FR,
    OUTCOME_LABELS_FR,
)
from domain.french_dates import PARIS
from models.staff import Role, StaffUser
from services.budget.store import budget_status
from services.dossiers.queries import DossierDetail, get_dossier_detail
from web.auth import CurrentStaff
from web.codec import CODEC_ROLES
from web.deps import SettingsDep
from web.staff.dossiers.assignees import assignee_choices
from web.staff.negotiations.section import NegotiationForm, negotiation_context
from web.transactions import in_session
from web.ui.rendering import render

router = APIRouter()

READ_REASON = "consultation du dossier"


def temporal_ui_url(settings: Settings, workflow_id: str) -> str:
    namespace = quote(settings.temporal_namespace, safe="")
    return (
        f"{settings.temporal_ui_url.rstrip('/')}/namespaces/{namespace}"
        f"/workflows/{quote(workflow_id, safe='')}"
    )


def notes_context(detail: DossierDetail, form: dict[str, Any] | None) -> dict[str, Any]:
    """The note and call forms: what was typed (a refused form keeps it) or the defaults (a
    call is "now", with the client), and the choices of direction and party."""
    form = form or {"panel": "", "typed": {}, "errors": {}}
    typed = {
        "text": "",
        "direction": "",
        "party": CLIENT_PARTY,
        "called_at": local_minute(utcnow()),
        "duration_minutes": "",
        "summary": "",
        **form["typed"],
    }
    return {
        "notes_form": {**form, "typed": typed},
        "note_max": NOTE_MAX_LENGTH,
        "call_max": CALL_SUMMARY_MAX_LENGTH,
        "call_max_minutes": CALL_MAX_MINUTES,
        "direction_options": [(k.value, k.label) for k in CallDirection],
        "party_options": [(CLIENT_PARTY, "Le client")]
        + [(f"{CREDITOR_PARTY_PREFIX}{c.id}", c.name) for c in detail.creditors],
        "direction_labels": {k.value: k.label for k in CallDirection},
    }


def local_minute(moment: datetime) -> str:
    """`moment` as a datetime-local field shows it: Paris time, to the minute."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def _load(
    session: Session,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    negotiation: NegotiationForm | None,
) -> tuple[DossierDetail, dict[str, Any]]:
    detail = get_dossier_detail(session, staff, dossier_id, READ_REASON, settings)
    context = negotiation_context(session, settings, staff, detail, negotiation)
    # The "Budget et analyse" section: dates and channel only.
    context["budget"] = budget_status(session, dossier_id)
    # Reassignment is the team supervisor's: the case workers of the team to choose from.
    supervising = staff.role == Role.SUPERVISOR and detail.can_write
    context["reassign_options"] = assignee_choices(session, staff) if supervising else []
    return detail, context


async def dossier_page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    *,
    status_code: int = status.HTTP_200_OK,
    action_error: str = "",
    action_panel: str = "",
    upload: dict[str, Any] | None = None,
    closing: dict[str, Any] | None = None,
    hold: dict[str, Any] | None = None,
    negotiation: NegotiationForm | None = None,
    reassign: dict[str, Any] | None = None,
    notes_form: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The page; after a refused action, its message on top and the typed values kept."""
    detail, negotiations = await in_session(
        settings, _load, settings, staff, dossier_id, negotiation
    )
    return render(
        request,
        "web/dossiers/detail.html",
        {
            "nav": "dossiers",
            "dossier": detail,
            # Only for the roles the payload codec decodes for: others would see ciphertext.
            "temporal_url": (
                temporal_ui_url(settings, detail.workflow_id) if staff.role in CODEC_ROLES else None
            ),
            "codec_url": f"{settings.public_base_url.rstrip('/')}/codec",
            "action_error": action_error,
            # Which form the refused action came from: "upload", "close", "hold" ("" = on top).
            "action_panel": action_panel,
            "upload": upload or {"kind": "", "errors": {}},
            "closing": closing or {"outcome": "", "note": "", "errors": {}},
            "hold": hold or {"reason": "", "errors": {}},
            "reassign": reassign or {"assignee": "", "errors": {}},
            "upload_max": settings.upload_max_bytes,
            "document_options": [(k.value, DOCUMENT_LABELS_FR[k]) for k in CLIENT_DOCUMENT_KINDS],
            "removable_kinds": {k.value for k in CLIENT_DOCUMENT_KINDS},
            "outcome_options": [(k.value, v) for k, v in OUTCOME_LABELS_FR.items()],
            **notes_context(detail, notes_form),
            **negotiations,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/dossiers/{dossier_id}", response_class=HTMLResponse)
async def show_dossier(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    return await dossier_page(request, settings, staff, dossier_id)
