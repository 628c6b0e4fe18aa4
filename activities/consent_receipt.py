"""The send_consent_receipt activity: the client's receipt of a consent decision, PDF + email.

The receipt repeats what the client decided on word for word (the stored text, its version and
SHA-256), how and when. It is stored like any document (encrypted under the client's key, kind
CONSENT_RECEIPT) and named on the consent row in the same transaction, so a retried activity
finds it and makes no second one; the email goes through the outbox with the PDF attached.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import negotiation as io
from activities.contracts.dossier import EmailOutcome
from activities.email_sending import deliver_queued
from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind
from domain.french_dates import french_date, french_datetime
from domain.negotiation.consent_rules import (
    CONSENT_METHOD_LABELS_FR,
    CONSENT_PURPOSE_LABELS_FR,
    ConsentStatus,
)
from domain.negotiation.sharing import SHARE_CATEGORY_LABELS_FR
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from models.negotiation import CreditorConsent, Negotiation
from models.staff import StaffUser
from rendering.pdf import render_pdf
from security.datakeys import ClientCipher
from security.negotiation_links import space_link_url
from services.documents import new_generated_pdf
from services.email_outbox import find_queued, queue_client_email
from services.negotiations.consents import ConsentView, load_consent

RECEIPT_TEMPLATE = "report/consent_receipt.html"
EMAIL_TEMPLATE = "negotiation_consent_receipt"


@dataclass(frozen=True)
class ReceiptView:
    """What the receipt shows (decrypted)."""

    client_name: str
    dossier_reference: str
    negotiation_reference: str
    consent: ConsentView
    given: bool
    category_labels: list[str]
    purpose_label: str
    method_label: str
    decided_at_label: str
    requested_at_label: str
    expires_on_label: str | None
    generated_at_label: str


class ConsentReceiptActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_CONSENT_RECEIPT.name)
    async def send_consent_receipt(self, request: io.ConsentReceipt) -> EmailOutcome:
        document_id = await asyncio.to_thread(
            build_consent_receipt, self.settings, request.consent_id
        )
        row = await asyncio.to_thread(find_queued, self.settings, request.idempotency_key)
        client = await asyncio.to_thread(self._client_of, request.consent_id)
        return await deliver_queued(
            self.settings, row, client, lambda: self._prepare(request, client, document_id)
        )

    def _client_of(self, consent_id: str) -> Client:
        with session_scope(self.settings) as session:
            consent = session.get(CreditorConsent, consent_id)
            assert consent is not None
            client = session.get(Client, consent.client_id)
            assert client is not None
            return client

    def _prepare(self, request: io.ConsentReceipt, client: Client, document_id: str) -> Any:
        with session_scope(self.settings) as session:
            consent = load_consent(session, self.settings, request.consent_id)
            assert consent.decided_at is not None
            dossier = session.get(Dossier, consent.dossier_id)
            assert dossier is not None
            cipher = ClientCipher.for_client(client, self.settings)
            recipient = cipher.decrypt("client", "email", client.id, client.email_enc)
            if not recipient:
                return None
            adviser = session.get(StaffUser, dossier.assignee_id)
            context = {
                "first_name": cipher.decrypt(
                    "client", "first_name", client.id, client.first_name_enc
                ),
                "reference": dossier.reference,
                "adviser_name": adviser.display_name if adviser else "",
                "creditor_name": consent.creditor_name,
                "given": consent.status != ConsentStatus.REFUSED,
                "decided_at": french_datetime(consent.decided_at),
                "space_link": space_link_url(self.settings, consent.negotiation_id),
            }
            return queue_client_email(
                session,
                self.settings,
                request.idempotency_key,
                client,
                EMAIL_TEMPLATE,
                recipient,
                context,
                dossier_id=dossier.id,
                negotiation_id=consent.negotiation_id,
                attachment_document_ids=[document_id],
            )


def build_consent_receipt(settings: Settings, consent_id: str) -> str:
    """The id of the consent's receipt Document, rendered and stored the first time."""
    with session_scope(settings) as session:
        consent = load_consent(session, settings, consent_id)
        if consent.decided_at is None or consent.status == ConsentStatus.PENDING:
            raise ApplicationError(
                "Le client n'a pas encore pris de décision sur ce consentement : pas de reçu.",
                type="ConsentUndecided",
                non_retryable=True,
            )
        done = _existing(session, consent_id)
        if done:
            return done
        view = _view(session, settings, consent)
    pdf = render_consent_receipt(view)
    with session_scope(settings) as session:
        return _store(session, settings, consent, pdf)


def render_consent_receipt(view: ReceiptView) -> bytes:
    return render_pdf(RECEIPT_TEMPLATE, {"receipt": view})


def _existing(session: Session, consent_id: str) -> str | None:
    row = session.get(CreditorConsent, consent_id)
    if row is None or not row.receipt_document_id:
        return None
    return row.receipt_document_id if session.get(Document, row.receipt_document_id) else None


def _view(session: Session, settings: Settings, consent: ConsentView) -> ReceiptView:
    client = session.get(Client, consent.client_id)
    dossier = session.get(Dossier, consent.dossier_id)
    negotiation = session.get(Negotiation, consent.negotiation_id)
    assert client is not None and dossier is not None and negotiation is not None
    assert consent.decided_at is not None
    cipher = ClientCipher.for_client(client, settings)
    first = cipher.decrypt("client", "first_name", client.id, client.first_name_enc) or ""
    last = cipher.decrypt("client", "last_name", client.id, client.last_name_enc) or ""
    return ReceiptView(
        client_name=f"{first} {last}".strip(),
        dossier_reference=dossier.reference,
        negotiation_reference=negotiation.reference,
        consent=consent,
        given=consent.status != ConsentStatus.REFUSED,
        category_labels=[SHARE_CATEGORY_LABELS_FR[c] for c in consent.categories],
        purpose_label=CONSENT_PURPOSE_LABELS_FR[consent.purpose],
        method_label=CONSENT_METHOD_LABELS_FR[consent.method] if consent.method else "",
        decided_at_label=french_datetime(consent.decided_at),
        requested_at_label=french_datetime(consent.requested_at),
        expires_on_label=french_date(consent.expires_at) if consent.expires_at else None,
        generated_at_label=french_datetime(utcnow()),
    )


def _store(session: Session, settings: Settings, consent: ConsentView, pdf: bytes) -> str:
    row = session.get(CreditorConsent, consent.id)
    assert row is not None
    done = _existing(session, consent.id)
    if done:
        return done
    client = session.get(Client, consent.client_id)
    assert client is not None
    pending = new_generated_pdf(
        session,
        client,
        consent.dossier_id,
        DocumentKind.CONSENT_RECEIPT,
        f"recu-consentement-{consent.id[:8]}.pdf",
        pdf,
        settings,
        reason="reçu de consentement",
        consent_id=consent.id,
    )
    # Recorded in the document's own transaction: a retry then finds the receipt instead of
    # making a second one.
    row.receipt_document_id = pending.document.id
    session.add(row)
    return pending.store(session, settings).id
