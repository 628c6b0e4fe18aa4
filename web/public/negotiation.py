"""The client's space for one creditor negotiation, reached by the signed space link: where the
negotiation stands and what comes next, the consents, the sharing ledger (what was sent to the
creditor, when, in which message), the offers and the agreed schedule; and the withdrawal of
consent, in two steps (ask, then confirm).

`router` also carries the consent and counter-offer pages: the app includes it once.
Withdrawal writes the consent row first (audited as the client), then tells the workflow; if
the workflow cannot be told the withdrawal still stands (nothing more can be sent: every
message re-checks the consent in the database) and the page says so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from config.settings import Settings
from domain.negotiation.consent_rules import (
    CONSENT_METHOD_LABELS_FR,
    CONSENT_STATUS_LABELS_FR,
)
from domain.negotiation.sharing import (
    SHARE_CATEGORY_LABELS_FR,
    SHARE_CATEGORY_SHORT_FR,
)
from models.creditor_directory import CREDITOR_CHANNEL_LABELS_FR
from security.negotiation_links import SPACE_LINK_PATH, read_space_link
from services.negotiations.client_views import (
    OFFER_STATUS_LABELS_FR,
    ClientSpace,
    client_space,
    withdrawal_refusal,
)
from services.negotiations.consents import REVOKED_BY_CLIENT, ConsentStateError, revoke_consent
from web.deps import SettingsDep
from web.public.links import (
    LinkFormDep,
    ReadAudit,
    SignedLinkPage,
    form_nonce,
    lasts,
    page,
    raise_refusal,
    tell_negotiation_after_write,
)
from web.transactions import in_session
from workflows.negotiation_messages import CONSENT_REVOKED_UPDATE, ConsentRevoked

router = APIRouter()

# Two nonces: the space page's form only opens the confirmation step; only the confirmation
# page's nonce can withdraw, so the step cannot be skipped.
CONFIRM_NONCE_PURPOSE = "negotiation-withdrawal-confirm"
WITHDRAWN = (
    "Votre retrait est enregistré : plus rien ne sera transmis à ce créancier, et nous "
    "l'informons de la fin de notre mandat. Un courriel vous le confirmera."
)
WITHDRAWN_LATE = (
    "Votre retrait est bien enregistré : plus rien ne sera transmis à ce créancier. Le "
    "courriel de confirmation pourra arriver avec un peu de retard."
)
WITHDRAWN_NOT_APPLIED = (
    "Votre retrait est bien enregistré : plus rien ne sera transmis à ce créancier. "
    "La négociation n'a pas pu en tenir compte tout de suite : "
)


SPACE_PAGE = SignedLinkPage(
    path=SPACE_LINK_PATH,
    reader=read_space_link,
    template="negotiation.html",
    nonce_purpose="negotiation-space-form",
    expired_message=lasts(lambda s: s.negotiation_space_link_days),
    read_audit=ReadAudit(
        "negotiation.read",
        "negotiation",
        "consultation du suivi de la négociation par le client",
    ),
)


async def _view(settings: Settings, negotiation_id: str) -> ClientSpace:
    return await in_session(settings, client_space, settings, negotiation_id)


def _space_page(
    request: Request, settings: Settings, token: str, view: ClientSpace, **state: Any
) -> HTMLResponse:
    context: dict[str, Any] = {
        "view": view,
        "n": view.negotiation,
        "category_labels": SHARE_CATEGORY_LABELS_FR,
        "category_short": SHARE_CATEGORY_SHORT_FR,
        "status_labels": CONSENT_STATUS_LABELS_FR,
        "method_labels": CONSENT_METHOD_LABELS_FR,
        "offer_status_labels": OFFER_STATUS_LABELS_FR,
        "channel_labels": CREDITOR_CHANNEL_LABELS_FR,
    }
    return SPACE_PAGE.render(request, settings, token, context, **state)


@router.get(SPACE_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_space(
    request: Request, token: str, settings: SettingsDep, retrait: str = ""
) -> Response:
    negotiation_id = await SPACE_PAGE.open(request, settings, token)
    view = await _view(settings, negotiation_id)
    await SPACE_PAGE.audit_read(settings, view.client_id, negotiation_id)
    # After a withdrawal the page is reached by a redirect (a reload posts nothing again).
    withdrawn = bool(retrait) and view.withdrawable is None
    return _space_page(request, settings, token, view, notice=WITHDRAWN if withdrawn else "")


@router.post(SPACE_LINK_PATH + "/{token}/retrait", response_model=None)
async def ask_withdrawal(form: LinkFormDep, consent_id: Annotated[str, Form()] = "") -> Response:
    """The confirmation step: nothing changes until the client confirms."""
    negotiation_id = await SPACE_PAGE.submitted(form)
    request, settings, token = form.request, form.settings, form.token
    view = await _view(settings, negotiation_id)
    refused_now, consent = withdrawal_refusal(view, consent_id)
    raise_refusal(refused_now)
    context = {
        "view": view,
        "consent": consent,
        "page_url": SPACE_PAGE.url(token),
        "nonce": form_nonce(settings, token, CONFIRM_NONCE_PURPOSE),
        "category_short": SHARE_CATEGORY_SHORT_FR,
    }
    return page(request, "negotiation_withdrawal.html", context)


@router.post(SPACE_LINK_PATH + "/{token}/retrait/confirmer", response_model=None)
async def confirm_withdrawal(
    form: LinkFormDep, consent_id: Annotated[str, Form()] = ""
) -> Response:
    negotiation_id = await SPACE_PAGE.submitted(form, purpose=CONFIRM_NONCE_PURPOSE)
    request, settings, token = form.request, form.settings, form.token
    view = await _view(settings, negotiation_id)
    refused_now, _ = withdrawal_refusal(view, consent_id)
    raise_refusal(refused_now)
    try:
        await in_session(
            settings,
            revoke_consent,
            settings,
            consent_id,
            actor=view.actor,
            channel=REVOKED_BY_CLIENT,
        )
    except ConsentStateError:  # Withdrawn meanwhile (another tab, the case worker).
        refused_now, _ = withdrawal_refusal(await _view(settings, negotiation_id), consent_id)
        assert refused_now is not None
        raise refused_now from None
    not_told = await tell_negotiation_after_write(
        request,
        negotiation_id,
        CONSENT_REVOKED_UPDATE,
        ConsentRevoked(consent_id=consent_id, actor=view.actor),
        late=WITHDRAWN_LATE,
        stale=WITHDRAWN_NOT_APPLIED,
    )
    if not_told:
        after = await _view(settings, negotiation_id)
        return _space_page(request, settings, token, after, **not_told)
    return RedirectResponse(SPACE_PAGE.url(token) + "?retrait=1", status.HTTP_303_SEE_OTHER)
