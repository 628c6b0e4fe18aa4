"""The client's decision on a creditor's counter-offer, reached by the signed decision link.

Only the client accepts a counter-offer, and only before its decision deadline: the page shows
the terms next to our offer they answer, with "J'accepte" and "Je refuse" as the same kind of
button, neither pre-selected. "J'accepte" binds the client: it first shows the terms again and
asks for a confirmation, and only that confirmation is sent (the workflow then emails the
client a receipt, once per decision). The decision is the workflow's to apply (it writes the offer's
status and tells the creditor): nothing is written here before it agrees, so a refused or
unreachable workflow leaves everything as it was. Past the deadline → 410; decided → 409.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from config.settings import Settings
from domain.clock import utcnow
from security.negotiation_links import (
    DECISION_LINK_PATH,
    SPACE_LINK_PATH,
    read_decision_link,
    space_link_token,
)
from services.negotiations.client_views import (
    ClientCounterOffer,
    client_counter_offer,
    counter_offer_refusal,
    record_counter_offer_decision,
)
from web.deps import SettingsDep
from web.public.links import LinkFormDep, ReadAudit, SignedLinkPage, page_url, raise_refusal
from web.transactions import in_session
from web.workflow_gateway import (
    TemporalUnavailable,
    TransitionRefused,
    send_negotiation_update,
)
from workflows.negotiation_messages import CLIENT_DECISION_UPDATE, ClientDecision

router = APIRouter()

ACCEPT, REFUSE = "accept", "refuse"
CHOOSE = "Choisissez « J'accepte » ou « Je refuse »."
NOT_RECORDED = "Votre décision n'a pas été enregistrée : "
EXPIRED_MESSAGE = (
    "Ce lien n'est plus valable. Demandez à votre conseiller où en est la négociation."
)

COUNTER_OFFER_PAGE = SignedLinkPage(
    path=DECISION_LINK_PATH,
    reader=read_decision_link,
    template="counter_offer.html",
    nonce_purpose="counter-offer-decision-form",
    expired_message=lambda _settings: EXPIRED_MESSAGE,
    read_audit=ReadAudit(
        "offer.read", "negotiation_offer", "consultation d'une contre-proposition par le client"
    ),
)


async def _undecided(settings: Settings, offer_id: str) -> ClientCounterOffer:
    """The offer, still open to a decision (LinkRefused 409/410 otherwise)."""
    view = await in_session(settings, client_counter_offer, settings, offer_id)
    raise_refusal(counter_offer_refusal(view, utcnow()))
    return view


def _counter_offer_page(
    request: Request,
    settings: Settings,
    token: str,
    view: ClientCounterOffer,
    *,
    decided: str = "",
    confirming: bool = False,
    **state: Any,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "confirming": confirming,
        "view": view,
        "o": view.offer,
        "n": view.negotiation,
        "space_url": page_url(SPACE_LINK_PATH, space_link_token(settings, view.negotiation.id)),
        "decided": decided,
    }
    return COUNTER_OFFER_PAGE.render(request, settings, token, context, **state)


@router.get(DECISION_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_counter_offer(request: Request, token: str, settings: SettingsDep) -> Response:
    offer_id = await COUNTER_OFFER_PAGE.open(request, settings, token)
    view = await _undecided(settings, offer_id)
    await COUNTER_OFFER_PAGE.audit_read(settings, view.client_id, offer_id)
    return _counter_offer_page(request, settings, token, view)


@router.post(DECISION_LINK_PATH + "/{token}", response_model=None)
async def decide_counter_offer(
    form: LinkFormDep,
    decision: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    offer_id = await COUNTER_OFFER_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    view = await _undecided(settings, offer_id)
    if decision not in (ACCEPT, REFUSE):
        return _counter_offer_page(request, settings, token, view, error=CHOOSE, status_code=422)
    accepted = decision == ACCEPT
    if accepted and confirmed != "1":
        # Nothing is sent yet: the terms again, and the button that really accepts.
        return _counter_offer_page(request, settings, token, view, confirming=True)
    update = ClientDecision(offer_id=offer_id, accepted=accepted, actor=view.actor)
    try:
        await send_negotiation_update(request, view.negotiation.id, CLIENT_DECISION_UPDATE, update)
    except (TransitionRefused, TemporalUnavailable) as exc:
        return _counter_offer_page(
            request,
            settings,
            token,
            view,
            error=NOT_RECORDED + exc.message,
            status_code=exc.status_code,
        )
    await in_session(settings, record_counter_offer_decision, view, accepted=accepted)
    # Shown here rather than after a redirect: the link's page now answers 409 "already decided".
    return _counter_offer_page(
        request, settings, token, view, decided=ACCEPT if accepted else REFUSE
    )
