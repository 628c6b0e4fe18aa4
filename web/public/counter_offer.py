"""The client's decision on a creditor's counter-offer, reached by the signed decision link.

Only the client accepts a counter-offer, and only before its decision deadline: the page shows
the terms next to our offer they answer, with "J'accepte" and "Je refuse" as the same kind of
button, neither pre-selected. The decision is the workflow's to apply (it writes the offer's
status and tells the creditor): nothing is written here before it agrees, so a refused or
unreachable workflow leaves everything as it was. Past the deadline → 410; decided → 409.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, Response

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import LinkRefused
from security.negotiation_links import (
    DECISION_LINK_PATH,
    SPACE_LINK_PATH,
    read_decision_link,
    space_link_token,
)
from services.negotiations.client_views import (
    ClientCounterOffer,
    audit_client_read,
    client_counter_offer,
    counter_offer_refusal,
    record_counter_offer_decision,
)
from web.deps import SettingsDep
from web.public.links import (
    form_nonce,
    form_refused,
    form_refused_page,
    open_link,
    page,
    page_url,
    refusal_page,
)
from web.transactions import in_session
from web.workflow_gateway import (
    TemporalUnavailable,
    TransitionRefused,
    send_negotiation_update,
)
from workflows.negotiation_messages import CLIENT_DECISION_UPDATE, ClientDecision

router = APIRouter()

NONCE_PURPOSE = "counter-offer-decision-form"
READ_REASON = "consultation d'une contre-proposition par le client"
ACCEPT, REFUSE = "accept", "refuse"
CHOOSE = "Choisissez « J'accepte » ou « Je refuse »."
NOT_RECORDED = "Votre décision n'a pas été enregistrée : "
EXPIRED_MESSAGE = (
    "Ce lien n'est plus valable. Demandez à votre conseiller où en est la négociation."
)


def _open(request: Request, settings: Settings, token: str) -> str | Response:
    return open_link(request, settings, token, read_decision_link, EXPIRED_MESSAGE)


async def _view(settings: Settings, offer_id: str) -> ClientCounterOffer:
    return await in_session(settings, client_counter_offer, settings, offer_id)


def _counter_offer_page(
    request: Request,
    settings: Settings,
    token: str,
    view: ClientCounterOffer,
    *,
    decided: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "view": view,
        "o": view.offer,
        "n": view.negotiation,
        "page_url": page_url(DECISION_LINK_PATH, token),
        "space_url": page_url(SPACE_LINK_PATH, space_link_token(settings, view.negotiation.id)),
        "nonce": form_nonce(settings, token, NONCE_PURPOSE),
        "decided": decided,
        "error": error,
    }
    return page(request, "counter_offer.html", context, status_code)


@router.get(DECISION_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_counter_offer(request: Request, token: str, settings: SettingsDep) -> Response:
    offer_id = _open(request, settings, token)
    if isinstance(offer_id, Response):
        return offer_id
    try:
        view = await _view(settings, offer_id)
    except LinkRefused as refused:
        return refusal_page(request, refused)
    refused_now = counter_offer_refusal(view, utcnow())
    if refused_now is not None:
        return refusal_page(request, refused_now)
    await in_session(
        settings,
        audit_client_read,
        client_id=view.client_id,
        action="offer.read",
        object_type="negotiation_offer",
        object_id=offer_id,
        reason=READ_REASON,
    )
    return _counter_offer_page(request, settings, token, view)


@router.post(DECISION_LINK_PATH + "/{token}", response_model=None)
async def decide_counter_offer(
    request: Request,
    token: str,
    settings: SettingsDep,
    nonce: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
) -> Response:
    offer_id = _open(request, settings, token)
    if isinstance(offer_id, Response):
        return offer_id
    if form_refused(request, settings, token, nonce, NONCE_PURPOSE):
        return form_refused_page(request)
    try:
        view = await _view(settings, offer_id)
    except LinkRefused as refused:
        return refusal_page(request, refused)
    refused_now = counter_offer_refusal(view, utcnow())
    if refused_now is not None:
        return refusal_page(request, refused_now)
    if decision not in (ACCEPT, REFUSE):
        return _counter_offer_page(request, settings, token, view, error=CHOOSE, status_code=422)
    accepted = decision == ACCEPT
    update = ClientDecision(offer_id=offer_id, accepted=accepted, actor=view.actor)
    try:
        await send_negotiation_update(request, view.negotiation.id, CLIENT_DECISION_UPDATE, update)
    except TransitionRefused as exc:
        return _counter_offer_page(
            request,
            settings,
            token,
            view,
            error=NOT_RECORDED + exc.message,
            status_code=status.HTTP_409_CONFLICT,
        )
    except TemporalUnavailable as exc:
        return _counter_offer_page(
            request,
            settings,
            token,
            view,
            error=NOT_RECORDED + exc.message,
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    await in_session(settings, record_counter_offer_decision, view, accepted=accepted)
    # Shown here rather than after a redirect: the link's page now answers 409 "already decided".
    return _counter_offer_page(
        request, settings, token, view, decided=ACCEPT if accepted else REFUSE
    )
