"""Negotiation card actions of a round: send our offer, record the creditor's reply, send the
information it asked for.

An offer leaves in two steps: the card's form shows the preview of exactly what the creditor
will receive (services/negotiations/offer_preview.py), and only the preview's confirmation
sends it, if what would leave is still what was previewed (its fingerprint)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, status
from fastapi.responses import Response
from sqlmodel import Session

from domain.errors import InvalidInput
from domain.negotiation.offer_terms import (
    COUNTER_PREFIX,
    OFFER_FIELDS,
    REPLY_FIELDS,
    OfferTerms,
    parse_offer,
    parse_reply,
)
from domain.negotiation.states import REPLY_KIND_LABELS_FR, ReplyKind
from services.negotiations.offer_preview import CHANGED, OfferPreview, preview_offer
from services.negotiations.prefill import debts_balance
from services.negotiations.replies import StagedReply, pending_information_reply, stage_reply
from services.negotiations.store import NegotiationRefused, paris_today, stage_offer
from web.staff.negotiations.common import (
    PREFIX,
    CardAction,
    CardActionDep,
    form_list,
    form_uploads,
    form_values,
)
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.ui.rendering import render
from workflows.negotiation_messages import (
    RECORD_REPLY_UPDATE,
    SEND_INFORMATION_UPDATE,
    SEND_OFFER_UPDATE,
    RecordReply,
    SendInformation,
    SendOffer,
)

router = APIRouter()

NO_REQUEST = "Aucune demande d'informations du créancier n'attend de réponse."
COUNTER_FIELDS = tuple(COUNTER_PREFIX + name for name in OFFER_FIELDS)


async def _balance(action: CardAction) -> Decimal | None:
    """The debts' balance from the approved budget: the share of it is computed, never typed."""
    return await in_session(
        action.settings, debts_balance, action.settings, action.negotiation_id, action.actor
    )


async def _offer_terms(action: CardAction, form: NegotiationForm) -> OfferTerms:
    return parse_offer(form.values, today=paris_today(), balance=await _balance(action))


def _preview_page(
    action: CardAction,
    form: NegotiationForm,
    preview: OfferPreview,
    *,
    message: str = "",
    status_code: int = status.HTTP_200_OK,
) -> Response:
    return render(
        action.request,
        "web/negotiation/offer_preview.html",
        {
            "nav": "dossiers",
            "dossier_id": action.dossier_id,
            "base": f"/dossiers/{action.dossier_id}/negociations/{action.negotiation_id}",
            "values": form.values,
            "fields": OFFER_FIELDS,
            "preview": preview,
            "message": message,
        },
        status_code=status_code,
        settings=action.settings,
    )


async def _preview(action: CardAction, terms: OfferTerms) -> OfferPreview | NegotiationRefused:
    try:
        return await in_session(
            action.settings,
            preview_offer,
            action.settings,
            action.staff,
            action.negotiation_id,
            terms,
        )
    except NegotiationRefused as exc:
        return exc


@router.post(f"{PREFIX}/offre", response_model=None)
async def preview_offer_page(action: CardActionDep) -> Response:
    """The preview of what the creditor will receive; nothing is written or sent. "Modifier"
    on the preview comes back here with `edit`: the card again, with the terms as typed."""
    form = await action.form("offer", OFFER_FIELDS)
    if (await action.submitted()).get("edit"):
        return await action.page_again(status.HTTP_200_OK, negotiation=form)
    try:
        terms = await _offer_terms(action, form)
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
    preview = await _preview(action, terms)
    if isinstance(preview, NegotiationRefused):
        form.message = preview.message
        return await action.refused(form, status.HTTP_409_CONFLICT)
    return _preview_page(action, form, preview)


@router.post(f"{PREFIX}/offre/confirmer", response_model=None)
async def send_offer(action: CardActionDep) -> Response:
    """The confirmation of a preview: sent only if the message is still the one previewed."""
    form = await action.form("offer", OFFER_FIELDS)
    previewed = (await action.submitted()).get("fingerprint")
    try:
        terms = await _offer_terms(action, form)
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
    preview = await _preview(action, terms)
    if isinstance(preview, NegotiationRefused):
        form.message = preview.message
        return await action.refused(form, status.HTTP_409_CONFLICT)
    if previewed != preview.fingerprint:
        return _preview_page(
            action, form, preview, message=CHANGED, status_code=status.HTTP_409_CONFLICT
        )
    return await action.perform(
        form,
        stage=lambda session: stage_offer(
            session, action.settings, action.staff, action.negotiation_id, terms
        ),
        update=lambda staged: action.tell(
            SEND_OFFER_UPDATE, SendOffer(staged.row_id, action.actor, staged.staged_write_id)
        ),
        done="Offre envoyée au créancier.",
    )


@router.post(f"{PREFIX}/reponse", response_model=None)
async def record_creditor_reply(action: CardActionDep) -> Response:
    submitted = await action.submitted()
    requested = form_list(submitted, "requested_categories")
    documents = form_list(submitted, "document_ids")
    form = NegotiationForm(
        action.negotiation_id,
        "reply",
        form_values(submitted, REPLY_FIELDS + COUNTER_FIELDS),
        {"requested_categories": requested, "document_ids": documents},
    )
    countered = form.values["kind"] == ReplyKind.COUNTER_OFFER.value
    balance = await _balance(action) if countered else None
    try:
        reply = parse_reply(
            form.values, requested, today=paris_today(), balance=balance, documents=documents
        )
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
    attachments = await form_uploads(submitted, "attachments", action.settings)

    done = f"Réponse du créancier enregistrée : {REPLY_KIND_LABELS_FR[reply.kind].lower()}."
    return await action.perform(
        form,
        stage=lambda session: stage_reply(
            session, action.settings, action.staff, action.negotiation_id, reply, attachments
        ),
        update=lambda staged: action.tell(RECORD_REPLY_UPDATE, _record_reply(staged, action.actor)),
        done=done,
    )


def _record_reply(staged: StagedReply, actor: str) -> RecordReply:
    return RecordReply(
        reply_id=staged.reply_id,
        kind=staged.kind.value,
        actor=actor,
        counter_offer_id=staged.counter_offer_id,
        new_consent_id=staged.new_consent_id,
        staged_write_id=staged.staged_write_id,
    )


@router.post(f"{PREFIX}/informations", response_model=None)
async def send_information(action: CardActionDep) -> Response:
    form = await action.form("information")

    def pending(session: Session) -> str:
        reply_id = pending_information_reply(session, action.negotiation_id)
        if reply_id is None:
            raise NegotiationRefused(NO_REQUEST)
        return reply_id

    return await action.perform(
        form,
        stage=pending,
        update=lambda reply_id: action.tell(
            SEND_INFORMATION_UPDATE, SendInformation(reply_id=reply_id, actor=action.actor)
        ),
        done="Informations envoyées au créancier.",
    )
