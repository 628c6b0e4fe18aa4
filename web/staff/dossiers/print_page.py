"""GET /dossiers/{id}/imprimer: the dossier on paper (client, creditors and negotiations, the
analysis' key figures, documents, timeline), without the site's navigation; a read of the
dossier, access-checked and audited as the dossier page is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from config.settings import Settings
from domain.budget.legal_parameters import ParameterMissing
from domain.clock import utcnow
from models.staff import StaffUser
from services.budget.store import current_analysis_detail
from services.dossiers.print_view import negotiation_lines
from services.dossiers.queries import get_dossier_detail
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.transactions import in_session
from web.ui.rendering import render

router = APIRouter()

PRINT_REASON = "impression du dossier"


def _load(
    session: Session, settings: Settings, staff: StaffUser, dossier_id: str
) -> dict[str, Any]:
    detail = get_dossier_detail(session, staff, dossier_id, PRINT_REASON, settings)
    try:
        current = current_analysis_detail(session, staff, detail.id, settings)
        problem = ""
    except ParameterMissing as exc:
        current, problem = None, exc.message_fr
    return {
        "dossier": detail,
        "negotiations": negotiation_lines(session, detail.id),
        "analysis": current.analysis if current else None,
        "analysis_problem": problem,
    }


@router.get("/dossiers/{dossier_id}/imprimer", response_class=HTMLResponse)
async def print_dossier(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    context = await in_session(settings, _load, settings, staff, dossier_id)
    return render(
        request,
        "web/dossiers/print.html",
        {**context, "printed_at": utcnow()},
        settings=settings,
    )
