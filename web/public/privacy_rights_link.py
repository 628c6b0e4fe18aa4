"""The link in every email to a client: they exercise their rights without proving who they are
again (the link came to their own mailbox). The request is received when they send the form,
identified, and goes straight to the DPO's queue; the page says by when they will be answered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput, LinkRefused, NotFound
from domain.intake import parse_input
from domain.privacy.intake import RightsIn
from domain.privacy.request import Right
from gateway.start_intents import record_privacy_request_start_intent
from models.client import Client
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from security.privacy_links import RIGHTS_LINK, RIGHTS_LINK_PATH
from services.privacy_requests.records import create_linked_request
from web.deps import SettingsDep
from web.public.links import LinkFormDep, SignedLinkPage
from web.workflow_gateway import start_privacy_request_workflow

router = APIRouter()

GONE = (
    "Ce lien ne correspond plus à un dossier chez nous : écrivez à dpo@cravelynos.example pour "
    "exercer vos droits."
)
RIGHTS_PAGE = SignedLinkPage(
    path=RIGHTS_LINK_PATH,
    reader=RIGHTS_LINK.read,
    template="privacy_rights_link.html",
    nonce_purpose="privacy-rights-form",
    expired_message=lambda settings: (
        f"Ce lien n'est valable que {settings.rights_link_days} jours. Utilisez celui d'un "
        "courriel plus récent, notre formulaire en ligne (/droits) ou écrivez à "
        "dpo@cravelynos.example."
    ),
)


def _client_known(settings: Settings, client_id: str) -> None:
    with session_scope(settings) as session:
        client = session.get(Client, client_id)
        if client is None or client.wrapped_key is None:
            raise LinkRefused(410, "Lien sans objet", GONE)


def _context(rights: list[str], errors: dict[str, str]) -> dict[str, object]:
    return {
        "right_options": [(r.value, label) for r, label in Right.labels().items()],
        "rights": rights,
        "errors": errors,
        "filed": None,
    }


@router.get(RIGHTS_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def rights_page(request: Request, token: str, settings: SettingsDep) -> Response:
    client_id = await RIGHTS_PAGE.open(request, settings, token)
    await run_in_threadpool(_client_known, settings, client_id)
    return RIGHTS_PAGE.render(request, settings, token, _context([], {}))


def _file(
    settings: Settings, client_id: str, data: RightsIn, nonce: str
) -> tuple[PrivacyRequest, bool]:
    with session_scope(settings) as session:
        try:
            row, created = create_linked_request(
                session, settings, client_id, data.rights, utcnow(), nonce
            )
        except NotFound:
            raise LinkRefused(410, "Lien sans objet", GONE) from None
        if created:
            record_privacy_request_start_intent(session, row.id)
        return row, created


@router.post(RIGHTS_LINK_PATH + "/{token}", response_model=None)
async def file_request(
    form: LinkFormDep, rights: Annotated[list[str] | None, Form()] = None
) -> Response:
    client_id = await RIGHTS_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    typed = [r[:40] for r in (rights or [])[:10]]
    try:
        data = parse_input(RightsIn, {"rights": typed})
    except InvalidInput as exc:
        errors = {path.split(".")[0]: message for path, message in exc.errors.items()}
        return RIGHTS_PAGE.render(
            request, settings, token, _context(typed, errors), status_code=422
        )
    row, created = await run_in_threadpool(_file, settings, client_id, data, form.nonce)
    if created:
        await start_privacy_request_workflow(request, row.id)
    context = {**_context(typed, {}), "filed": row}
    return RIGHTS_PAGE.render(request, settings, token, context)
