"""GET pages of breaches: the register (with its CSV export), the declaration and suspicion
forms, a breach's page, a notification to the CNIL as made, and a letter for a person the email
could not reach."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.breach.deadline import hours_left
from domain.breach.rules import (
    BreachStatus,
    Exemption,
    Nature,
    NotificationKind,
    RiskLevel,
)
from domain.breach.scope_sources import ScopeSource
from domain.clock import utcnow
from domain.french_dates import french_date
from domain.privacy.processing import category_notices
from models.database import session_scope
from models.staff import StaffUser
from services.breaches.access import can_handle, load_breach, require_handler
from services.breaches.affected_list import affected_csv
from services.breaches.documents import notification_file, notification_page
from services.breaches.letters import letter_file
from services.breaches.queries import (
    OtherChannelPerson,
    get_breach,
    list_breaches,
    other_channel,
    register_csv,
)
from services.breaches.scope import PERSON_LABELS, exposable_tables, personal_categories
from services.breaches.views import BreachDetail
from services.dossiers.access import actor_of
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.ui.error_summary import summary_lines
from web.ui.rendering import render

router = APIRouter()
FIELD_LABELS = {
    "aware_at": "Prise de connaissance",
    "noticed_at": "Constaté le",
    "description": "Description",
    "nature": "Nature de la violation",
    "discovered_by": "Découverte par",
    "discovery": "Circonstances de la découverte",
    "evidence": "Preuve du moment de la prise de connaissance",
    "reason": "Motif",
    "source": "Origine",
    "staff_id": "Compte compromis",
    "window_start": "Début de la période",
    "window_end": "Fin de la période",
    "tables": "Tables exposées",
    "people_adjustment": "Ajustement du nombre de personnes",
    "records_adjustment": "Ajustement du nombre d'enregistrements",
    "adjustment_reason": "Motif de l'ajustement",
    "risk": "Niveau de risque",
    "rationale": "Justification",
    "consequences": "Conséquences probables",
    "exemption": "Exception de l'article 34(3)",
    "exemption_reason": "Motif de l'exception",
    "phase": "Notification",
    "measures": "Mesures",
    "delay_reasons": "Motifs du retard",
    "new_facts": "Éléments nouveaux",
    "what_happened": "Ce qui s'est passé",
    "what_we_did": "Ce que nous avons fait",
    "what_you_can_do": "Ce que vous pouvez faire",
}


def options(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, label) for member, label in enum.labels().items()]


def form_page(
    request: Request,
    settings: Settings,
    template: str,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    """The declaration or the suspicion form, with what was typed and why it was refused."""
    errors = errors or {}
    return render(
        request,
        template,
        {
            "nav": "breaches",
            "typed": typed or {},
            "errors": errors,
            "summary": summary_lines(errors, FIELD_LABELS),
            "nature_options": options(Nature),
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/breaches", response_class=HTMLResponse)
async def breach_register(request: Request, settings: SettingsDep, staff: CurrentStaff) -> Any:
    def load() -> Any:
        with session_scope(settings) as session:
            return list_breaches(session, staff, utcnow())

    if not can_handle(staff):
        return RedirectResponse("/breaches/report", status.HTTP_303_SEE_OTHER)
    listing = await run_in_threadpool(load)
    return render(
        request,
        "web/breaches/register.html",
        {"nav": "breaches", "breaches": listing},
        settings=settings,
    )


@router.get("/breaches/register.csv", response_class=Response)
async def breach_register_csv(settings: SettingsDep, staff: CurrentStaff) -> Response:
    def load() -> str:
        with session_scope(settings) as session:
            return register_csv(session, staff, utcnow())

    text = await run_in_threadpool(load)
    day = french_date(utcnow()).replace(" ", "-")
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="registre-violations-{day}.csv"'},
    )


@router.get("/breaches/{breach_id}/affected.csv", response_class=Response)
async def affected_list(breach_id: str, settings: SettingsDep, staff: CurrentStaff) -> Response:
    def load() -> str:
        with session_scope(settings) as session:
            return affected_csv(session, staff, breach_id, settings)

    text = await run_in_threadpool(load)
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="personnes-concernees.csv"'},
    )


@router.get("/breaches/new", response_class=HTMLResponse)
async def declaration_form(request: Request, settings: SettingsDep, staff: CurrentStaff) -> Any:
    def check() -> None:
        with session_scope(settings) as session:
            require_handler(session, staff, "breach.declare")

    await run_in_threadpool(check)
    return form_page(request, settings, "web/breaches/new.html")


@router.get("/breaches/report", response_class=HTMLResponse)
async def suspicion_form(request: Request, settings: SettingsDep, staff: CurrentStaff) -> Any:
    return form_page(request, settings, "web/breaches/report.html")


def _load(
    settings: Settings, staff: StaffUser, breach_id: str
) -> tuple[BreachDetail, list[OtherChannelPerson], list[StaffUser]]:
    with session_scope(settings) as session:
        detail = get_breach(session, staff, breach_id, utcnow(), settings)
        row = load_breach(session, staff, breach_id, "breach.read")
        people = other_channel(session, row, settings, actor_of(staff))
        accounts = list(session.exec(select(StaffUser).order_by(col(StaffUser.id))).all())
        return detail, people, accounts


async def breach_page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    breach_id: str,
    *,
    status_code: int = status.HTTP_200_OK,
    **state: Any,
) -> HTMLResponse:
    """The page; `state` says which step's panel failed, what was typed and why."""
    detail, people, accounts = await run_in_threadpool(_load, settings, staff, breach_id)
    now = utcnow()
    left = hours_left(detail.aware_at, now)
    titles = {code: notice.title for code, notice in category_notices().items()}
    context: dict[str, Any] = {
        "nav": "breaches",
        "b": detail,
        "open": detail.status == BreachStatus.OPEN,
        "suspected": detail.status == BreachStatus.SUSPECTED,
        "countdown": _countdown(left),
        "past_deadline": left < 0,
        "other_channel": people,
        "staff_options": [
            (str(a.id), f"n° {a.id} — {a.display_name} ({a.email})") for a in accounts
        ],
        "source_options": options(ScopeSource),
        "table_options": [
            (name, ", ".join(sorted(titles.get(c, c) for c in personal_categories(name))))
            for name in exposable_tables()
        ],
        "risk_options": options(RiskLevel),
        "exemption_options": options(Exemption),
        "phase_options": options(NotificationKind),
        "action_panel": None,
        "action_error": None,
        "typed": {},
        "errors": {},
        "field_labels": FIELD_LABELS,
        "category_labels": titles,
        "person_labels": PERSON_LABELS,
    }
    context.update(state)
    return render(
        request, "web/breaches/detail.html", context, status_code=status_code, settings=settings
    )


def _countdown(left: float) -> str:
    minutes = int(abs(left) * 60)
    text = f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{text} restantes" if left >= 0 else f"dépassé de {text}"


@router.get("/breaches/{breach_id}", response_class=HTMLResponse)
async def breach_detail(
    request: Request, breach_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    return await breach_page(request, settings, staff, breach_id)


@router.get("/breaches/{breach_id}/notifications/{notification_id}.pdf", response_class=Response)
async def notification_pdf_page(
    breach_id: str, notification_id: int, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    def load() -> tuple[str, bytes]:
        with session_scope(settings) as session:
            return notification_file(session, staff, breach_id, notification_id, settings)

    name, pdf = await run_in_threadpool(load)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/breaches/{breach_id}/notifications/{notification_id}", response_class=HTMLResponse)
async def notification_html(
    breach_id: str, notification_id: int, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    def load() -> str:
        with session_scope(settings) as session:
            return notification_page(session, staff, breach_id, notification_id, settings)

    return HTMLResponse(await run_in_threadpool(load))


@router.get("/breaches/{breach_id}/letters/{affected_id}.pdf", response_class=Response)
async def letter_pdf(
    breach_id: str, affected_id: int, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    def load() -> tuple[str, bytes]:
        with session_scope(settings) as session:
            return letter_file(session, staff, breach_id, affected_id, settings)

    name, pdf = await run_in_threadpool(load)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
