"""The creditor's reply as the case worker records it, staged until the workflow takes it: the
reply row (terms encrypted), its attachments, the creditor's counter-offer row, and for an
information request the consent does not cover, the extended consent asked of the client.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.dossier_stages import DocumentKind
from domain.negotiation.consent_rules import ConsentStatus
from domain.negotiation.offer_terms import ReplyTerms
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import REPLY_STATES, OfferParty, OfferStatus, ReplyKind
from domain.staged_writes import StagedWriteKind
from models.negotiation import CreditorReply, Negotiation, NegotiationOffer
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.documents import Upload
from services.dossiers.access import actor_of
from services.dossiers.intake import new_id
from services.effective import effective
from services.negotiations.attachments import store_attachment
from services.negotiations.consents import create_consent_request, current_consent
from services.negotiations.store import (
    NegotiationRefused,
    audit,
    check_state,
    client_cipher,
    new_offer_row,
    writable,
)
from services.staged_writes import stage_write

REPLY_TABLE = "creditor_reply"
COUNTER_EXISTS = "Une contre-proposition est déjà enregistrée pour ce tour de négociation."


@dataclass(frozen=True)
class StagedReply:
    """What recording a reply staged; the update names it."""

    staged_write_id: str
    reply_id: str
    kind: ReplyKind
    counter_offer_id: str | None
    new_consent_id: str | None


def stage_reply(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    reply: ReplyTerms,
    attachments: Sequence[Upload],
) -> StagedReply:
    """Stage the reply (terms encrypted), its attachments, the counter-offer row, and for an
    information request the consent does not cover, the extended consent asked of the client.
    UploadRefused / InvalidInput / NegotiationRefused roll the whole transaction back."""
    negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.reply")
    check_state(negotiation, REPLY_STATES, "Enregistrer une réponse du créancier")
    write_id = stage_write(
        session, dossier.id, StagedWriteKind.REPLY, actor_of(viewer), negotiation_id=negotiation_id
    )
    new_consent_id = _extension_for(session, settings, viewer, negotiation_id, reply, write_id)
    cipher = client_cipher(session, dossier, settings)
    counter_id = None
    if reply.counter_offer is not None:
        counter_id = _stage_counter(session, cipher, viewer, negotiation, reply, write_id)
    document_ids = [
        store_attachment(
            session, dossier, DocumentKind.CREDITOR_REPLY, upload, viewer, settings, write_id
        )
        for upload in attachments
    ]
    reply_id = new_id()
    session.add(
        CreditorReply(
            id=reply_id,
            negotiation_id=negotiation_id,
            round=negotiation.round,
            kind=reply.kind.value,
            received_on=reply.received_on,
            channel=reply.channel,
            terms_enc=cipher.encrypt(REPLY_TABLE, "terms", reply_id, reply.terms),
            requested_categories=json.dumps([c.value for c in reply.requested_categories]),
            attachment_document_ids=json.dumps(document_ids),
            counter_offer_id=counter_id,
            new_consent_id=new_consent_id,
            recorded_by=actor_of(viewer),
            staged_write_id=write_id,
        )
    )
    audit(
        session,
        viewer,
        "negotiation.reply_recorded",
        negotiation_id,
        reply=reply_id,
        kind=reply.kind.value,
        attachments=len(document_ids),
    )
    return StagedReply(write_id, reply_id, reply.kind, counter_id, new_consent_id)


def _extension_for(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    reply: ReplyTerms,
    write_id: str,
) -> str | None:
    """The pending consent (current ∪ requested categories, current ∪ requested documents)
    when the request needs more than is given; None when the current consent covers it."""
    if reply.kind != ReplyKind.INFORMATION_REQUESTED:
        return None
    current = current_consent(session, settings, negotiation_id)
    given = current is not None and current.status == ConsentStatus.GIVEN
    covered = set(current.categories) if current is not None and given else set()
    held = list(current.document_ids) if current is not None and given else []
    wanted = set(reply.requested_categories)
    if wanted <= covered and set(reply.requested_document_ids) <= set(held):
        return None
    expires = current.expires_at if current is not None and given else None
    if expires is not None and as_utc(expires) <= utcnow():
        expires = None
    # InvalidInput (a document of another dossier, of a kind not shared) names `document_ids`.
    return create_consent_request(
        session,
        settings,
        negotiation_id=negotiation_id,
        categories=[c for c in ShareCategory if c in covered or c in wanted],
        document_ids=list(dict.fromkeys([*held, *reply.requested_document_ids])),
        expires_at=expires,
        actor=actor_of(viewer),
        staged_write_id=write_id,
    )


def _stage_counter(
    session: Session,
    cipher: ClientCipher,
    viewer: StaffUser,
    negotiation: Negotiation,
    reply: ReplyTerms,
    write_id: str,
) -> str:
    """The creditor's counter-offer of this round; one left staged by a refused attempt is
    replaced (the workflow never took it)."""
    assert reply.counter_offer is not None
    exists = session.exec(
        select(NegotiationOffer).where(
            NegotiationOffer.negotiation_id == negotiation.id,
            NegotiationOffer.round == negotiation.round,
            NegotiationOffer.made_by == OfferParty.CREDITOR.value,
        )
    ).first()
    if exists is not None:
        if exists.staged_write_id is None:
            raise NegotiationRefused(COUNTER_EXISTS)
        session.delete(exists)
        session.flush()
    counter = new_offer_row(
        cipher,
        negotiation.id,
        reply.counter_offer,
        round_=negotiation.round,
        made_by=OfferParty.CREDITOR,
        channel=reply.channel,
        status=OfferStatus.SENT,
        actor=actor_of(viewer),
    )
    counter.staged_write_id = write_id
    session.add(counter)
    return counter.id


def pending_information_reply(session: Session, negotiation_id: str) -> str | None:
    """The latest information request of the current round (what "send information" answers)."""
    negotiation = session.get(Negotiation, negotiation_id)
    if negotiation is None:
        return None
    return session.exec(
        select(CreditorReply.id)
        .where(
            CreditorReply.negotiation_id == negotiation_id,
            CreditorReply.kind == ReplyKind.INFORMATION_REQUESTED.value,
            CreditorReply.round == negotiation.round,
            effective(CreditorReply),
        )
        .order_by(col(CreditorReply.recorded_at).desc())
    ).first()
