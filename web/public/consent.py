"""The client's consent page, reached by the signed link of the consent request email.

It shows exactly what would be shared with whom: the creditor, the categories and each
document, the purpose, the expiry, and the stored text word for word. "J'accepte" and
"Je refuse" are the same kind of button in the same form, neither pre-selected. The decision is
written first (consent_store, audited as the client), then the negotiation workflow is told.
If the workflow cannot be told, the decision stays recorded (it is the client's, and every
message to the creditor re-checks the consent in the database), and the page says so.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import LinkRefused
from domain.negotiation.consent_rules import (
    CONSENT_METHOD_LABELS_FR,
    CONSENT_PURPOSE_LABELS_FR,
    ConsentMethod,
)
from domain.negotiation.sharing import SHARE_CATEGORY_LABELS_FR
from security.negotiation_links import (
    CONSENT_LINK_PATH,
    SPACE_LINK_PATH,
    read_consent_link,
    space_link_token,
)
from services.negotiations.client_views import (
    ClientConsent,
    audit_client_read,
    client_consent,
    consent_decision_refusal,
)
from services.negotiations.consents import ConsentStateError, decide_consent
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
from workflows.negotiation_messages import CONSENT_DECIDED_UPDATE, ConsentDecided

log = logging.getLogger(__name__)
router = APIRouter()

NONCE_PURPOSE = "negotiation-consent-form"
READ_REASON = "consultation de la demande de consentement par le client"
ACCEPT, REFUSE = "accept", "refuse"
CHOOSE = "Choisissez « J'accepte » ou « Je refuse »."
RECORDED_LATE = (
    "Votre décision est bien enregistrée. Le reçu par courriel pourra arriver avec un peu de "
    "retard."
)
RECORDED_NOT_APPLIED = (
    "Votre décision est bien enregistrée, mais la négociation n'a pas pu en tenir compte : "
)


def _expired_message(settings: Settings) -> str:
    return (
        f"Pour votre sécurité, ce lien n'est valable que {settings.consent_link_days} jours. "
        "Demandez à votre conseiller de vous envoyer une nouvelle demande."
    )


async def _view(settings: Settings, consent_id: str) -> ClientConsent:
    return await in_session(settings, client_consent, settings, consent_id)


def _consent_page(
    request: Request,
    settings: Settings,
    token: str,
    view: ClientConsent,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "view": view,
        "consent": view.consent,
        "page_url": page_url(CONSENT_LINK_PATH, token),
        "space_url": page_url(SPACE_LINK_PATH, space_link_token(settings, view.negotiation.id)),
        "nonce": form_nonce(settings, token, NONCE_PURPOSE),
        "category_labels": SHARE_CATEGORY_LABELS_FR,
        "purpose_label": CONSENT_PURPOSE_LABELS_FR[view.consent.purpose],
        "method_labels": CONSENT_METHOD_LABELS_FR,
        "notice": notice,
        "error": error,
    }
    return page(request, "consent.html", context, status_code)


@router.get(CONSENT_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_consent(request: Request, token: str, settings: SettingsDep) -> Response:
    consent_id = open_link(request, settings, token, read_consent_link, _expired_message(settings))
    if isinstance(consent_id, Response):
        return consent_id
    try:
        view = await _view(settings, consent_id)
    except LinkRefused as refused:
        return refusal_page(request, refused)
    if not view.decided:
        refused_now = consent_decision_refusal(view, utcnow())
        if refused_now is not None:
            return refusal_page(request, refused_now)
    await in_session(
        settings,
        audit_client_read,
        client_id=view.consent.client_id,
        action="consent.read",
        object_type="creditor_consent",
        object_id=consent_id,
        reason=READ_REASON,
    )
    return _consent_page(request, settings, token, view)


@router.post(CONSENT_LINK_PATH + "/{token}", response_model=None)
async def decide(
    request: Request,
    token: str,
    settings: SettingsDep,
    nonce: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
) -> Response:
    consent_id = open_link(request, settings, token, read_consent_link, _expired_message(settings))
    if isinstance(consent_id, Response):
        return consent_id
    if form_refused(request, settings, token, nonce, NONCE_PURPOSE):
        return form_refused_page(request)
    try:
        view = await _view(settings, consent_id)
    except LinkRefused as refused:
        return refusal_page(request, refused)
    refused_now = consent_decision_refusal(view, utcnow())
    if refused_now is not None:
        return refusal_page(request, refused_now)
    if decision not in (ACCEPT, REFUSE):
        return _consent_page(request, settings, token, view, error=CHOOSE, status_code=422)
    given = decision == ACCEPT
    try:
        await in_session(
            settings,
            decide_consent,
            settings,
            consent_id,
            given=given,
            method=ConsentMethod.SIGNED_LINK,
            actor=view.actor,
        )
    except ConsentStateError:  # Decided meanwhile (another tab): say so, change nothing.
        refused_now = consent_decision_refusal(await _view(settings, consent_id), utcnow())
        assert refused_now is not None
        return refusal_page(request, refused_now)
    update = ConsentDecided(consent_id=consent_id, given=given, actor=view.actor)
    try:
        await send_negotiation_update(request, view.negotiation.id, CONSENT_DECIDED_UPDATE, update)
    except (TransitionRefused, TemporalUnavailable) as exc:
        # The decision stands; the negotiation must learn it later (see the module docstring).
        log.warning(
            "consent %s decided (given=%s) but negotiation %s was not told: %s",
            consent_id,
            given,
            view.negotiation.id,
            exc.message,
        )
        decided = await _view(settings, consent_id)
        if isinstance(exc, TemporalUnavailable):
            return _consent_page(request, settings, token, decided, notice=RECORDED_LATE)
        return _consent_page(
            request, settings, token, decided, error=RECORDED_NOT_APPLIED + exc.message
        )
    return RedirectResponse(page_url(CONSENT_LINK_PATH, token), status.HTTP_303_SEE_OTHER)
