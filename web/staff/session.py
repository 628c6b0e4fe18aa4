"""The site root and GET /logout; signing in and out themselves are web/auth.py's routes."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from models.staff import Role
from web.auth import OptionalStaff
from web.deps import SettingsDep
from web.ui.rendering import render

router = APIRouter()


# Admins manage parameters and accounts, not dossiers; everyone else starts from the list.
HOME_BY_ROLE = {Role.ADMIN: "/allowances"}


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
