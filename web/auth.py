"""Who is calling: staff sessions for the pages, bearer tokens for the API, role checks.

The session lives in a signed cookie (Starlette's SessionMiddleware, HttpOnly, SameSite=Lax,
Secure in production) holding the staff id, when the person signed in and when they were last
seen: past settings.session_idle_minutes of inactivity or settings.session_absolute_hours
after sign-in, it is over. The account is re-read on every request, so a deactivated account
loses access at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from config.settings import Settings
from domain.errors import CravelynosError
from models.database import session_scope
from models.staff import Role, StaffUser
from security.tokens import TokenExpired, TokenInvalid, read_token
from services.audit import append_audit
from services.dossiers.access import deny
from services.staff_accounts import authenticate, find_staff_by_email
from web.deps import SettingsDep

API_TOKEN_PURPOSE = "api"
TOKEN_URL = "/api/v1/auth/token"
BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
TOO_MANY_ATTEMPTS = "Trop de tentatives de connexion. Patientez une minute avant de réessayer."
ROLE_REFUSED = "Votre rôle ne donne pas accès à cette page. La tentative a été enregistrée."


class LoginRequired(CravelynosError):
    """No valid session: pages redirect to the login page, then back to `next_url`."""

    def __init__(self, next_url: str, expired: bool = False) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.expired = expired


def _load_active(settings: Settings, staff_id: object) -> StaffUser | None:
    if not isinstance(staff_id, int):
        return None
    with session_scope(settings) as session:
        user = session.get(StaffUser, staff_id)
    return user if user is not None and user.active else None


def session_staff(request: Request, settings: Settings) -> StaffUser | None:
    """The signed-in staff member, or None (an expired session is cleared)."""
    session = request.session
    if "uid" not in session:
        return None
    now = time.time()
    auth_at, seen = session.get("auth_at"), session.get("seen")
    if (
        not isinstance(auth_at, int | float)
        or not isinstance(seen, int | float)
        or now - auth_at > settings.session_absolute_hours * 3600
        or now - seen > settings.session_idle_minutes * 60
    ):
        session.clear()
        request.state.session_expired = True
        return None
    user = _load_active(settings, session.get("uid"))
    if user is None:
        session.clear()
        return None
    session["seen"] = now
    return user


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def current_staff(request: Request, settings: SettingsDep) -> StaffUser:
    user = session_staff(request, settings)
    if user is None:
        raise LoginRequired(_here(request), getattr(request.state, "session_expired", False))
    request.state.staff = user
    return user


def optional_staff(request: Request, settings: SettingsDep) -> StaffUser | None:
    user = session_staff(request, settings)
    request.state.staff = user
    return user


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]
OptionalStaff = Annotated[StaffUser | None, Depends(optional_staff)]

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def bearer_staff(token: str | None, settings: Settings) -> StaffUser:
    """The staff member an API token was issued to; 401 (with WWW-Authenticate) otherwise."""
    if not token:
        raise _unauthorized(
            "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> » "
            f"avec un jeton obtenu par POST {TOKEN_URL}."
        )
    try:
        payload = read_token(API_TOKEN_PURPOSE, token, settings.api_token_minutes * 60, settings)
    except TokenExpired:
        raise _unauthorized(
            f"Jeton expiré : demandez-en un nouveau par POST {TOKEN_URL}."
        ) from None
    except TokenInvalid:
        raise _unauthorized("Jeton invalide.") from None
    user = _load_active(settings, payload.get("uid"))
    if user is None:
        raise _unauthorized("Ce compte n'existe plus ou a été désactivé.")
    return user


def api_staff(
    request: Request, settings: SettingsDep, token: Annotated[str | None, Depends(_bearer)]
) -> StaffUser:
    user = bearer_staff(token, settings)
    request.state.staff = user
    return user


ApiStaff = Annotated[StaffUser, Depends(api_staff)]


def _refuse_role(request: Request, settings: Settings, staff: StaffUser, roles: set[Role]) -> None:
    if staff.role not in roles:
        with session_scope(settings) as session:
            deny(
                session,
                staff,
                object_type="route",
                object_id=request.url.path[:100],
                reason="role",
                message=ROLE_REFUSED,
            )


def require_role(*roles: Role) -> Callable[..., StaffUser]:
    """Page dependency: the signed-in staff member if their role is one of `roles`."""
    allowed = set(roles)

    def dependency(request: Request, settings: SettingsDep, staff: CurrentStaff) -> StaffUser:
        _refuse_role(request, settings, staff, allowed)
        return staff

    return dependency


def require_api_role(*roles: Role) -> Callable[..., StaffUser]:
    """API dependency: the token's staff member if their role is one of `roles`."""
    allowed = set(roles)

    def dependency(request: Request, settings: SettingsDep, staff: ApiStaff) -> StaffUser:
        _refuse_role(request, settings, staff, allowed)
        return staff

    return dependency


# ----- passwords -------------------------------------------------------------------------


def check_password(settings: Settings, email: str, password: str, channel: str) -> StaffUser | None:
    """The account if the password is right; the attempt is audited either way (by account id:
    the email itself is personal data and stays out of the log)."""
    with session_scope(settings) as session:
        user = authenticate(session, email, password)
        known = user or find_staff_by_email(session, email)
        append_audit(
            session,
            actor=f"staff:{user.id}" if user else "system",
            action="auth.login" if user else "auth.login_failed",
            object_type="staff_user",
            object_id=str(known.id) if known else "unknown",
            reason=channel,
        )
    return user
