"""Negotiation card actions of a round: send our offer, record the creditor's reply, send the
information it asked for."""

from __future__ import annotations

from fastapi import APIRouter, Request
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
from services.dossiers.access import actor_of
from services.negotiations.prefill import debts_balance
from services.negotiations.replies import StagedReply, pending_information_reply, stage_reply
from services.negotiations.store import NegotiationRefused, paris_today, stage_offer
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.negotiations.common import (
    PREFIX,
    WritableNegotiation,
    form_list,
    form_uploads,
    form_values,
    invalid,
    perform,
)
from web.staff.negotiations.section import NegotiationForm
from web.transactions import in_session
from web.workflow_gateway import send_negotiation_update
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


@router.post(f"{PREFIX}/offre", response_model=None)
async def send_offer(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    form = NegotiationForm(negotiation_id, "offer", form_values(await request.form(), OFFER_FIELDS))
    # The share of the balance is computed here from the approved budget, never typed.
    balance = await in_session(settings, debts_balance, settings, negotiation_id, actor_of(staff))
    try:
        terms = parse_offer(form.values, today=paris_today(), balance=balance)
    except InvalidInput as exc:
        return await invalid(request, settings, staff, dossier_id, form, exc.errors)
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_offer(session, settings, staff, negotiation_id, terms),
        update=lambda staged: send_negotiation_update(
            request,
            negotiation_id,
            SEND_OFFER_UPDATE,
            SendOffer(staged.offer_id, actor_of(staff), staged.staged_write_id),
        ),
        done="Offre envoyée au créancier.",
    )


@router.post(f"{PREFIX}/reponse", response_model=None)
async def record_creditor_reply(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    submitted = await request.form()
    requested = form_list(submitted, "requested_categories")
    documents = form_list(submitted, "document_ids")
    form = NegotiationForm(
        negotiation_id,
        "reply",
        form_values(submitted, REPLY_FIELDS + COUNTER_FIELDS),
        {"requested_categories": requested, "document_ids": documents},
    )
    balance = (
        await in_session(settings, debts_balance, settings, negotiation_id, actor_of(staff))
        if form.values["kind"] == ReplyKind.COUNTER_OFFER.value
        else None
    )
    try:
        reply = parse_reply(
            form.values, requested, today=paris_today(), balance=balance, documents=documents
        )
    except InvalidInput as exc:
        return await invalid(request, settings, staff, dossier_id, form, exc.errors)
    attachments = await form_uploads(submitted, "attachments", settings)

    done = f"Réponse du créancier enregistrée : {REPLY_KIND_LABELS_FR[reply.kind].lower()}."
    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=lambda session: stage_reply(
            session, settings, staff, negotiation_id, reply, attachments
        ),
        update=lambda staged: send_negotiation_update(
            request, negotiation_id, RECORD_REPLY_UPDATE, _record_reply(staged, actor_of(staff))
        ),
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
async def send_information(
    request: Request,
    dossier_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
    negotiation_id: WritableNegotiation,
) -> Response:
    form = NegotiationForm(negotiation_id, "information")

    def pending(session: Session) -> str:
        reply_id = pending_information_reply(session, negotiation_id)
        if reply_id is None:
            raise NegotiationRefused(NO_REQUEST)
        return reply_id

    return await perform(
        request,
        settings,
        staff,
        dossier_id,
        form,
        stage=pending,
        update=lambda reply_id: send_negotiation_update(
            request,
            negotiation_id,
            SEND_INFORMATION_UPDATE,
            SendInformation(reply_id=reply_id, actor=actor_of(staff)),
        ),
        done="Informations envoyées au créancier.",
    )
