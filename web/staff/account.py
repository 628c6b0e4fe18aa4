"""/compte: every signed-in staff member's own account (who they are, their role and team) and
the form to change their password.

A changed password ends every session and API token of the account, the caller's too, and the
caller's browser is signed in again at once with a fresh session: any copy of the old cookie,
on this computer or another, opens nothing any more. An email tells the person it happened.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput
from domain.french_dates import french_datetime
from models.database import session_scope
from models.staff import ROLE_LABELS_FR, Role, StaffUser
from services.staff_accounts import (
    CONFIRMATION,
    CURRENT_PASSWORD,
    MIN_PASSWORD_LENGTH,
    NEW_PASSWORD,
    change_own_password,
)
from services.staff_emails import QueuedAccountEmail, queue_account_email, send_account_email
from web.auth import TOO_MANY_ATTEMPTS, CurrentStaff, start_page_session
from web.csrf import CsrfProtected, rotate_csrf_token
from web.deps import SettingsDep, client_ip
from web.rate_limit import LoginRateLimiter
from web.staff.budget.common import redirect
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

FIELD_LABELS = {
    CURRENT_PASSWORD: "Mot de passe actuel",
    NEW_PASSWORD: "Nouveau mot de passe",
    CONFIRMATION: "Confirmation du nouveau mot de passe",
}
PASSWORD_HINT = (
    f"Au moins {MIN_PASSWORD_LENGTH} caractères. Une phrase de plusieurs mots se retient mieux "
    "et résiste mieux qu'un mot compliqué."
)
CHANGED = (
    "Votre mot de passe est changé. Vos autres sessions et jetons d'API sont fermés ; "
    "celle de ce navigateur reste ouverte."
)


def password_summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (name, f"{FIELD_LABELS.get(name, 'Formulaire')} : {text}") for name, text in errors.items()
    ]


def _page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    *,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/account/mine.html",
        {
            "nav": "account",
            "account": staff,
            "role_label": ROLE_LABELS_FR.get(Role(staff.role), str(staff.role)),
            "errors": errors,
            "summary": password_summary(errors),
            "notice": notice,
            "password_hint": PASSWORD_HINT,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/compte", response_class=HTMLResponse)
async def my_account(request: Request, settings: SettingsDep, staff: CurrentStaff) -> HTMLResponse:
    return _page(request, settings, staff)


@router.post("/compte", response_model=None)
async def change_password(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    # Guessing the current password from a session left open is guessing a login.
    limiter: LoginRateLimiter = request.app.state.login_limiter
    if await run_in_threadpool(limiter.wait, client_ip(request), staff.email):
        return _page(
            request,
            settings,
            staff,
            notice=TOO_MANY_ATTEMPTS,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )

    def change() -> QueuedAccountEmail:
        with session_scope(settings) as session:
            user = session.get(StaffUser, staff.id)
            assert user is not None
            change_own_password(session, user, current_password, new_password, confirm_password)
            return queue_account_email(
                session,
                settings,
                user,
                "account_password_changed",
                {"changed_at": french_datetime(utcnow()), "kept_session": True},
            )

    try:
        queued = await run_in_threadpool(change)
    except InvalidInput as exc:
        if CURRENT_PASSWORD in exc.errors and current_password:
            await run_in_threadpool(limiter.failed, client_ip(request), staff.email)
        return _page(
            request,
            settings,
            staff,
            errors=exc.errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    # Every session ended with the change, this one too: the browser gets a fresh one.
    await run_in_threadpool(start_page_session, request, settings, staff)
    rotate_csrf_token(request)
    background.add_task(send_account_email, settings, queued)
    flash(request, CHANGED)
    return redirect("/compte")
