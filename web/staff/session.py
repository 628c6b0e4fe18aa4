"""Signing in and out, and the site root: each role starts on its own first page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from config.settings import Settings
from models.staff import Role
from web.auth import (
    BAD_CREDENTIALS,
    TOO_MANY_ATTEMPTS,
    LoginRequired,
    OptionalStaff,
    check_password,
    end_page_session,
    start_page_session,
)
from web.csrf import CsrfProtected, csrf_token, rotate_csrf_token
from web.deps import SettingsDep, client_ip
from web.rate_limit import LoginRateLimiter, known_device, remember_device
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

# The site root sends each role to its own first page.
DEFAULT_PAGE = "/"
SESSION_EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."
LOGGED_OUT = "Vous êtes déconnecté."


# Admins manage parameters and accounts, not dossiers; case workers start from what waits on
# them ("Mon travail"); everyone else from the list.
# Where each role lands (the logo, after signing in): a page it may open. Ops have no page of
# their own yet but the creditor directory every role may read.
HOME_BY_ROLE = {Role.ADMIN: "/allowances", Role.OPS: "/creanciers", Role.CASE_WORKER: "/travail"}


@router.get("/", include_in_schema=False)
def home(staff: OptionalStaff) -> RedirectResponse:
    target = HOME_BY_ROLE.get(staff.role, "/dossiers") if staff else "/dossiers"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.get("/logout", response_model=None)
def logout_confirm(request: Request, settings: SettingsDep, staff: OptionalStaff) -> Response:
    """Signing out is a POST (with the CSRF token); a typed /logout gets the button for it."""
    if staff is None:
        return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    return render(request, "web/logout.html", settings=settings)


def safe_next(url: str | None) -> str:
    """Only a path on this site: an open redirect would make phishing links look genuine."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")) or "\\" in url:
        return DEFAULT_PAGE
    return url


def _login_page(
    request: Request,
    settings: Settings,
    *,
    next_url: str,
    email: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    context = {"csrf": csrf_token(request), "next_url": next_url, "email": email, "error": error}
    return render(request, "web/login.html", context, status_code=status_code, settings=settings)


@router.get("/login")
def login_form(
    request: Request,
    settings: SettingsDep,
    staff: OptionalStaff,
    next: str = "",
    expired: bool = False,
) -> Response:
    if staff is not None:
        return RedirectResponse(safe_next(next), status.HTTP_303_SEE_OTHER)
    if expired:
        flash(request, SESSION_EXPIRED, "warning")
    return _login_page(request, settings, next_url=safe_next(next))


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    next_url = safe_next(next)
    limiter: LoginRateLimiter = request.app.state.login_limiter
    device = known_device(request, settings, email)
    wait = limiter.wait(client_ip(request), email, device)
    if wait:
        response = _login_page(
            request,
            settings,
            next_url=next_url,
            email=email,
            error=TOO_MANY_ATTEMPTS,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    user = check_password(settings, email, password, "web")
    if user is None:
        limiter.failed(client_ip(request), email, device)
        return _login_page(request, settings, next_url=next_url, email=email, error=BAD_CREDENTIALS)
    start_page_session(request, settings, user)
    rotate_csrf_token(request)
    response = RedirectResponse(next_url, status.HTTP_303_SEE_OTHER)
    remember_device(response, settings, user.email)
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, _csrf: CsrfProtected) -> Response:
    # Ended server-side: a copy of the cookie taken before this opens nothing afterwards.
    end_page_session(request, settings)
    flash(request, LOGGED_OUT, "success")
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    target = "/login?next=" + quote(safe_next(exc.next_url), safe="/")
    if exc.expired:
        target += "&expired=1"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
