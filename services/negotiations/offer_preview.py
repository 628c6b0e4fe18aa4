"""What an offer will send to the creditor, before it is sent: the message built and rendered
by the same code the sending activity runs (plan from the consent, the client's data of the
planned categories, the creditor_message template), with the terms as typed.

The preview carries a fingerprint of everything the creditor would receive (recipient,
categories, documents, subject and text): the confirmation is taken only if the message
rebuilt at that moment has the same fingerprint, so an offer, a consent or a client detail
that changed in between is never sent unseen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from domain.negotiation.message_content import OfferTerms as MessageOfferTerms
from domain.negotiation.message_content import build_message, plan_message, plan_refusal
from domain.negotiation.offer_terms import OfferTerms
from domain.negotiation.sharing import SHARE_CATEGORY_SHORT_FR, MessageKind
from domain.negotiation.states import DECISION_STATES, OFFER_TYPE_LABELS_FR, OfferParty
from models.creditor_directory import CreditorChannel
from models.staff import StaffUser
from rendering.creditor_message import render_creditor_email
from services.dossiers.access import actor_of
from services.negotiations.consents import current_consent, snapshot
from services.negotiations.message_sources import CreditorUnreachable, load_sources, load_target
from services.negotiations.store import NO_CREDITOR, NegotiationRefused, check_state, writable
from services.privacy_requests.restriction import restriction_of

CHANGED = (
    "L'offre n'est pas partie : ce que le créancier recevrait a changé depuis l'aperçu "
    "(termes, consentement, coordonnées du client ou du créancier). Vérifiez le nouvel aperçu "
    "ci-dessous, puis confirmez l'envoi."
)


@dataclass(frozen=True)
class OfferPreview:
    negotiation_id: str
    reference: str
    creditor_name: str
    by_post: bool
    # The creditor's email address, or its postal address.
    address: str
    categories: list[str]
    documents: list[str]
    subject: str
    text: str
    fingerprint: str


def preview_offer(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    terms: OfferTerms,
) -> OfferPreview:
    """The message the offer would send now; NegotiationRefused (French) when it could not
    leave: the checks the offer itself and the sending activity make."""
    negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.offer_preview")
    check_state(negotiation, DECISION_STATES, "Envoyer une offre")
    if negotiation.creditor_id is None:
        raise NegotiationRefused(NO_CREDITOR)
    try:
        target = load_target(session, negotiation_id)
    except CreditorUnreachable as exc:
        raise NegotiationRefused(exc.message) from None
    restricted = restriction_of(session, dossier.client_id)
    if restricted:
        raise NegotiationRefused(restricted)
    consent = current_consent(session, settings, negotiation_id)
    plan = plan_message(
        MessageKind.OFFER,
        consent.categories if consent else (),
        consent.document_ids if consent else (),
    )
    refusal = plan_refusal(plan, snapshot(consent), now=utcnow())
    if refusal is not None:
        raise NegotiationRefused(refusal)
    sources = load_sources(
        session, settings, target, plan, offer_id=None, follow_up=0, actor=actor_of(viewer)
    )
    offer = MessageOfferTerms(
        round=negotiation.round + 1,
        made_by=OfferParty.US.value,
        offer_type=terms.offer_type.value,
        type_label=OFFER_TYPE_LABELS_FR[terms.offer_type],
        valid_until=terms.valid_until,
        amount=terms.amount,
        balance_share=terms.balance_share,
        instalments=terms.instalments,
        instalment_amount=terms.instalment_amount,
        first_due_date=terms.first_due_date,
    )
    content = build_message(plan, dataclasses.replace(sources, offer=offer))
    rendered = render_creditor_email(content, target.address)
    by_post = target.channel == CreditorChannel.POST
    what = {
        "negotiation": negotiation_id,
        "round": offer.round,
        "channel": target.channel.value,
        "address": target.address,
        "categories": [c.value for c in content.categories],
        "documents": content.document_ids,
        "subject": rendered.subject,
        "text": rendered.text,
    }
    fingerprint = hashlib.sha256(
        json.dumps(what, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return OfferPreview(
        negotiation_id=negotiation_id,
        reference=target.reference,
        creditor_name=target.creditor_name,
        by_post=by_post,
        address=target.address,
        categories=[SHARE_CATEGORY_SHORT_FR[c] for c in content.categories],
        documents=[d.label for d in content.documents],
        subject=rendered.subject,
        text=rendered.text,
        fingerprint=fingerprint,
    )
