"""Pages: the rendering registry's environment, and the context every page's layout needs."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from config.settings import Settings
from rendering.environment import build_environment
from web.auth import session_staff
from web.csrf import csrf_token
from web.page_address import page_of_form
from web.ui.flash import pop_flashes
from web.ui.notification_badge import unread_badge

_UNKNOWN = object()
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@cache
def _asset_version(name: str) -> str:
    # Content hash in the URL: a changed stylesheet is fetched again, an unchanged one is cached.
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/{name}?v={_asset_version(name)}"


# Pages: the shared registry, plus links to the app's own stylesheets and scripts.
templates = Jinja2Templates(
    env=build_environment(email=False, extra_globals={"static_url": static_url})
)


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
        "page_address": page_of_form(request),
        # The header's badge: one indexed count, for those who receive notifications.
        "unread_notifications": unread_badge(settings, staff),
    }
    full.update(context or {})
    return templates.TemplateResponse(request, template, full, status_code=status_code)
