"""The client's page for an analysis submission, reached by the signed link of the email.

No staff login: the link is the credential (signed, expiring, naming one dossier and one
submission). The page shows the submission as sent, its PDF report, and two equally easy
answers: approve (an Update; the workflow's validator has the last word) or ask to talk it over
with the adviser (a timeline event, nothing else). The forms carry a signed nonce bound to the
link instead of a session's CSRF token: the client has no session and gets no cookie.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cravelynos.activities.analysis_link import (
    ANALYSIS_LINK_PATH,
    AnalysisLink,
    read_analysis_link,
)
from cravelynos.models.budget_views import debt_name, eur, strategy_label
from cravelynos.security.tokens import TokenError, TokenExpired, read_token, sign_token
from cravelynos.settings import Settings
from cravelynos.web.deps import SettingsDep, client_ip
from cravelynos.web.pages.client_analysis import (
    ClientAnalysis,
    LinkRefused,
    load_client_analysis,
    read_client_report,
    record_discussion_request,
    submission_client,
)
from cravelynos.web.pages.rendering import templates
from cravelynos.web.rate_limit import RateLimiter
from cravelynos.web.workflow_gateway import TemporalUnavailable, TransitionRefused, send_update
from cravelynos.workflows.dossier_messages import (
    RECORD_APPROVAL_UPDATE,
    ApprovalChannel,
    ApprovalRecord,
)

router = APIRouter()

NONCE_PURPOSE = "analysis-approval-form"
# Long enough for a page left open while the client thinks it over; the link itself lasts longer.
NONCE_MAX_AGE_SECONDS = 12 * 3600
NOTHING_CHANGED = "Rien n'a été modifié."

EXPIRED_HEADING = "Ce lien a expiré"
INVALID_HEADING = "Ce lien n'est pas valable"
TOO_MANY = "Trop de demandes en peu de temps : patientez une minute, puis réessayez."
FORM_EXPIRED = (
    "La page est restée ouverte trop longtemps ou ne provient pas de Cravelynos : rechargez-la, "
    "puis recommencez. Votre réponse n'a pas été enregistrée."
)
DISCUSSION_NOTICE = (
    "C'est noté : votre conseiller va vous recontacter pour en parler. Vous pourrez ensuite "
    "approuver la proposition avec ce même lien, tant qu'il est valable."
)
APPROVAL_NOT_RECORDED = "Votre accord n'a pas été enregistré : "
PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def _expired_message(settings: Settings) -> str:
    return (
        f"Pour votre sécurité, le lien vers votre analyse n'est valable que "
        f"{settings.analysis_link_days} jours. Demandez à votre conseiller de vous envoyer un "
        f"nouveau lien. {NOTHING_CHANGED}"
    )


INVALID_MESSAGE = (
    "L'adresse est incomplète ou a été modifiée. Ouvrez le lien directement depuis le dernier "
    f"courriel reçu, ou contactez votre conseiller. {NOTHING_CHANGED}"
)


def _page_url(token: str) -> str:
    return f"{ANALYSIS_LINK_PATH}/{quote(token, safe='')}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def form_nonce(settings: Settings, token: str) -> str:
    """A per-page nonce, bound to this link: a form posted from anywhere else is refused."""
    return sign_token(NONCE_PURPOSE, {"l": _digest(token)}, settings)


def _nonce_ok(settings: Settings, token: str, nonce: str) -> bool:
    try:
        payload = read_token(NONCE_PURPOSE, nonce, NONCE_MAX_AGE_SECONDS, settings)
    except TokenError:
        return False
    return hmac.compare_digest(str(payload.get("l", "")), _digest(token))


def _same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    # The client pages send no referrer (the link carries the token), and with no referrer a
    # browser posts the form with `Origin: null`; the signed nonce is what proves the form is ours.
    if origin is None or origin == "null":
        return True
    allowed = {
        _origin(settings.public_base_url),
        _origin(str(request.base_url)),
    }
    return origin.lower().rstrip("/") in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _limiter(request: Request, settings: Settings) -> RateLimiter:
    """One limiter per app, made on first use (the app factory knows nothing of this page)."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "client_link_limiter", None)
    if limiter is None:
        limiter = RateLimiter(settings.client_link_requests_per_minute)
        state.client_link_limiter = limiter
    return limiter


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    # Not pages.rendering.render: that one opens a staff session (and sets a cookie).
    response = templates.TemplateResponse(
        request, f"web/client/{template}", context, status_code=status_code
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


def _message(
    request: Request, status_code: int, heading: str, message: str, **headers: str
) -> HTMLResponse:
    response = _page(request, "message.html", {"heading": heading, "message": message}, status_code)
    response.headers.update(headers)
    return response


def _refusal_page(request: Request, refused: LinkRefused) -> HTMLResponse:
    return _message(request, refused.status_code, refused.heading, refused.message)


def _open_link(request: Request, settings: Settings, token: str) -> AnalysisLink | HTMLResponse:
    """The link's target, or the page saying why it cannot be used (rate limit first)."""
    wait = _limiter(request, settings).hit(f"ip:{client_ip(request)}")
    if wait:
        return _message(
            request, 429, "Trop de demandes", TOO_MANY, **{"Retry-After": str(int(wait) + 1)}
        )
    try:
        return read_analysis_link(settings, token)
    except TokenExpired:
        return _message(request, 410, EXPIRED_HEADING, _expired_message(settings))
    except TokenError:
        return _message(request, 400, INVALID_HEADING, INVALID_MESSAGE)


def _form_refused(request: Request, settings: Settings, token: str, nonce: str) -> bool:
    return not _same_origin(request, settings) or not _nonce_ok(settings, token, nonce)


async def _analysis_page(
    request: Request,
    settings: Settings,
    token: str,
    link: AnalysisLink,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        view: ClientAnalysis = await run_in_threadpool(
            load_client_analysis, settings, link, "consultation de l'analyse par le client"
        )
    except LinkRefused as refused:
        return _refusal_page(request, refused)
    submission = view.submission
    return _page(
        request,
        "analysis.html",
        {
            "view": view,
            "analysis": submission.analysis,
            "data": submission.data,
            "strategy": submission.strategy,
            "page_url": _page_url(token),
            "nonce": form_nonce(settings, token),
            "notice": notice,
            "error": error,
            "eur": eur,
            "strategy_label": strategy_label,
            "debt_name": debt_name,
        },
        status_code,
    )


@router.get(ANALYSIS_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_analysis(request: Request, token: str, settings: SettingsDep) -> Response:
    link = _open_link(request, settings, token)
    if isinstance(link, Response):
        return link
    return await _analysis_page(request, settings, token, link)


@router.post(ANALYSIS_LINK_PATH + "/{token}/approve", response_model=None)
async def approve_analysis(
    request: Request,
    token: str,
    settings: SettingsDep,
    nonce: Annotated[str, Form()] = "",
) -> Response:
    link = _open_link(request, settings, token)
    if isinstance(link, Response):
        return link
    if _form_refused(request, settings, token, nonce):
        return _message(request, 403, "Réponse non enregistrée", FORM_EXPIRED)
    try:
        client_id = await run_in_threadpool(submission_client, settings, link)
    except LinkRefused as refused:
        return _refusal_page(request, refused)
    approval = ApprovalRecord(
        actor=f"client:{client_id}",
        channel=ApprovalChannel.CLIENT_LINK.value,
        submission=link.submission,
    )
    try:
        await send_update(request, link.dossier_id, RECORD_APPROVAL_UPDATE, approval)
    except TransitionRefused as exc:
        return await _analysis_page(
            request,
            settings,
            token,
            link,
            error=APPROVAL_NOT_RECORDED + exc.message,
            status_code=status.HTTP_409_CONFLICT,
        )
    except TemporalUnavailable as exc:
        return await _analysis_page(
            request,
            settings,
            token,
            link,
            error=APPROVAL_NOT_RECORDED + exc.message,
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return RedirectResponse(_page_url(token), status.HTTP_303_SEE_OTHER)


@router.post(ANALYSIS_LINK_PATH + "/{token}/discuss", response_model=None)
async def ask_to_discuss(
    request: Request,
    token: str,
    settings: SettingsDep,
    nonce: Annotated[str, Form()] = "",
) -> Response:
    link = _open_link(request, settings, token)
    if isinstance(link, Response):
        return link
    if _form_refused(request, settings, token, nonce):
        return _message(request, 403, "Demande non enregistrée", FORM_EXPIRED)
    try:
        await run_in_threadpool(record_discussion_request, settings, link)
    except LinkRefused as refused:
        return _refusal_page(request, refused)
    return await _analysis_page(request, settings, token, link, notice=DISCUSSION_NOTICE)


@router.get(ANALYSIS_LINK_PATH + "/{token}/rapport.pdf", response_model=None)
async def download_report(request: Request, token: str, settings: SettingsDep) -> Response:
    link = _open_link(request, settings, token)
    if isinstance(link, Response):
        return link
    try:
        filename, pdf = await run_in_threadpool(read_client_report, settings, link)
    except LinkRefused as refused:
        return _refusal_page(request, refused)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            **PRIVATE_HEADERS,
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        },
    )
