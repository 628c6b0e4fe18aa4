"""Jinja2 environment of the staff pages and the context every page shares."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from config.settings import Settings
from domain.clock import as_utc
from domain.contact_fields import CONTACT_CHANNEL_LABELS_FR, ContactChannel
from domain.dossier_stages import (
    DOCUMENT_LABELS_FR,
    OPEN_STAGES,
    OUTCOME_LABELS_FR,
    STAGE_LABELS_FR,
    DocumentKind,
    Outcome,
    Stage,
)
from domain.file_types import format_size_fr
from domain.french_dates import PARIS, french_date, french_datetime
from rendering.labels import creditor_label, enum_label
from templates import TEMPLATES_DIR
from web.auth import session_staff
from web.csrf import csrf_token
from web.ui.flash import pop_flashes

_UNKNOWN = object()
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def stage_label(value: object) -> str:
    return enum_label(STAGE_LABELS_FR, Stage, value)


def outcome_label(value: object) -> str:
    return enum_label(OUTCOME_LABELS_FR, Outcome, value)


def document_label(value: object) -> str:
    return enum_label(DOCUMENT_LABELS_FR, DocumentKind, value)


CHANNEL_LABELS_FR = CONTACT_CHANNEL_LABELS_FR


def channel_label(value: object) -> str:
    return enum_label(CHANNEL_LABELS_FR, ContactChannel, value)


def phone_fr(number: str | None) -> str:
    """'+33612345678' (as stored) shown the French way: '06 12 34 56 78'."""
    if not number:
        return ""
    if number.startswith("+33") and len(number) == 12 and number[1:].isdigit():
        national = "0" + number[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return number


def short_datetime(moment: datetime | None) -> str:
    """'26/11/2025 14:05' in Paris time, for tables where the long form is too wide."""
    if moment is None:
        return ""
    return as_utc(moment).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def iso(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).isoformat()


@cache
def _asset_version(name: str) -> str:
    # Content hash in the URL: a changed stylesheet is fetched again, an unchanged one is cached.
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={_asset_version(name)}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date_fr=lambda m: "" if m is None else french_date(m),
        datetime_fr=lambda m: "" if m is None else french_datetime(m),
        short_datetime=short_datetime,
        iso=iso,
        filesize=format_size_fr,
        phone_fr=phone_fr,
    )
    env.globals.update(
        stage_label=stage_label,
        outcome_label=outcome_label,
        document_label=document_label,
        creditor_kind_label=creditor_label,
        channel_label=channel_label,
        static_url=static_url,
        open_stages={stage.value for stage in OPEN_STAGES},
    )
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    settings: Settings,
) -> HTMLResponse:
    """Render a page with what the layout needs: the signed-in staff, CSRF token, flashes.

    Error pages use it too, for requests that may have no session or no signed-in person.
    """
    has_session = "session" in request.scope
    staff = getattr(request.state, "staff", _UNKNOWN)
    if staff is _UNKNOWN:
        # Pages reached without an auth dependency (e.g. a 404) still show who is signed in.
        staff = session_staff(request, settings) if has_session else None
    full: dict[str, Any] = {
        "staff": staff,
        "csrf": csrf_token(request) if has_session else "",
        "flashes": pop_flashes(request),
        "dev_mode": settings.mode == "dev",
        "nav": "",
    }
    full.update(context or {})
    return templates.TemplateResponse(request, template, full, status_code=status_code)
