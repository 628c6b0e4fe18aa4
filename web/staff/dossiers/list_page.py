"""GET /dossiers: search, filters by stage and assignee, pagination that keeps the filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.dossier_stages import STAGE_LABELS_FR, Stage
from domain.input_fields import MAX_PAGE, whole_number
from models.database import session_scope
from models.staff import StaffUser
from services.dossiers.export import MAX_EXPORT
from services.dossiers.queries import DossierPage, list_dossiers
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.dossiers.assignees import assignee_choices
from web.ui.rendering import render

router = APIRouter()

PER_PAGE = 25
MAX_QUERY_CHARS = 200
# Pages shown around the current one; the first and last are always linked.
PAGE_WINDOW = 2


def list_url(filters: dict[str, str], page: int = 1) -> str:
    params = {name: value for name, value in filters.items() if value}
    if page > 1:
        params["page"] = str(page)
    return "/dossiers" + (f"?{urlencode(params)}" if params else "")


def page_links(filters: dict[str, str], page: int, pages: int) -> list[tuple[int, str | None]]:
    """(number, url) for the pagination; url None stands for a gap ("…")."""
    shown = {1, pages, *range(page - PAGE_WINDOW, page + PAGE_WINDOW + 1)}
    links: list[tuple[int, str | None]] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if number > previous + 1:
            links.append((0, None))
        links.append((number, list_url(filters, number)))
        previous = number
    return links


def _parse_page(raw: str) -> int:
    return whole_number(raw, maximum=MAX_PAGE) or 1


def _load(
    settings: Settings,
    staff: StaffUser,
    q: str,
    stage: str | None,
    assignee_id: int | None,
    page: int,
) -> tuple[DossierPage, list[tuple[str, str]]]:
    with session_scope(settings) as session:
        listing = list_dossiers(
            session,
            staff,
            q=q,
            stage=stage,
            assignee_id=assignee_id,
            page=page,
            per_page=PER_PAGE,
            settings=settings,
        )
        return listing, assignee_choices(session, staff)


@router.get("/dossiers", response_class=HTMLResponse)
async def dossier_list(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    q: str = "",
    stage: str = "",
    assignee: str = "",
    page: str = "1",
) -> HTMLResponse:
    problems: list[str] = []
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if stage and stage not in {s.value for s in Stage}:
        problems.append("Étape inconnue : le filtre par étape a été ignoré.")
        stage = ""
    assignee_id = whole_number(assignee)
    if assignee and not assignee_id:
        problems.append("Conseiller inconnu : le filtre par conseiller a été ignoré.")
        assignee = ""
    listing, assignees = await run_in_threadpool(
        _load,
        settings,
        staff,
        q,
        stage or None,
        assignee_id or None,
        _parse_page(page),
    )
    filters = {"q": q, "stage": stage, "assignee": assignee}
    return render(
        request,
        "web/dossiers/list.html",
        {
            "nav": "dossiers",
            "listing": listing,
            "filters": filters,
            "problems": problems,
            "stage_options": [(s.value, label) for s, label in STAGE_LABELS_FR.items()],
            "assignee_options": assignees,
            "page_links": page_links(filters, listing.page, listing.pages),
            "export_url": "/dossiers/export" + list_url(filters)[len("/dossiers") :],
            "export_max": MAX_EXPORT,
            "prev_url": list_url(filters, listing.page - 1) if listing.page > 1 else None,
            "next_url": (
                list_url(filters, listing.page + 1) if listing.page < listing.pages else None
            ),
        },
        settings=settings,
    )
