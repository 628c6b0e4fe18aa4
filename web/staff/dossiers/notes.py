"""Notes and call logs on the dossier page (POST). Access first (another team's dossier is
refused, audited), then the whole form; a refusal shows the dossier page again with the
form's text kept and each field's message, and writes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_notes import (
    BAD_CALL_MOMENT,
    BAD_DURATION,
    CallInput,
    NoteInput,
    call_moment_refusal,
    duration_refusal,
)
from domain.errors import InvalidInput
from domain.french_dates import PARIS
from domain.input_fields import whole_number
from domain.intake import validation_errors
from models.database import session_scope
from models.staff import StaffUser
from services.dossiers.notes import NoteRefused, add_call, add_note, writable_dossier
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.ui.flash import flash

router = APIRouter()

NOTE_NOT_DONE = "La note n'a pas été ajoutée : corrigez le formulaire."
CALL_NOT_DONE = "L'appel n'a pas été consigné : corrigez le formulaire."


def _require_write(settings: Settings, staff: StaffUser, dossier_id: str) -> None:
    """Refuse (403, audited) before telling someone who may not write what their form lacks."""
    with session_scope(settings) as session:
        writable_dossier(session, staff, dossier_id)


def parse_call(values: dict[str, str], now: datetime) -> CallInput:
    """The call from the form's strings, `called_at` typed in Paris time; InvalidInput with
    each field's French message (a call in the future, a duration out of range included)."""
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {k: values[k] for k in ("direction", "party", "summary")}
    try:
        local = datetime.fromisoformat(values["called_at"].strip())
        called_at = local.replace(tzinfo=PARIS) if local.tzinfo is None else local
        typed["called_at"] = called_at
        if refusal := call_moment_refusal(called_at, now):
            errors["called_at"] = refusal
    except ValueError:
        errors["called_at"] = BAD_CALL_MOMENT
    if duration_text := values["duration_minutes"].strip():
        minutes = whole_number(duration_text)
        if minutes is None or duration_refusal(minutes):
            errors["duration_minutes"] = BAD_DURATION
        else:
            typed["duration_minutes"] = minutes
    try:
        call = CallInput.model_validate(typed)
    except ValidationError as exc:
        for name, message in validation_errors(exc).items():
            errors.setdefault(name.split(".")[0], message)
        raise InvalidInput(errors) from None
    if errors:
        raise InvalidInput(errors)
    return call


async def _refused(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    panel: str,
    message: str,
    typed: dict[str, str],
    errors: dict[str, str],
) -> Response:
    await run_in_threadpool(_require_write, settings, staff, dossier_id)
    return await dossier_page(
        request,
        settings,
        staff,
        dossier_id,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        action_error=message,
        action_panel=panel,
        notes_form={"panel": panel, "typed": typed, "errors": errors},
    )


def _write(settings: Settings, work: Any, *args: Any) -> str:
    with session_scope(settings) as session:
        result: str = work(session, settings, *args)
        return result


@router.post("/dossiers/{dossier_id}/notes", response_model=None)
async def post_note(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    text: Annotated[str, Form()] = "",
) -> Response:
    typed = {"text": text}
    try:
        note = NoteInput.model_validate(typed)
        await run_in_threadpool(_write, settings, add_note, staff, dossier_id, note)
    except ValidationError as exc:
        return await _refused(
            request, settings, staff, dossier_id, "note", NOTE_NOT_DONE, typed,
            validation_errors(exc),
        )  # fmt: skip
    except NoteRefused as exc:
        return await _refused(
            request, settings, staff, dossier_id, "note", exc.errors[""], typed, {}
        )
    flash(request, "Note ajoutée à l'historique du dossier.")
    return RedirectResponse(f"/dossiers/{dossier_id}#historique", status.HTTP_303_SEE_OTHER)


@router.post("/dossiers/{dossier_id}/calls", response_model=None)
async def post_call(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    direction: Annotated[str, Form()] = "",
    party: Annotated[str, Form()] = "",
    called_at: Annotated[str, Form()] = "",
    duration_minutes: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
) -> Response:
    typed = {
        "direction": direction,
        "party": party,
        "called_at": called_at,
        "duration_minutes": duration_minutes,
        "summary": summary,
    }
    try:
        call = parse_call(typed, utcnow())
        await run_in_threadpool(_write, settings, add_call, staff, dossier_id, call)
    except NoteRefused as exc:
        return await _refused(
            request, settings, staff, dossier_id, "call", exc.errors[""], typed, {}
        )
    except InvalidInput as exc:
        return await _refused(
            request, settings, staff, dossier_id, "call", CALL_NOT_DONE, typed, exc.errors
        )
    flash(request, "Appel consigné dans l'historique du dossier.")
    return RedirectResponse(f"/dossiers/{dossier_id}#historique", status.HTTP_303_SEE_OTHER)
