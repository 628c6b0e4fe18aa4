"""/admin/comptes: admins list the staff accounts, invite a new person (who receives a
single-use link to choose their password), change a role or team, deactivate and reactivate.
Other roles get the usual audited refusal. A refused form keeps what was typed; the last
active admin cannot be demoted or deactivated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.errors import InvalidInput, Refused
from domain.french_text import team_name
from models.database import session_scope
from models.staff import ROLE_LABELS_FR, Role, StaffUser
from models.staff_link import LinkPurpose
from services.staff_admin import (
    AccountRow,
    deactivate_account,
    get_account,
    invite_account,
    list_accounts,
    reactivate_account,
    reinvite,
    teams_in_use,
    update_account,
)
from services.staff_emails import QueuedAccountEmail, queue_account_email, send_account_email
from web.auth import require_role
from web.csrf import CsrfProtected
from web.deps import RowId, SettingsDep
from web.staff.budget.common import redirect
from web.staff.password_reset import link_context
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

Admin = Annotated[StaffUser, Depends(require_role(Role.ADMIN))]
LIST = "/admin/comptes"
FIELD_LABELS = {
    "display_name": "Nom",
    "email": "Adresse e-mail",
    "role": "Rôle",
    "team": "Équipe",
}
FIELDS = tuple(FIELD_LABELS)
ROLE_OPTIONS = [(role.value, label) for role, label in ROLE_LABELS_FR.items()]
TEAM_HINT = (
    "Identifiant court, en lettres sans accent, chiffres et tirets (par exemple « paris ») : "
    "les membres d'une équipe voient les mêmes dossiers."
)


def _summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    return [(k, f"{FIELD_LABELS.get(k, 'Formulaire')} : {v}") for k, v in errors.items()]


def _rows(settings: Settings, admin: StaffUser) -> list[AccountRow]:
    with session_scope(settings) as session:
        return list_accounts(session, admin)


def _teams(settings: Settings) -> list[str]:
    with session_scope(settings) as session:
        return teams_in_use(session)


@router.get(LIST, response_class=HTMLResponse)
async def accounts(request: Request, settings: SettingsDep, admin: Admin) -> HTMLResponse:
    rows = await run_in_threadpool(_rows, settings, admin)
    return render(
        request,
        "web/accounts/list.html",
        {"nav": "accounts", "rows": rows, "role_labels": ROLE_LABELS_FR},
        settings=settings,
    )


async def _new_page(
    request: Request,
    settings: Settings,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/accounts/new.html",
        {
            "nav": "accounts",
            "form": form,
            "errors": errors,
            "summary": _summary(errors),
            "role_options": ROLE_OPTIONS,
            "teams": await run_in_threadpool(_teams, settings),
            "team_hint": TEAM_HINT,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get(f"{LIST}/nouveau", response_class=HTMLResponse)
async def new_account_form(request: Request, settings: SettingsDep, admin: Admin) -> HTMLResponse:
    return await _new_page(request, settings, {name: "" for name in FIELDS})


def _invitation_context(settings: Settings, user: StaffUser, secret: str) -> dict[str, str]:
    return {
        **link_context(settings, secret, LinkPurpose.INVITATION.value),
        "role_label": ROLE_LABELS_FR[Role(user.role)].lower(),
        "team_label": team_name(user.team),
    }


@router.post(f"{LIST}/nouveau", response_model=None)
async def create_account(
    request: Request,
    settings: SettingsDep,
    admin: Admin,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in FIELDS}

    def save() -> tuple[str, QueuedAccountEmail]:
        with session_scope(settings) as session:
            user, secret = invite_account(
                session,
                admin,
                email=form["email"],
                display_name=form["display_name"],
                role=form["role"],
                team=form["team"],
            )
            queued = queue_account_email(
                session,
                settings,
                user,
                "account_invitation",
                _invitation_context(settings, user, secret),
            )
            return user.display_name, queued

    try:
        name, queued = await run_in_threadpool(save)
    except InvalidInput as exc:
        return await _new_page(
            request, settings, form, exc.errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    background.add_task(send_account_email, settings, queued)
    flash(
        request,
        f"Compte créé pour {name} : une invitation à choisir son mot de passe lui est envoyée "
        "par e-mail (lien valable 72 heures).",
    )
    return redirect(LIST)


def _account(settings: Settings, account_id: int, admin: StaffUser) -> StaffUser:
    with session_scope(settings) as session:
        return get_account(session, account_id, admin)


async def _edit_page(
    request: Request,
    settings: Settings,
    account: StaffUser,
    admin: StaffUser,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    errors = errors or {}
    return render(
        request,
        "web/accounts/edit.html",
        {
            "nav": "accounts",
            "account": account,
            "is_self": account.id == admin.id,
            "role_label": ROLE_LABELS_FR[Role(account.role)],
            "form": form or {"role": str(account.role), "team": account.team},
            "errors": errors,
            "summary": _summary(errors),
            "refusal": refusal,
            "role_options": ROLE_OPTIONS,
            "teams": await run_in_threadpool(_teams, settings),
            "team_hint": TEAM_HINT,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get(LIST + "/{account_id}", response_class=HTMLResponse)
async def edit_form(
    request: Request, account_id: RowId, settings: SettingsDep, admin: Admin
) -> HTMLResponse:
    account = await run_in_threadpool(_account, settings, account_id, admin)
    return await _edit_page(request, settings, account, admin)


@router.post(LIST + "/{account_id}", response_model=None)
async def edit(
    request: Request, account_id: RowId, settings: SettingsDep, admin: Admin, _csrf: CsrfProtected
) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in ("role", "team")}

    def save() -> dict[str, list[str]]:
        with session_scope(settings) as session:
            user = get_account(session, account_id, admin)
            return update_account(session, admin, user, role=form["role"], team=form["team"])

    try:
        changes = await run_in_threadpool(save)
    except (InvalidInput, Refused) as exc:
        account = await run_in_threadpool(_account, settings, account_id, admin)
        errors = exc.errors if isinstance(exc, InvalidInput) else {}
        refusal = "" if isinstance(exc, InvalidInput) else exc.message
        code = (
            status.HTTP_422_UNPROCESSABLE_CONTENT
            if isinstance(exc, InvalidInput)
            else status.HTTP_409_CONFLICT
        )
        return await _edit_page(request, settings, account, admin, form, errors, refusal, code)
    if account_id == admin.id and "role" in changes:
        # No longer an admin: the accounts pages are closed to them from now on.
        flash(request, "Votre rôle est changé : la gestion des comptes ne vous est plus ouverte.")
        return redirect("/compte")
    flash(request, "Compte mis à jour." if changes else "Aucun changement : rien n'a été modifié.")
    return redirect(f"{LIST}/{account_id}")


async def _act(
    request: Request,
    settings: Settings,
    admin: StaffUser,
    account_id: int,
    action: str,
    background: BackgroundTasks,
) -> Response:
    def run() -> tuple[str, QueuedAccountEmail | None]:
        with session_scope(settings) as session:
            user = get_account(session, account_id, admin)
            if action == "deactivate":
                deactivate_account(session, admin, user)
                return f"Compte de {user.display_name} désactivé : ses sessions sont fermées.", None
            if action == "reactivate":
                reactivate_account(session, admin, user)
                return f"Compte de {user.display_name} réactivé.", None
            secret = reinvite(session, admin, user)
            queued = queue_account_email(
                session,
                settings,
                user,
                "account_invitation",
                _invitation_context(settings, user, secret),
            )
            return f"Nouvelle invitation envoyée à {user.display_name} (valable 72 heures).", queued

    try:
        message, queued = await run_in_threadpool(run)
    except Refused as exc:
        account = await run_in_threadpool(_account, settings, account_id, admin)
        return await _edit_page(
            request,
            settings,
            account,
            admin,
            refusal=exc.message,
            status_code=status.HTTP_409_CONFLICT,
        )
    if queued is not None:
        background.add_task(send_account_email, settings, queued)
    flash(request, message)
    return redirect(f"{LIST}/{account_id}")


@router.post(LIST + "/{account_id}/desactiver", response_model=None)
async def deactivate(
    request: Request,
    account_id: RowId,
    settings: SettingsDep,
    admin: Admin,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
) -> Response:
    return await _act(request, settings, admin, account_id, "deactivate", background)


@router.post(LIST + "/{account_id}/reactiver", response_model=None)
async def reactivate(
    request: Request,
    account_id: RowId,
    settings: SettingsDep,
    admin: Admin,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
) -> Response:
    return await _act(request, settings, admin, account_id, "reactivate", background)


@router.post(LIST + "/{account_id}/inviter", response_model=None)
async def invite_again(
    request: Request,
    account_id: RowId,
    settings: SettingsDep,
    admin: Admin,
    _csrf: CsrfProtected,
    background: BackgroundTasks,
) -> Response:
    return await _act(request, settings, admin, account_id, "invite", background)
