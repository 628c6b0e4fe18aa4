"""The send_creditor_message activity: what leaves the company for a creditor, and its record.

Each attempt checks the consent in the database before anything is decrypted, builds the
message from the consented categories only, and checks the consent again right before the SMTP
conversation (or the letter's storage): a retry after a withdrawal sends nothing. A message that
left is recorded in the sharing ledger (UNIQUE message_key = the idempotency key) in the same
transaction that marks it sent, so the ledger holds exactly what was sent.

Email: through the outbox (body encrypted under the client's key, Message-ID from the key),
attachments decrypted from the document store at send time. Post: a PDF letter stored as a
CREDITOR_LETTER document and a task for the case worker to print and post it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import negotiation as io
from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind
from domain.french_text import counted
from domain.negotiation.message_content import (
    CreditorMessageContent,
    MessagePlan,
    build_message,
    plan_message,
    plan_refusal,
)
from domain.negotiation.sharing import MessageKind, ShareCategory
from models.creditor_directory import CreditorChannel
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.negotiation import Negotiation, NegotiationOffer, SharingLedgerEntry
from models.outbox import OutboxEmail
from rendering.creditor_message import message_context, render_creditor_email
from rendering.pdf import render_pdf
from services.audit import append_audit
from services.documents import new_generated_pdf
from services.email_outbox import deliver, queue_email
from services.negotiations.consents import current_consent, snapshot
from services.negotiations.message_sources import (
    CreditorUnreachable,
    Target,
    load_sources,
    load_target,
    requested_categories,
)
from services.privacy_requests.restriction import PROCESSING_RESTRICTED, restriction_of

LETTER_TEMPLATE = "report/creditor_letter.html"
# The letter's file name, "courrier-<reference>-<what it is>.pdf", in French like its content.
LETTER_NAMES_FR: dict[MessageKind, str] = {
    MessageKind.OFFER: "proposition",
    MessageKind.FOLLOW_UP: "relance",
    MessageKind.INFORMATION: "informations",
    MessageKind.COUNTER_ACCEPTANCE: "acceptation-contre-proposition",
    MessageKind.COUNTER_REFUSAL: "refus-contre-proposition",
    MessageKind.MANDATE_END: "fin-de-mandat",
    MessageKind.CONFIRMATION_REQUEST: "relance-confirmation-accord",
}
# Messages about an offer: the offer they are about must exist.
OFFER_KINDS = frozenset(
    {
        MessageKind.OFFER,
        MessageKind.COUNTER_ACCEPTANCE,
        MessageKind.COUNTER_REFUSAL,
        MessageKind.CONFIRMATION_REQUEST,
    }
)


@dataclass(frozen=True)
class Prepared:
    target: Target
    plan: MessagePlan
    content: CreditorMessageContent


class CreditorMessageActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_CREDITOR_MESSAGE.name)
    async def send_creditor_message(self, msg: io.CreditorMessage) -> io.CreditorMessageSent:
        done = await asyncio.to_thread(self._recorded, msg.idempotency_key)
        if done is not None:
            return done
        prepared = await asyncio.to_thread(self._prepare, msg)
        if prepared is None:
            # The end of a mandate under which nothing was ever sent: nothing to tell.
            return io.CreditorMessageSent(message_id="", channel="")
        if prepared.target.channel == CreditorChannel.POST:
            return await asyncio.to_thread(self._post, msg, prepared)
        return await self._email(msg, prepared)

    # ----- both channels ---------------------------------------------------------------------

    def _refuse_if_restricted(self, negotiation_id: str) -> None:
        with session_scope(self.settings) as session:
            negotiation = session.get(Negotiation, negotiation_id)
            dossier = session.get(Dossier, negotiation.dossier_id) if negotiation else None
            refusal = restriction_of(session, dossier.client_id if dossier else None)
        if refusal:
            raise ApplicationError(refusal, type=PROCESSING_RESTRICTED, non_retryable=True)

    def _recorded(self, key: str) -> io.CreditorMessageSent | None:
        with session_scope(self.settings) as session:
            entry = session.exec(
                select(SharingLedgerEntry).where(SharingLedgerEntry.message_key == key)
            ).first()
            return _sent(entry) if entry is not None else None

    def _prepare(self, msg: io.CreditorMessage) -> Prepared | None:
        kind = MessageKind(msg.kind)
        with session_scope(self.settings) as session:
            try:
                target = load_target(session, msg.negotiation_id)
            except CreditorUnreachable as exc:
                raise ApplicationError(
                    str(exc), type=io.CREDITOR_UNREACHABLE, non_retryable=True
                ) from None
            requested = (
                requested_categories(session, msg.reply_id)
                if kind == MessageKind.INFORMATION
                else []
            )
        if kind == MessageKind.MANDATE_END and not target.shared_before:
            return None
        if kind != MessageKind.MANDATE_END:
            # Telling the creditor the mandate ended shares nothing; anything else waits while
            # the client's data is restricted.
            self._refuse_if_restricted(msg.negotiation_id)
        if kind in OFFER_KINDS and not msg.offer_id:
            raise ApplicationError(
                f"{kind.value} message without an offer", type="BadRequest", non_retryable=True
            )
        with session_scope(self.settings) as session:
            consent = current_consent(session, self.settings, msg.negotiation_id)
        plan = plan_message(
            kind,
            consent.categories if consent and kind != MessageKind.MANDATE_END else (),
            consent.document_ids if consent and kind != MessageKind.MANDATE_END else (),
            requested=requested,
        )
        # Before anything is decrypted: what the consent does not allow is not even read.
        self._check(msg.negotiation_id, plan)
        with session_scope(self.settings) as session:
            sources = load_sources(
                session,
                self.settings,
                target,
                plan,
                offer_id=msg.offer_id,
                follow_up=msg.follow_up,
            )
        return Prepared(target=target, plan=plan, content=build_message(plan, sources))

    def _check(self, negotiation_id: str, plan: MessagePlan) -> str | None:
        """The consent governing sharing now, if the plan may be sent (its id, None for the
        end of the mandate); a non-retryable CONSENT_MISSING refusal otherwise."""
        if plan.kind == MessageKind.MANDATE_END:
            return None
        with session_scope(self.settings) as session:
            consent = current_consent(session, self.settings, negotiation_id)
        refusal = plan_refusal(plan, snapshot(consent), now=utcnow())
        if refusal is not None:
            raise ApplicationError(refusal, type=io.CONSENT_MISSING, non_retryable=True)
        assert consent is not None
        return consent.id

    def _record(
        self,
        session: Session,
        msg: io.CreditorMessage,
        prepared: Prepared,
        consent_id: str | None,
        message_id: str,
    ) -> int:
        """The ledger row of a message that left (and, for an offer, what it shared)."""
        content, target = prepared.content, prepared.target
        categories = [c.value for c in content.categories]
        entry = SharingLedgerEntry(
            negotiation_id=target.negotiation_id,
            dossier_id=target.dossier_id,
            client_id=target.client.id,
            creditor_id=target.creditor_id,
            consent_id=consent_id,
            message_kind=content.kind.value,
            categories=json.dumps(categories),
            document_ids=json.dumps(content.document_ids),
            message_key=msg.idempotency_key,
            message_id=message_id,
            channel=target.channel.value,
        )
        session.add(entry)
        if content.kind == MessageKind.OFFER and msg.offer_id:
            offer = session.get(NegotiationOffer, msg.offer_id)
            if offer is not None:
                offer.shared_categories = json.dumps(categories)
                offer.shared_document_ids = json.dumps(content.document_ids)
                session.add(offer)
        append_audit(
            session,
            "system",
            "negotiation.shared",
            "negotiation",
            target.negotiation_id,
            reason=f"message au créancier : {content.kind.value}",
            detail={
                "categories": categories,
                "documents": len(content.document_ids),
                "channel": target.channel.value,
                "consent_id": consent_id,
            },
        )
        session.flush()
        assert entry.id is not None
        return entry.id

    # ----- email ---------------------------------------------------------------------------

    async def _email(self, msg: io.CreditorMessage, prepared: Prepared) -> io.CreditorMessageSent:
        target, content = prepared.target, prepared.content
        rendered = render_creditor_email(content, target.address)

        # A message not sent yet is rebuilt on every attempt, so what leaves is always what
        # the consent checked on this attempt allows.
        def queue() -> OutboxEmail:
            with session_scope(self.settings) as session:
                return queue_email(
                    session,
                    self.settings,
                    key=msg.idempotency_key,
                    client=target.client,
                    dossier_id=target.dossier_id,
                    template=f"creditor_{content.kind.value}",
                    rendered=rendered,
                    attachment_document_ids=content.document_ids,
                    replace_unsent=True,
                )

        row = await asyncio.to_thread(queue)
        consent_id = await asyncio.to_thread(self._check, target.negotiation_id, prepared.plan)

        def on_sent(session: Session) -> None:
            self._record(session, msg, prepared, consent_id, row.message_id)

        await deliver(self.settings, row, target.client, on_sent)
        done = await asyncio.to_thread(self._recorded, msg.idempotency_key)
        if done is None:
            # Found already sent without its ledger row (sent before the row could be written):
            # the message that left is this one, record it now.
            done = await asyncio.to_thread(
                self._record_alone, msg, prepared, consent_id, row.message_id
            )
        return done

    def _record_alone(
        self, msg: io.CreditorMessage, prepared: Prepared, consent_id: str | None, message_id: str
    ) -> io.CreditorMessageSent:
        with session_scope(self.settings) as session:
            self._record(session, msg, prepared, consent_id, message_id)
        done = self._recorded(msg.idempotency_key)
        assert done is not None
        return done

    # ----- post ----------------------------------------------------------------------------

    def _post(self, msg: io.CreditorMessage, prepared: Prepared) -> io.CreditorMessageSent:
        pdf = render_letter(prepared.content, prepared.target.address, self.settings, utcnow())
        consent_id = self._check(prepared.target.negotiation_id, prepared.plan)
        try:
            with session_scope(self.settings) as session:
                self._store_letter(session, msg, prepared, consent_id, pdf)
        except IntegrityError:
            # Another attempt recorded this message first: theirs stands.
            pass
        done = self._recorded(msg.idempotency_key)
        assert done is not None
        return done

    def _store_letter(
        self,
        session: Session,
        msg: io.CreditorMessage,
        prepared: Prepared,
        consent_id: str | None,
        pdf: bytes,
    ) -> None:
        target, content = prepared.target, prepared.content
        pending = new_generated_pdf(
            session,
            target.client,
            target.dossier_id,
            DocumentKind.CREDITOR_LETTER,
            letter_file_name(content.reference, content.kind),
            pdf,
            self.settings,
            reason="courrier au créancier",
        )
        session.flush()
        self._record(session, msg, prepared, consent_id, pending.document.id)
        session.add(
            TimelineEvent(
                dossier_id=target.dossier_id,
                negotiation_id=target.negotiation_id,
                kind="letter_to_post",
                summary=(
                    f"Courrier à imprimer et poster : {content.kind_label} "
                    f"(réf. {content.reference})"
                    + (
                        ", avec "
                        + counted(len(content.documents), "pièce jointe", "pièces jointes")
                        if content.documents
                        else ""
                    )
                ),
                idempotency_key=f"{msg.idempotency_key}:letter",
            )
        )
        pending.store(session, self.settings)


def render_letter(
    content: CreditorMessageContent, address: str, settings: Settings, written_on: datetime
) -> bytes:
    context = {
        **message_context(content),
        "recipient_address": address,
        "sender": settings.mail_from,
        "written_on": written_on,
    }
    return render_pdf(LETTER_TEMPLATE, context)


def _sent(entry: SharingLedgerEntry) -> io.CreditorMessageSent:
    return io.CreditorMessageSent(
        message_id=entry.message_id or "",
        channel=entry.channel,
        categories=[ShareCategory(c).value for c in json.loads(entry.categories)],
        document_ids=list(json.loads(entry.document_ids)),
        ledger_entry_id=entry.id,
    )


def letter_file_name(reference: str, kind: MessageKind) -> str:
    return f"courrier-{reference}-{LETTER_NAMES_FR[kind]}.pdf"
