"""GET /privacy-requests: the DPO's queue, the nearest due date first, with its filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.input_fields import MAX_PAGE, whole_number
from domain.privacy.request import Right
from models.database import session_scope
from models.staff import StaffUser
from services.privacy_requests.queries import QueueFilter, list_requests
from services.privacy_requests.views import PrivacyRequestPage
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.dossiers.list_page import page_links
from web.ui.rendering import render

router = APIRouter()
PER_PAGE = 25


def _load(
    settings: Settings, staff: StaffUser, show: QueueFilter, right: Right | None, page: int
) -> PrivacyRequestPage:
    with session_scope(settings) as session:
        return list_requests(
            session, staff, utcnow(), show=show, right=right, page=page, per_page=PER_PAGE
        )


def queue_url(filters: dict[str, str], page: int = 1) -> str:
    params = {name: value for name, value in filters.items() if value}
    if page > 1:
        params["page"] = str(page)
    return "/privacy-requests" + (f"?{urlencode(params)}" if params else "")


@router.get("/privacy-requests", response_class=HTMLResponse)
async def privacy_queue(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    show: str = "",
    right: str = "",
    page: str = "1",
) -> HTMLResponse:
    problems: list[str] = []
    if show and show not in QueueFilter.labels():
        problems.append("Filtre inconnu : toutes les demandes à traiter sont affichées.")
        show = ""
    if right and right not in Right.labels():
        problems.append("Droit inconnu : le filtre par droit a été ignoré.")
        right = ""
    listing = await run_in_threadpool(
        _load,
        settings,
        staff,
        QueueFilter(show) if show else QueueFilter.TO_DO,
        Right(right) if right else None,
        whole_number(page, maximum=MAX_PAGE) or 1,
    )
    filters = {"show": show, "right": right}
    return render(
        request,
        "web/privacy/queue.html",
        {
            "nav": "privacy",
            "listing": listing,
            "filters": filters,
            "problems": problems,
            "show_options": [(f.value, label) for f, label in QueueFilter.labels().items()],
            "right_options": [(r.value, label) for r, label in Right.labels().items()],
            "page_links": [
                (number, queue_url(filters, number) if url else None)
                for number, url in page_links(filters, listing.page, listing.pages)
            ],
        },
        settings=settings,
    )
