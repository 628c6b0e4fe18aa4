"""Who is calling: staff sessions for the pages, bearer tokens for the API, role checks.

The signed cookie (Starlette's SessionMiddleware, HttpOnly, SameSite=Lax, Secure in
production) holds only a random secret naming a server-side session (services/staff_sessions.py):
past settings.session_idle_minutes of inactivity or settings.session_absolute_hours after
sign-in it is over, and logging out, a password change or a deactivation end it everywhere at
once. API tokens name a server-side session the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from config.settings import Settings
from domain.errors import CravelynosError
from models.database import session_scope
from models.staff import Role, StaffUser
from models.staff_session import SessionKind
from security.tokens import TokenExpired, TokenInvalid, read_token, sign_token
from services.audit import append_audit
from services.dossiers.access import deny
from services.staff_accounts import authenticate, find_staff_by_email
from services.staff_sessions import (
    ResumedSession,
    SessionLimits,
    end_session,
    open_session,
    resume_session,
)
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


SESSION_KEY = "sid"


def page_limits(settings: Settings) -> SessionLimits:
    return SessionLimits(
        absolute=timedelta(hours=settings.session_absolute_hours),
        idle=timedelta(minutes=settings.session_idle_minutes),
    )


def api_limits(settings: Settings) -> SessionLimits:
    return SessionLimits(absolute=timedelta(minutes=settings.api_token_minutes))


def _resume(settings: Settings, secret: object, limits: SessionLimits) -> ResumedSession:
    with session_scope(settings) as session:
        return resume_session(session, secret, limits)


def session_staff(request: Request, settings: Settings) -> StaffUser | None:
    """The signed-in staff member, or None (an ended or expired session is cleared)."""
    session = request.session
    if SESSION_KEY not in session:
        return None
    resumed = _resume(settings, session.get(SESSION_KEY), page_limits(settings))
    if resumed.user is None:
        session.clear()
        request.state.session_expired = resumed.expired
    return resumed.user


def start_page_session(request: Request, settings: Settings, user: StaffUser) -> None:
    """A fresh session for `user` (never the one the browser came with: no fixation)."""
    with session_scope(settings) as session:
        end_session(session, request.session.get(SESSION_KEY), "replaced")
        secret = open_session(session, user, SessionKind.PAGE)
    request.session.clear()
    request.session[SESSION_KEY] = secret


def end_page_session(request: Request, settings: Settings) -> None:
    with session_scope(settings) as session:
        end_session(session, request.session.get(SESSION_KEY))
    request.session.clear()


def issue_api_token(settings: Settings, user: StaffUser) -> str:
    with session_scope(settings) as session:
        secret = open_session(session, user, SessionKind.API)
    return sign_token(API_TOKEN_PURPOSE, {"sid": secret}, settings)


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
    user = _resume(settings, payload.get("sid"), api_limits(settings)).user
    if user is None:
        raise _unauthorized(
            "Ce jeton a été révoqué (déconnexion, changement de mot de passe ou compte "
            f"désactivé) : demandez-en un nouveau par POST {TOKEN_URL}."
        )
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
                session, staff, "route", request.url.path[:100], reason="role", message=ROLE_REFUSED
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
            f"staff:{user.id}" if user else "system",
            "auth.login" if user else "auth.login_failed",
            "staff_user",
            str(known.id) if known else "unknown",
            reason=channel,
        )
    return user
