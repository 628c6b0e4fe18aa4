"""GET /travail ("Mon travail"): the signed-in person's dossiers waiting on them, sortable,
with an overdue-only filter; GET /travail/equipe: a supervisor's team workload and the
dossiers of one member, to reassign in bulk."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from domain.input_fields import MAX_PAGE, whole_number
from models.staff import StaffUser
from services.dossiers.queries import DossierPage, list_dossiers
from services.dossiers.work import (
    MAX_WORK_ITEMS,
    MemberLoad,
    WorkList,
    WorkSort,
    my_work,
    team_workload,
)
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.dossiers.assignees import assignee_choices
from web.transactions import in_session
from web.ui.rendering import render

router = APIRouter()

TEAM_PER_PAGE = 100
SORT_LABELS = {
    WorkSort.REFERENCE: "Référence",
    WorkSort.CLIENT: "Client",
    WorkSort.STAGE: "Étape",
    WorkSort.CREATED: "Créé le",
    WorkSort.DEADLINE: "Échéance",
}
BAD_SORT = "Tri inconnu : les dossiers sont triés par échéance, les retards en premier."
BAD_ORDER = "Ordre de tri inconnu : l'ordre croissant a été retenu."
BAD_OVERDUE = "Filtre « En retard uniquement » illisible : il a été ignoré."
TRUNCATED = (
    f"Plus de {MAX_WORK_ITEMS} dossiers vous attendent : seuls les {MAX_WORK_ITEMS} aux échéances "
    "les plus proches sont affichés."
)


def work_url(sort: str, descending: bool, overdue_only: bool) -> str:
    params: dict[str, str] = {}
    if sort != WorkSort.DEADLINE:
        params["tri"] = sort
    if descending:
        params["ordre"] = "desc"
    if overdue_only:
        params["retard"] = "1"
    return "/travail" + (f"?{urlencode(params)}" if params else "")


def sort_columns(sort: str, descending: bool, overdue_only: bool) -> list[dict[str, str]]:
    """Each column's header: its link (the other direction when it is the current sort) and
    its aria-sort value."""
    columns = []
    for key, label in SORT_LABELS.items():
        current = key == sort
        columns.append(
            {
                "key": key,
                "label": label,
                "url": work_url(key, current and not descending, overdue_only),
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "next": "décroissant" if current and not descending else "croissant",
            }
        )
    return columns


@router.get("/travail", response_class=HTMLResponse)
async def my_work_page(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    tri: str = "",
    ordre: str = "",
    retard: str = "",
) -> HTMLResponse:
    problems: list[str] = []
    sort = tri or WorkSort.DEADLINE
    if sort not in WorkSort.ALL:
        problems.append(BAD_SORT)
        sort = WorkSort.DEADLINE
    if ordre not in ("", "asc", "desc"):
        problems.append(BAD_ORDER)
        ordre = ""
    if retard not in ("", "0", "1"):
        problems.append(BAD_OVERDUE)
        retard = ""
    descending, overdue_only = ordre == "desc", retard == "1"
    work: WorkList = await in_session(
        settings,
        partial(
            my_work,
            viewer=staff,
            now=utcnow(),
            sort=sort,
            descending=descending,
            overdue_only=overdue_only,
            settings=settings,
        ),
    )
    if work.truncated:
        problems.append(TRUNCATED)
    return render(
        request,
        "web/dossiers/work.html",
        {
            "nav": "work",
            "work": work,
            "problems": problems,
            "sort": sort,
            "descending": descending,
            "overdue_only": overdue_only,
            "columns": sort_columns(sort, descending, overdue_only),
            "all_url": work_url(sort, descending, False),
        },
        settings=settings,
    )


def team_url(member: int | None, page: int = 1) -> str:
    params = {}
    if member:
        params["conseiller"] = str(member)
    if page > 1:
        params["page"] = str(page)
    return "/travail/equipe" + (f"?{urlencode(params)}" if params else "")


def _team(
    session: Session, staff: StaffUser, member: int | None, page: int, settings: Settings
) -> tuple[list[MemberLoad], DossierPage | None, list[tuple[str, str]]]:
    loads = team_workload(session, staff, utcnow())
    listing = None
    if member is not None and any(load.id == member for load in loads):
        listing = list_dossiers(
            session,
            staff,
            assignee_id=member,
            page=page,
            per_page=TEAM_PER_PAGE,
            settings=settings,
        )
    return loads, listing, assignee_choices(session, staff)


async def team_page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    *,
    member: str = "",
    page: str = "1",
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    assignee: str = "",
) -> HTMLResponse:
    """The workload page; after a refused reassignment, its errors and the boxes kept ticked."""
    problems: list[str] = []
    member_id = whole_number(member) if member else None
    if member and not member_id:
        problems.append("Conseiller illisible : choisissez-le dans le tableau.")
    loads, listing, options = await in_session(
        settings,
        _team,
        staff,
        member_id,
        whole_number(page, maximum=MAX_PAGE) or 1,
        settings,
    )
    if member_id and listing is None:
        problems.append("Ce conseiller n'est pas un membre actif de votre équipe.")
    names = dict(options)
    errors = errors or {}
    labels = {"dossiers": "Dossiers", "assignee": "Nouveau conseiller"}
    return render(
        request,
        "web/dossiers/team.html",
        {
            "nav": "work",
            "loads": loads,
            "listing": listing,
            "member": member_id if listing is not None else None,
            "member_name": names.get(str(member_id), ""),
            "member_url": {load.id: team_url(load.id) for load in loads},
            "problems": problems,
            "errors": errors,
            "summary": [(name, f"{labels[name]} : {text}") for name, text in errors.items()],
            "chosen": set(chosen or []),
            "assignee": assignee,
            "assignee_options": options,
            "prev_url": (
                team_url(member_id, listing.page - 1) if listing and listing.page > 1 else None
            ),
            "next_url": (
                team_url(member_id, listing.page + 1)
                if listing and listing.page < listing.pages
                else None
            ),
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/travail/equipe", response_class=HTMLResponse)
async def team_workload_page(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    conseiller: str = "",
    page: str = "1",
) -> HTMLResponse:
    return await team_page(request, settings, staff, member=conseiller, page=page)
