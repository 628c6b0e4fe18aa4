"""The creditor's reply as the case worker records it, and how it is taken back when the
workflow refuses it: the reply row (terms encrypted), its attachments, the creditor's
counter-offer row, and for an information request the consent does not cover, the extended
consent asked of the client.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.dossier_stages import DocumentKind
from domain.negotiation.consent_rules import ConsentStatus
from domain.negotiation.offer_terms import ReplyTerms
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import REPLY_STATES, OfferParty, ReplyKind
from models.database import session_scope
from models.negotiation import CreditorReply, Negotiation, NegotiationOffer
from models.staff import StaffUser
from services.dossiers.access import actor_of
from services.dossiers.intake import new_id
from services.negotiations.attachments import Upload, remove_attachments, store_attachment
from services.negotiations.consents import create_consent_request, current_consent
from services.negotiations.store import (
    NegotiationRefused,
    audit,
    check_state,
    client_cipher,
    consent_statuses,
    new_offer_row,
    restore_consents,
    writable,
)

REPLY_TABLE = "creditor_reply"
COUNTER_EXISTS = "Une contre-proposition est déjà enregistrée pour ce tour de négociation."


@dataclass(frozen=True)
class RecordedReply:
    """What recording a reply wrote: the update names some of it, a refusal removes all."""

    reply_id: str
    kind: ReplyKind
    counter_offer_id: str | None
    new_consent_id: str | None
    document_ids: list[str]
    consents_before: dict[str, str]


def record_reply(
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    reply: ReplyTerms,
    attachments: Sequence[Upload],
) -> RecordedReply:
    """Write the reply (terms encrypted), its attachments, the counter-offer row, and for an
    information request the consent does not cover, the extended consent asked of the client.
    UploadRefused / InvalidInput / NegotiationRefused leave nothing behind."""
    with session_scope(settings) as session:
        negotiation, _ = writable(session, viewer, negotiation_id, "negotiation.reply")
        check_state(negotiation, REPLY_STATES, "Enregistrer une réponse du créancier")
    before = consent_statuses(settings, negotiation_id)
    new_consent_id = _extension_for(settings, viewer, negotiation_id, reply)
    try:
        return _write_reply(
            settings, viewer, negotiation_id, reply, attachments, new_consent_id, before
        )
    except BaseException:
        restore_consents(settings, viewer, negotiation_id, before)
        raise


def _extension_for(
    settings: Settings, viewer: StaffUser, negotiation_id: str, reply: ReplyTerms
) -> str | None:
    """The pending consent (current ∪ requested categories, current ∪ requested documents)
    when the request needs more than is given; None when the current consent covers it."""
    if reply.kind != ReplyKind.INFORMATION_REQUESTED:
        return None
    with session_scope(settings) as session:
        current = current_consent(session, settings, negotiation_id)
    given = current is not None and current.status == ConsentStatus.GIVEN
    covered = set(current.categories) if current is not None and given else set()
    held = list(current.document_ids) if current is not None and given else []
    wanted = set(reply.requested_categories)
    if wanted <= covered and set(reply.requested_document_ids) <= set(held):
        return None
    categories = [c for c in ShareCategory if c in covered or c in wanted]
    documents = list(dict.fromkeys([*held, *reply.requested_document_ids]))
    expires = current.expires_at if current is not None and given else None
    if expires is not None and as_utc(expires) <= utcnow():
        expires = None
    # InvalidInput (a document of another dossier, of a kind not shared) names `document_ids`.
    with session_scope(settings) as session:
        return create_consent_request(
            session,
            settings,
            negotiation_id=negotiation_id,
            categories=categories,
            document_ids=documents,
            expires_at=expires,
            actor=actor_of(viewer),
        )


def _write_reply(
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    reply: ReplyTerms,
    attachments: Sequence[Upload],
    new_consent_id: str | None,
    before: dict[str, str],
) -> RecordedReply:
    with session_scope(settings) as session:
        negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.reply")
        cipher = client_cipher(session, dossier, settings)
        counter_id: str | None = None
        if reply.counter_offer is not None:
            exists = session.exec(
                select(NegotiationOffer.id).where(
                    NegotiationOffer.negotiation_id == negotiation_id,
                    NegotiationOffer.round == negotiation.round,
                    NegotiationOffer.made_by == OfferParty.CREDITOR.value,
                )
            ).first()
            if exists is not None:
                raise NegotiationRefused(COUNTER_EXISTS)
            counter = new_offer_row(
                cipher,
                negotiation_id,
                reply.counter_offer,
                round_=negotiation.round,
                made_by=OfferParty.CREDITOR,
                channel=reply.channel,
                status="sent",
                actor=actor_of(viewer),
            )
            session.add(counter)
            counter_id = counter.id
        document_ids = [
            store_attachment(
                session, dossier, DocumentKind.CREDITOR_REPLY, upload, viewer, settings
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
    return RecordedReply(reply_id, reply.kind, counter_id, new_consent_id, document_ids, before)


def remove_reply(settings: Settings, viewer: StaffUser, recorded: RecordedReply) -> None:
    """Take back everything record_reply wrote (the workflow refused the reply)."""
    negotiation_id = ""
    with session_scope(settings) as session:
        reply = session.get(CreditorReply, recorded.reply_id)
        if reply is not None:
            negotiation_id = reply.negotiation_id
            session.delete(reply)
        if recorded.counter_offer_id:
            counter = session.get(NegotiationOffer, recorded.counter_offer_id)
            if counter is not None:
                negotiation_id = counter.negotiation_id
                session.delete(counter)
        remove_attachments(session, recorded.document_ids, actor_of(viewer), settings)
        if negotiation_id:
            audit(
                session,
                viewer,
                "negotiation.reply_removed",
                negotiation_id,
                reply=recorded.reply_id,
            )
    if negotiation_id:
        restore_consents(settings, viewer, negotiation_id, recorded.consents_before)


def pending_information_reply(settings: Settings, negotiation_id: str) -> str | None:
    """The latest information request of the current round (what "send information" answers)."""
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        if negotiation is None:
            return None
        return session.exec(
            select(CreditorReply.id)
            .where(
                CreditorReply.negotiation_id == negotiation_id,
                CreditorReply.kind == ReplyKind.INFORMATION_REQUESTED.value,
                CreditorReply.round == negotiation.round,
            )
            .order_by(col(CreditorReply.recorded_at).desc())
        ).first()
