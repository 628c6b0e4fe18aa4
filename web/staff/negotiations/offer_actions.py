"""Negotiation card actions of a round: send our offer, record the creditor's reply, send the
information it asked for."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from fastapi.responses import Response
from sqlmodel import Session

from domain.errors import InvalidInput
from domain.negotiation.offer_terms import (
    COUNTER_PREFIX,
    OFFER_FIELDS,
    REPLY_FIELDS,
    parse_offer,
    parse_reply,
)
from domain.negotiation.states import REPLY_KIND_LABELS_FR, ReplyKind
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


@router.post(f"{PREFIX}/offre", response_model=None)
async def send_offer(action: CardActionDep) -> Response:
    form = await action.form("offer", OFFER_FIELDS)
    try:
        terms = parse_offer(form.values, today=paris_today(), balance=await _balance(action))
    except InvalidInput as exc:
        return await action.invalid(form, exc.errors)
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
