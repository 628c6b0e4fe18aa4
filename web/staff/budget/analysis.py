"""GET /dossiers/{id}/budget/analysis: every figure and how it was obtained; the PDF preview."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.budget.legal_parameters import ParameterMissing
from domain.errors import NotFound
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from services.budget.report import (
    render_analysis_pdf,
    report_filename,
    report_header,
)
from services.budget.store import CurrentAnalysis, current_analysis_detail
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.budget.common import BudgetHeading, budget_page, load_heading
from web.staff.dossiers.documents import content_disposition

router = APIRouter()

NO_BUDGET_YET = "Aucun budget n'est encore saisi pour ce dossier : l'analyse s'affichera ici."


@dataclass(frozen=True)
class AnalysisPage:
    heading: BudgetHeading
    current: CurrentAnalysis | None
    problem: str


def load_analysis(settings: Settings, staff: StaffUser, dossier_id: str) -> AnalysisPage:
    """The heading and the analysis of the working copy (or why there is none)."""
    with session_scope(settings) as session:
        heading = load_heading(session, staff, dossier_id, purpose="budget.analysis")
        try:
            current = current_analysis_detail(session, staff, dossier_id, settings)
        except ParameterMissing as exc:
            # E.g. forfaits deleted since the budget was saved: say so rather than fail.
            return AnalysisPage(heading, None, exc.message_fr)
    return AnalysisPage(heading, current, "" if current else NO_BUDGET_YET)


@router.get("/dossiers/{dossier_id}/budget/analysis", response_class=HTMLResponse)
async def analysis_page(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    page = await run_in_threadpool(load_analysis, settings, staff, dossier_id)
    return budget_page(
        request,
        settings,
        "web/budget/analysis.html",
        page.heading,
        {"current": page.current, "problem": page.problem},
        tab="analysis",
    )


def _preview(settings: Settings, staff: StaffUser, dossier_id: str) -> tuple[str, bytes]:
    page = load_analysis(settings, staff, dossier_id)
    if page.current is None:
        raise NotFound(page.problem)
    with session_scope(settings) as session:
        dossier = session.get(Dossier, page.heading.id)
        if dossier is None:
            raise NotFound("Dossier introuvable : il n'existe pas ou plus.")
        header = report_header(session, dossier, settings, submission=None, submitted_at=None)
    current = page.current
    pdf = render_analysis_pdf(header, current.data, current.analysis, current.strategy or [])
    return report_filename(dossier.reference, None), pdf


@router.get("/dossiers/{dossier_id}/budget/report.pdf")
async def report_preview(dossier_id: str, settings: SettingsDep, staff: CurrentStaff) -> Response:
    """The report as it would be sent now, marked as a preview; nothing is stored."""
    filename, pdf = await run_in_threadpool(_preview, settings, staff, dossier_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(filename),
            # Decrypted personal data: never kept by the browser or a proxy.
            "Cache-Control": "no-store",
        },
    )
