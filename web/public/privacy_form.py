"""The site's form for exercising one's rights (GDPR Art. 15–21), for anyone, signed in or not,
and the confirmation of the address it was filed with.

Nothing starts before the person confirms: the form files the request unconfirmed and its
workflow emails a link to the address given (48 hours); the confirmation page's button starts
the clock. The answer to the form is the same whatever the address (a client's or not), so the
form says nothing about who is a client. Rate-limited per address; the form's nonce stops
posts from elsewhere and files one request however many times it is sent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput, LinkRefused
from domain.intake import parse_input
from domain.privacy.intake import PublicRequestIn
from domain.privacy.request import Right
from gateway.start_intents import record_privacy_request_start_intent
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from security.privacy_links import CONFIRM_LINK, CONFIRM_LINK_PATH
from services.privacy_requests.records import create_public_request
from web.deps import SettingsDep, client_ip
from web.public.links import (
    TOO_MANY,
    LinkFormDep,
    SignedLinkPage,
    form_nonce,
    nonce_ok,
    page,
    same_origin,
)
from web.rate_limit import SharedRateLimiter
from web.workflow_gateway import (
    TemporalUnavailable,
    TransitionRefused,
    send_privacy_update,
    start_privacy_request_workflow,
)
from workflows.privacy_request_messages import CONFIRM_UPDATE, ConfirmAddress

router = APIRouter()

FORM_PATH = "/droits"
# The public form has no link token: its nonce is bound to this fixed name instead.
FORM_NAME = "public-rights-form"
FORM_PURPOSE = "privacy-public-form"
FIELD_LABELS = {"rights": "Droits demandés", "email": "Votre adresse e-mail"}
FORM_EXPIRED = (
    "La page est restée ouverte trop longtemps ou ne provient pas de Cravelynos : "
    "rechargez-la, puis envoyez à nouveau votre demande."
)
NOT_FOUND = (
    "Cette demande n'existe plus : sans confirmation dans les 48 heures, elle a été effacée. "
    "Vous pouvez en déposer une nouvelle sur notre site."
)
LATER = (
    "Votre confirmation n'a pas pu être enregistrée pour le moment : rien n'a été modifié. "
    "Réessayez dans quelques minutes avec le même lien."
)

CONFIRM_PAGE = SignedLinkPage(
    path=CONFIRM_LINK_PATH,
    reader=CONFIRM_LINK.read,
    template="privacy_confirm.html",
    nonce_purpose="privacy-confirm-form",
    expired_message=lambda _: (
        "Ce lien de confirmation n'est valable que 48 heures. Déposez une nouvelle demande sur "
        "notre site."
    ),
)


def _form_page(
    request: Request,
    settings: Settings,
    *,
    rights: list[str] | None = None,
    email: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    context = {
        "nonce": form_nonce(settings, FORM_NAME, FORM_PURPOSE),
        "right_options": [(r.value, label) for r, label in Right.labels().items()],
        "rights": rights or [],
        "email": email,
        "errors": errors,
        "summary": [
            (name, f"{FIELD_LABELS[name]} : {message}")
            for name, message in errors.items()
            if name in FIELD_LABELS
        ],
    }
    return page(request, "privacy_form.html", context, status_code)


@router.get(FORM_PATH, response_class=HTMLResponse)
async def rights_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _form_page(request, settings)


def _file(settings: Settings, data: PublicRequestIn, nonce: str) -> tuple[str, bool]:
    with session_scope(settings) as session:
        row, created = create_public_request(
            session, settings, data.rights, data.email, utcnow(), nonce
        )
        if created:
            record_privacy_request_start_intent(session, row.id)
        return row.id, created


@router.post(FORM_PATH, response_model=None)
async def file_request(
    request: Request,
    settings: SettingsDep,
    nonce: Annotated[str, Form()] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    rights: Annotated[list[str] | None, Form()] = None,
) -> Response:
    if not same_origin(request, settings) or not nonce_ok(settings, FORM_NAME, nonce, FORM_PURPOSE):
        raise LinkRefused(403, "Demande non envoyée", FORM_EXPIRED)
    typed = [r[:40] for r in (rights or [])[:10]]
    try:
        data = parse_input(PublicRequestIn, {"rights": typed, "email": email})
    except InvalidInput as exc:
        errors = {path.split(".")[0]: message for path, message in exc.errors.items()}
        return _form_page(
            request, settings, rights=typed, email=email, errors=errors, status_code=422
        )
    limiter = SharedRateLimiter(settings, settings.public_requests_per_minute)
    wait = await run_in_threadpool(limiter.hit, f"rights-form:{client_ip(request)}")
    if wait:
        raise LinkRefused(429, "Trop de demandes", TOO_MANY, retry_after=int(wait) + 1)
    request_id, created = await run_in_threadpool(_file, settings, data, nonce)
    if created:
        await start_privacy_request_workflow(request, request_id)
    return page(request, "privacy_form_sent.html", {"email": data.email})


def _filed(settings: Settings, request_id: str) -> PrivacyRequest:
    with session_scope(settings) as session:
        row = session.get(PrivacyRequest, request_id)
        if row is None:
            raise LinkRefused(410, "Demande introuvable", NOT_FOUND)
        return row


@router.get(CONFIRM_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_confirmation(request: Request, token: str, settings: SettingsDep) -> Response:
    request_id = await CONFIRM_PAGE.open(request, settings, token)
    row = await run_in_threadpool(_filed, settings, request_id)
    return CONFIRM_PAGE.render(request, settings, token, {"r": row})


@router.post(CONFIRM_LINK_PATH + "/{token}", response_model=None)
async def confirm(form: LinkFormDep) -> Response:
    request_id = await CONFIRM_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    row = await run_in_threadpool(_filed, settings, request_id)
    try:
        await send_privacy_update(request, request_id, CONFIRM_UPDATE, ConfirmAddress())
    except TransitionRefused as exc:
        return CONFIRM_PAGE.render(
            request, settings, token, {"r": row}, error=exc.message, status_code=409
        )
    except TemporalUnavailable:
        return CONFIRM_PAGE.render(
            request, settings, token, {"r": row}, error=LATER, status_code=503
        )
    confirmed = await run_in_threadpool(_filed, settings, request_id)
    return CONFIRM_PAGE.render(request, settings, token, {"r": confirmed})
