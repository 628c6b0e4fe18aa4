"""POST reassignments: one dossier from its page, several from the team workload page.

The service checks everything before it changes anything and queues the new assignee's email
with the change; the messages leave here, once the transaction committed.
"""

from __future__ import annotations

from typing import Annotated

from aiosmtplib import SMTPException
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from domain.errors import InvalidInput
from domain.french_text import counted
from domain.input_fields import whole_number
from models.staff import StaffUser
from services.dossiers.reassignment import Reassigned, reassign_dossiers
from services.email_outbox import deliver
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.staff.dossiers.work_page import team_page, team_url
from web.transactions import in_session
from web.ui.flash import flash

router = APIRouter()

EMAIL_FAILED = (
    "Le courriel prévenant le nouveau conseiller n'a pas pu partir pour {what} : il repartira "
    "de lui-même dès que le serveur de messagerie répondra ; si c'est urgent, prévenez-le "
    "directement."
)


async def _send(settings: Settings, done: list[Reassigned]) -> list[str]:
    """Deliver the queued messages; the references whose message could not leave."""
    failed = []
    for item in done:
        if item.email is None or item.client is None:
            continue
        try:
            await deliver(settings, item.email, item.client)
        except (ApplicationError, SMTPException, OSError):
            failed.append(item.reference)
    return failed


async def _reassign(
    request: Request, settings: Settings, staff: StaffUser, ids: list[str], assignee: str
) -> list[Reassigned]:
    """Reassign, send, and flash what was done (InvalidInput when nothing was)."""
    done = await in_session(
        settings, reassign_dossiers, staff, ids, whole_number(assignee), settings
    )
    failed = await _send(settings, done)
    changed = sum(item.changed for item in done)
    name = done[0].assignee_name
    if changed:
        flash(request, f"{counted(changed, 'dossier confié', 'dossiers confiés')} à {name}.")
    unchanged = len(done) - changed
    if unchanged == 1:
        flash(request, f"1 dossier était déjà confié à {name} : rien n'a changé pour lui.", "info")
    elif unchanged:
        flash(request, f"{unchanged} dossiers étaient déjà confiés à {name} : inchangés.", "info")
    if failed:
        flash(request, EMAIL_FAILED.format(what=", ".join(failed)), "warning")
    return done


@router.post("/dossiers/{dossier_id}/reattribuer", response_model=None)
async def reassign_one(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    assignee: Annotated[str, Form()] = "",
) -> Response:
    try:
        await _reassign(request, settings, staff, [dossier_id], assignee)
    except InvalidInput as exc:
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            action_error=" ".join(exc.errors.values()),
            action_panel="reassign",
            reassign={"assignee": assignee, "errors": exc.errors},
        )
    return RedirectResponse(f"/dossiers/{dossier_id}", status.HTTP_303_SEE_OTHER)


@router.post("/travail/equipe/reattribuer", response_model=None)
async def reassign_many(
    request: Request,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    dossier: Annotated[list[str] | None, Form()] = None,
    assignee: Annotated[str, Form()] = "",
    conseiller: Annotated[str, Form()] = "",
) -> Response:
    ids = dossier or []
    try:
        await _reassign(request, settings, staff, ids, assignee)
    except InvalidInput as exc:
        return await team_page(
            request,
            settings,
            staff,
            member=conseiller,
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            errors=dict(exc.errors),
            chosen=ids,
            assignee=assignee,
        )
    return RedirectResponse(team_url(whole_number(conseiller)), status.HTTP_303_SEE_OTHER)
