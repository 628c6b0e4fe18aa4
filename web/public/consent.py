"""The client's consent page, reached by the signed link of the consent request email.

It shows exactly what would be shared with whom: the creditor, the categories and each document,
the purpose, the expiry, and the stored text word for word. "J'accepte" and "Je refuse" are the
same kind of button in the same form, neither pre-selected. The decision is written first
(services/negotiations/consents.py, audited as the client), then the negotiation workflow is
told. If the workflow cannot be told, the decision stays recorded (it is the client's, and every
message to the creditor re-checks the consent in the database), and the page says so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config.settings import Settings
from domain.clock import utcnow
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
    client_consent,
    consent_decision_refusal,
)
from services.negotiations.consents import ConsentStateError, decide_consent
from web.deps import SettingsDep
from web.public.links import (
    LinkFormDep,
    ReadAudit,
    SignedLinkPage,
    lasts,
    page_url,
    raise_refusal,
    tell_negotiation_after_write,
)
from web.transactions import in_session
from workflows.negotiation_messages import CONSENT_DECIDED_UPDATE, ConsentDecided

router = APIRouter()

ACCEPT, REFUSE = "accept", "refuse"
CHOOSE = "Choisissez « J'accepte » ou « Je refuse »."
RECORDED_LATE = (
    "Votre décision est bien enregistrée. Le reçu par courriel pourra arriver avec un peu de "
    "retard."
)
RECORDED_NOT_APPLIED = (
    "Votre décision est bien enregistrée, mais la négociation n'a pas pu en tenir compte : "
)


CONSENT_PAGE = SignedLinkPage(
    path=CONSENT_LINK_PATH,
    reader=read_consent_link,
    template="consent.html",
    nonce_purpose="negotiation-consent-form",
    expired_message=lasts(lambda s: s.consent_link_days, instead="une nouvelle demande"),
    read_audit=ReadAudit(
        "consent.read",
        "creditor_consent",
        "consultation de la demande de consentement par le client",
    ),
)


async def _view(settings: Settings, consent_id: str) -> ClientConsent:
    return await in_session(settings, client_consent, settings, consent_id)


def _consent_page(
    request: Request, settings: Settings, token: str, view: ClientConsent, **state: Any
) -> HTMLResponse:
    context: dict[str, Any] = {
        "view": view,
        "consent": view.consent,
        "space_url": page_url(SPACE_LINK_PATH, space_link_token(settings, view.negotiation.id)),
        "category_labels": SHARE_CATEGORY_LABELS_FR,
        "purpose_label": CONSENT_PURPOSE_LABELS_FR[view.consent.purpose],
        "method_labels": CONSENT_METHOD_LABELS_FR,
    }
    return CONSENT_PAGE.render(request, settings, token, context, **state)


@router.get(CONSENT_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_consent(request: Request, token: str, settings: SettingsDep) -> Response:
    consent_id = await CONSENT_PAGE.open(request, settings, token)
    view = await _view(settings, consent_id)
    if not view.decided:
        raise_refusal(consent_decision_refusal(view, utcnow()))
    await CONSENT_PAGE.audit_read(settings, view.consent.client_id, consent_id)
    return _consent_page(request, settings, token, view)


@router.post(CONSENT_LINK_PATH + "/{token}", response_model=None)
async def decide(form: LinkFormDep, decision: Annotated[str, Form()] = "") -> Response:
    consent_id = await CONSENT_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    view = await _view(settings, consent_id)
    raise_refusal(consent_decision_refusal(view, utcnow()))
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
        raise refused_now from None
    update = ConsentDecided(consent_id=consent_id, given=given, actor=view.actor)
    not_told = await tell_negotiation_after_write(
        request,
        view.negotiation.id,
        CONSENT_DECIDED_UPDATE,
        update,
        late=RECORDED_LATE,
        stale=RECORDED_NOT_APPLIED,
    )
    if not_told:
        decided = await _view(settings, consent_id)
        return _consent_page(request, settings, token, decided, **not_told)
    return RedirectResponse(CONSENT_PAGE.url(token), status.HTTP_303_SEE_OTHER)
