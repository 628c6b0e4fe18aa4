"""What every negotiation action of the dossier page shares.

An action: the viewer may write this dossier and the negotiation belongs to it (a dependency,
checked after the CSRF token and before any form error is shown); the form is checked; its
rows are staged in one transaction (domain/staged_writes.py); the workflow update names them.
A refusal, by the form, the services or the workflow, leaves the data as it was: staged rows
stay inert until swept, nothing is taken back. The form comes back with what was typed and the
message; otherwise a flash message and back to the card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from config.settings import Settings
from domain.errors import InvalidInput, NotFound
from domain.file_types import UploadRefused
from models.staff import StaffUser
from services.dossiers.access import DossierAction
from services.negotiations.attachments import Upload
from services.negotiations.store import NOT_FOUND, NegotiationRefused, load_negotiation
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.dossiers.actions import refusal_of
from web.staff.dossiers.detail_page import dossier_page
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.ui.flash import flash

T = TypeVar("T")
NOT_DONE = "Action non enregistrée : corrigez le formulaire."
PREFIX = "/dossiers/{dossier_id}/negociations/{negotiation_id}"


def _require_negotiation(
    session: Session, staff: StaffUser, dossier_id: str, negotiation_id: str
) -> None:
    negotiation, _ = load_negotiation(
        session, staff, negotiation_id, DossierAction.WRITE, "negotiation"
    )
    if negotiation.dossier_id != dossier_id:
        raise NotFound(NOT_FOUND)


async def writable_negotiation(
    dossier_id: str, negotiation_id: str, settings: SettingsDep, staff: CurrentStaff
) -> str:
    """404 for a negotiation of another dossier, 403 (audited) for a dossier the viewer may not
    change; the negotiation's id otherwise."""
    await in_session(settings, _require_negotiation, staff, dossier_id, negotiation_id)
    return negotiation_id


WritableNegotiation = Annotated[str, Depends(writable_negotiation)]


def form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def form_list(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


async def form_uploads(form: FormData, name: str, settings: Settings) -> list[Upload]:
    """The files chosen in a file field (none chosen: an empty list)."""
    uploads: list[Upload] = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and item.filename:
            # One byte over the limit is enough to refuse; never hold more than that.
            uploads.append((item.filename, await item.read(settings.upload_max_bytes + 1)))
    return uploads


def back_to(dossier_id: str, negotiation_id: str) -> RedirectResponse:
    return RedirectResponse(
        f"/dossiers/{dossier_id}#negociation-{negotiation_id}", status.HTTP_303_SEE_OTHER
    )


async def show_refused(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    form: NegotiationForm,
    status_code: int,
) -> Response:
    return await dossier_page(
        request, settings, staff, dossier_id, status_code=status_code, negotiation=form
    )


async def perform(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    form: NegotiationForm,
    *,
    stage: Callable[[Session], T],
    update: Callable[[T], Awaitable[Any]],
    done: str,
    upload_field: str = "attachments",
    kept_when_unavailable: str | None = None,
    kept_when_refused: str | None = None,
    back: Callable[[T], RedirectResponse] | None = None,
) -> Response:
    """Stage the rows in one transaction, then send the update naming them. `form` keeps what
    was typed.

    `kept_when_unavailable`, `kept_when_refused`: what was written is effective at once and
    stands even when Temporal cannot be reached or the workflow refuses (a client's withdrawal:
    every message re-checks consent in the database at send time, and the workflow reconciles
    it later); the case worker is told so, with the workflow's reason after a refusal.
    `back`: where to go once done (default: the form's card)."""
    try:
        staged = await in_session(settings, stage)
    except NegotiationRefused as exc:
        form.message = exc.message
        return await show_refused(request, settings, staff, dossier_id, form, 409)
    except UploadRefused as exc:
        form.errors[upload_field] = exc.message
        form.message = NOT_DONE
        return await show_refused(request, settings, staff, dossier_id, form, 422)
    except InvalidInput as exc:
        form.errors.update(exc.errors)
        form.message = " ".join(exc.errors.values()) if len(exc.errors) == 1 else NOT_DONE
        return await show_refused(request, settings, staff, dossier_id, form, 422)
    code, message = await refusal_of(update(staged))
    if code and kept_when_unavailable is not None and kept_when_refused is not None:
        unavailable = code == status.HTTP_503_SERVICE_UNAVAILABLE
        kept = kept_when_unavailable if unavailable else kept_when_refused + message
        flash(request, kept, "warning")
        return back_to(dossier_id, form.negotiation_id)
    if code:
        form.message = message
        return await show_refused(request, settings, staff, dossier_id, form, code)
    flash(request, done)
    return back(staged) if back is not None else back_to(dossier_id, form.negotiation_id)


async def invalid(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    form: NegotiationForm,
    errors: dict[str, str],
) -> Response:
    """The form refused before anything was written (422)."""
    form.errors.update(errors)
    form.message = NOT_DONE
    return await show_refused(request, settings, staff, dossier_id, form, 422)
