"""The client's page for an analysis submission, reached by the signed link of the email.

No staff login: the link is the credential (signed, expiring, naming one dossier and one
submission). The page shows the submission as sent, its PDF report, and two equally easy
answers: approve (an Update; the workflow's validator has the last word) or ask to talk it over
with the adviser (a timeline event, nothing else). The forms carry a signed nonce bound to the
link instead of a session's CSRF token: the client has no session and gets no cookie.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config.settings import Settings
from domain.dossier_stages import ApprovalChannel
from rendering.labels import debt_name, eur, strategy_label
from security.analysis_links import (
    ANALYSIS_LINK_PATH,
    AnalysisLink,
    read_analysis_link,
)
from services.budget.client_analysis import (
    ClientAnalysis,
    load_client_analysis,
    read_client_report,
    record_discussion_request,
    submission_client,
)
from web.deps import SettingsDep
from web.public.links import PRIVATE_HEADERS, LinkFormDep, SignedLinkPage, lasts
from web.transactions import in_session
from web.workflow_gateway import TemporalUnavailable, TransitionRefused, send_update
from workflows.dossier_messages import RECORD_APPROVAL_UPDATE, ApprovalRecord

router = APIRouter()

DISCUSSION_NOTICE = (
    "C'est noté : votre conseiller va vous recontacter pour en parler. Vous pourrez ensuite "
    "approuver la proposition avec ce même lien, tant qu'il est valable."
)
APPROVAL_NOT_RECORDED = "Votre accord n'a pas été enregistré : "


# The read is audited by load_client_analysis itself (it knows the dossier's client).
ANALYSIS_PAGE = SignedLinkPage(
    path=ANALYSIS_LINK_PATH,
    reader=read_analysis_link,
    template="analysis.html",
    nonce_purpose="analysis-approval-form",
    expired_message=lasts(lambda s: s.analysis_link_days, "le lien vers votre analyse"),
)


async def _analysis_page(
    request: Request, settings: Settings, token: str, link: AnalysisLink, **state: Any
) -> HTMLResponse:
    view: ClientAnalysis = await in_session(
        settings, load_client_analysis, settings, link, "consultation de l'analyse par le client"
    )
    submission = view.submission
    context = {
        "view": view,
        "analysis": submission.analysis,
        "data": submission.data,
        "strategy": submission.strategy,
        "eur": eur,
        "strategy_label": strategy_label,
        "debt_name": debt_name,
    }
    return ANALYSIS_PAGE.render(request, settings, token, context, **state)


@router.get(ANALYSIS_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_analysis(request: Request, token: str, settings: SettingsDep) -> Response:
    link = await ANALYSIS_PAGE.open(request, settings, token)
    return await _analysis_page(request, settings, token, link)


@router.post(ANALYSIS_LINK_PATH + "/{token}/approve", response_model=None)
async def approve_analysis(form: LinkFormDep) -> Response:
    link = await ANALYSIS_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    client_id = await in_session(settings, submission_client, link)
    approval = ApprovalRecord(
        actor=f"client:{client_id}",
        channel=ApprovalChannel.CLIENT_LINK.value,
        submission=link.submission,
    )
    try:
        await send_update(request, link.dossier_id, RECORD_APPROVAL_UPDATE, approval)
    except (TransitionRefused, TemporalUnavailable) as exc:
        return await _analysis_page(
            request,
            settings,
            token,
            link,
            error=APPROVAL_NOT_RECORDED + exc.message,
            status_code=exc.status_code,
        )
    return RedirectResponse(ANALYSIS_PAGE.url(token), status.HTTP_303_SEE_OTHER)


@router.post(ANALYSIS_LINK_PATH + "/{token}/discuss", response_model=None)
async def ask_to_discuss(form: LinkFormDep) -> Response:
    link = await ANALYSIS_PAGE.submitted(form, heading="Demande non enregistrée")
    await in_session(form.settings, record_discussion_request, link)
    return await _analysis_page(
        form.request, form.settings, form.token, link, notice=DISCUSSION_NOTICE
    )


@router.get(ANALYSIS_LINK_PATH + "/{token}/rapport.pdf", response_model=None)
async def download_report(request: Request, token: str, settings: SettingsDep) -> Response:
    link = await ANALYSIS_PAGE.open(request, settings, token)
    filename, pdf = await in_session(settings, read_client_report, settings, link)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            **PRIVATE_HEADERS,
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        },
    )
