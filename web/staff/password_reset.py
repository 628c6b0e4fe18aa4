"""The forgotten password (/mot-de-passe-oublie) and the page behind an emailed link
(/mot-de-passe/<secret>) where a reset or an invitation chooses the password.

The request form answers the same whatever the address: whether an account exists, is
inactive or unknown, the page, its status and (the email leaving after the answer) its timing
are the same. Requests are limited per source address (a refusal that says so) and per email
address (over the limit, nothing more is sent, and the answer is unchanged).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.contact_fields import normalise_email
from domain.errors import InvalidInput
from domain.french_dates import french_datetime
from models.database import session_scope
from models.staff_link import LinkPurpose
from services.audit import append_audit
from services.staff_accounts import (
    AccountLinkRefused,
    find_staff_by_email,
    password_from_link,
)
from services.staff_emails import QueuedAccountEmail, queue_account_email, send_account_email
from services.staff_links import VALIDITY, LinkState, check_link, issue_link
from web.csrf import CsrfProtected
from web.deps import SettingsDep, client_ip
from web.rate_limit import SharedRateLimiter
from web.staff.account import PASSWORD_HINT, password_summary
from web.staff.budget.common import redirect
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

FORGOTTEN = "/mot-de-passe-oublie"
EMAIL_MISSING = "Saisissez votre adresse e-mail professionnelle."
TOO_MANY_REQUESTS = (
    "Trop de demandes depuis cette connexion. Patientez une minute avant de réessayer."
)
# Per address: a person asking again because the message is slow is fine, a flood is not.
REQUESTS_PER_ADDRESS = 3
PASSWORD_SET = (
    "Votre mot de passe est enregistré. Connectez-vous avec votre adresse e-mail et ce mot de "
    "passe."
)
REFUSALS: dict[LinkState, tuple[int, str, str]] = {
    LinkState.UNKNOWN: (
        status.HTTP_404_NOT_FOUND,
        "Lien invalide",
        "Ce lien n'est pas valide : il est incomplet ou a été modifié. Copiez l'adresse entière "
        "depuis l'e-mail reçu, ou demandez un nouveau lien. Rien n'a été modifié.",
    ),
    LinkState.EXPIRED: (
        status.HTTP_410_GONE,
        "Lien expiré",
        "Ce lien a expiré : rien n'a été modifié. Demandez un nouveau lien ci-dessous "
        "(une invitation expirée se renouvelle auprès de votre administrateur).",
    ),
    LinkState.USED: (
        status.HTTP_410_GONE,
        "Lien déjà utilisé",
        "Ce lien a déjà servi et ne sert qu'une fois : rien n'a été modifié. Si vous avez choisi "
        "votre mot de passe, connectez-vous ; sinon, demandez un nouveau lien.",
    ),
    LinkState.INACTIVE: (
        status.HTTP_403_FORBIDDEN,
        "Compte désactivé",
        "Ce compte est désactivé : le lien ne peut plus servir et rien n'a été modifié. "
        "Adressez-vous à votre administrateur.",
    ),
}


def _request_page(
    request: Request,
    settings: Settings,
    *,
    email: str = "",
    errors: dict[str, str] | None = None,
    sent: bool = False,
    notice: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    summary = [(name, f"Adresse e-mail : {text}") for name, text in errors.items()]
    context = {"email": email, "errors": errors, "summary": summary, "sent": sent}
    context["notice"] = notice
    return render(
        request, "web/account/forgotten.html", context, status_code=status_code, settings=settings
    )


@router.get(FORGOTTEN, response_class=HTMLResponse)
async def forgotten_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _request_page(request, settings)


def _reset_for(settings: Settings, email: str) -> QueuedAccountEmail | None:
    """The reset message for the active account at `email`, queued; None for any other address
    (the attempt audited either way, by account id only)."""
    with session_scope(settings) as session:
        user = find_staff_by_email(session, email)
        if user is None or not user.active:
            append_audit(
                session,
                "system",
                "auth.password_reset_requested",
                "staff_user",
                str(user.id) if user else "unknown",
                reason="no_active_account",
            )
            return None
        secret = issue_link(session, user, LinkPurpose.RESET, "system")
        append_audit(session, "system", "auth.password_reset_requested", "staff_user", str(user.id))
        return queue_account_email(
            session, settings, user, "account_reset", link_context(settings, secret, "reset")
        )


def link_context(settings: Settings, secret: str, purpose: str) -> dict[str, str]:
    expires = utcnow() + VALIDITY[LinkPurpose(purpose)]
    return {
        "link_url": f"{settings.public_base_url.rstrip('/')}/mot-de-passe/{secret}",
        "expires_at": french_datetime(as_utc(expires)),
    }


@router.post(FORGOTTEN, response_model=None)
async def forgotten(
    request: Request,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
) -> Response:
    try:
        address = normalise_email(email) if email.strip() else ""
    except ValueError as exc:
        return _request_page(
            request,
            settings,
            email=email,
            errors={"email": str(exc)},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    if not address:
        return _request_page(
            request,
            settings,
            email=email,
            errors={"email": EMAIL_MISSING},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    per_source = SharedRateLimiter(settings, settings.public_requests_per_minute)
    if await run_in_threadpool(per_source.hit, f"reset-source:{client_ip(request)}"):
        return _request_page(
            request,
            settings,
            email=email,
            notice=TOO_MANY_REQUESTS,
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    per_address = SharedRateLimiter(settings, REQUESTS_PER_ADDRESS)
    flooded = await run_in_threadpool(per_address.hit, f"reset-account:{address.casefold()}")
    if not flooded:
        queued = await run_in_threadpool(_reset_for, settings, address)
        if queued is not None:
            background.add_task(send_account_email, settings, queued)
    return _request_page(request, settings, email=address, sent=True)


def _refusal(request: Request, settings: Settings, state: LinkState) -> HTMLResponse:
    status_code, heading, message = REFUSALS[state]
    return render(
        request,
        "web/account/link_refused.html",
        {"heading": heading, "message": message},
        status_code=status_code,
        settings=settings,
    )


def _choose_page(
    request: Request,
    settings: Settings,
    secret: str,
    purpose: LinkPurpose,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    response = render(
        request,
        "web/account/choose_password.html",
        {
            "secret": secret,
            "invitation": purpose == LinkPurpose.INVITATION,
            "errors": errors,
            "summary": password_summary(errors),
            "password_hint": PASSWORD_HINT,
        },
        status_code=status_code,
        settings=settings,
    )
    # The address holds the link's secret: it goes nowhere, not even to this site's pages.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _purpose_of(settings: Settings, secret: str) -> tuple[LinkState, LinkPurpose | None]:
    with session_scope(settings) as session:
        check = check_link(session, secret)
        return check.state, (LinkPurpose(check.link.purpose) if check.link else None)


@router.get("/mot-de-passe/{secret}", response_class=HTMLResponse)
async def choose_form(request: Request, secret: str, settings: SettingsDep) -> HTMLResponse:
    state, purpose = await run_in_threadpool(_purpose_of, settings, secret)
    if state != LinkState.VALID or purpose is None:
        return _refusal(request, settings, state)
    return _choose_page(request, settings, secret, purpose)


@router.post("/mot-de-passe/{secret}", response_model=None)
async def choose(
    request: Request,
    secret: str,
    settings: SettingsDep,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    def save() -> QueuedAccountEmail:
        with session_scope(settings) as session:
            _check, user = password_from_link(session, secret, new_password, confirm_password)
            return queue_account_email(
                session,
                settings,
                user,
                "account_password_changed",
                {"changed_at": french_datetime(utcnow()), "kept_session": False},
            )

    try:
        queued = await run_in_threadpool(save)
    except AccountLinkRefused as exc:
        return _refusal(request, settings, exc.check.state)
    except InvalidInput as exc:
        _state, purpose = await run_in_threadpool(_purpose_of, settings, secret)
        return _choose_page(
            request,
            settings,
            secret,
            purpose or LinkPurpose.RESET,
            errors=exc.errors,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    background.add_task(send_account_email, settings, queued)
    flash(request, PASSWORD_SET)
    return redirect("/login")
