"""The case worker records an approval the client gave another way (phone, email, post, in
person): the same workflow Update as the client's link, with the channel and the staff member
as actor. The workflow's validator has the last word (stale submission, already approved...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.dossier_stages import APPROVAL_CHANNEL_LABELS_FR, ApprovalChannel, Stage
from domain.input_fields import whole_number
from models.database import session_scope
from models.staff import StaffUser
from services.budget.store import BudgetStatus, budget_status
from services.dossiers.access import DossierAction, actor_of, load_dossier
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.dossiers.actions import refusal_of
from web.ui.flash import flash
from web.ui.rendering import render
from web.workflow_gateway import send_update
from workflows.dossier_messages import RECORD_APPROVAL_UPDATE, ApprovalRecord

router = APIRouter()

# The client's own link records itself; staff pick how the client told them.
STAFF_CHANNELS = [c for c in ApprovalChannel if c is not ApprovalChannel.CLIENT_LINK]
CHANNEL_OPTIONS = [(c.value, APPROVAL_CHANNEL_LABELS_FR[c].capitalize()) for c in STAFF_CHANNELS]
CHOOSE_CHANNEL = "Indiquez comment le client a donné son accord."
UNKNOWN_SUBMISSION = "Version de l'analyse manquante : rechargez la page."
NOT_RECORDED = "La validation n'a pas été enregistrée."


@dataclass(frozen=True)
class ApprovalContext:
    dossier_id: str
    reference: str
    stage: Stage
    status: BudgetStatus

    @property
    def awaiting(self) -> bool:
        return self.stage == Stage.AWAITING_APPROVAL and self.status.submission > 0

    @property
    def channel_label(self) -> str:
        channel = self.status.approval_channel
        if channel in {c.value for c in ApprovalChannel}:
            return APPROVAL_CHANNEL_LABELS_FR[ApprovalChannel(channel)]
        return channel or ""


def _url(dossier_id: str) -> str:
    return f"/dossiers/{dossier_id}/analyse/validation"


def _load(settings: Settings, staff: StaffUser, dossier_id: str) -> ApprovalContext:
    with session_scope(settings) as session:
        dossier = load_dossier(session, staff, dossier_id, DossierAction.WRITE, "analysis.approval")
        return ApprovalContext(
            dossier.id, dossier.reference, dossier.stage, budget_status(session, dossier.id)
        )


async def _page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    *,
    form: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    context = await run_in_threadpool(_load, settings, staff, dossier_id)
    return render(
        request,
        "web/client/approval_staff.html",
        {
            "nav": "dossiers",
            "approval": context,
            "action_url": _url(dossier_id),
            "channel_options": CHANNEL_OPTIONS,
            "form": form or {"channel": "", "errors": {}},
            "error": error,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/dossiers/{dossier_id}/analyse/validation", response_class=HTMLResponse)
async def approval_form(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    return await _page(request, settings, staff, dossier_id)


@router.post("/dossiers/{dossier_id}/analyse/validation", response_model=None)
async def record_staff_approval(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    channel: Annotated[str, Form()] = "",
    submission: Annotated[str, Form()] = "",
) -> Response:
    form: dict[str, Any] = {"channel": channel, "errors": {}}
    if channel not in {c.value for c in STAFF_CHANNELS}:
        form["errors"]["channel"] = CHOOSE_CHANNEL
    submission_number = whole_number(submission)
    if submission_number is None:
        form["errors"]["submission"] = UNKNOWN_SUBMISSION
    code, message = status.HTTP_422_UNPROCESSABLE_CONTENT, ""
    if submission_number is not None and not form["errors"]:
        # Access first (403, audited), then the workflow decides.
        await run_in_threadpool(_load, settings, staff, dossier_id)
        record = ApprovalRecord(actor_of(staff), channel, submission_number)
        code, message = await refusal_of(
            send_update(request, dossier_id, RECORD_APPROVAL_UPDATE, record)
        )
    if code:
        error = f"{NOT_RECORDED} {message}".strip()
        return await _page(
            request, settings, staff, dossier_id, form=form, error=error, status_code=code
        )
    label = APPROVAL_CHANNEL_LABELS_FR[ApprovalChannel(channel)]
    flash(request, f"Validation du client enregistrée ({label}) : la stratégie est validée.")
    return RedirectResponse(f"/dossiers/{dossier_id}", status.HTTP_303_SEE_OTHER)
