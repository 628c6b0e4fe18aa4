"""The send_negotiation_email activity: the client's emails about one creditor negotiation.

Rendered from the database (templates/email/negotiation_*), queued in the outbox under the
workflow's idempotency key and delivered once. No amount in any body: the figures stay behind
the client's signed links (consent link, counter-offer decision link, negotiation space).
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import negotiation as io
from activities.contracts.dossier import EmailOutcome
from activities.email_sending import deliver_queued
from activities.heartbeating import heartbeating
from activities.rows import get_dossier, get_negotiation
from config.settings import Settings
from domain.clock import utcnow
from domain.french_dates import french_date, french_datetime
from domain.negotiation.sharing import SHARE_CATEGORY_SHORT_FR, ShareCategory
from domain.negotiation.states import (
    ESCALATION_LABELS_FR,
    OFFER_TYPE_LABELS_FR,
    EscalationRoute,
    NegotiationState,
    OfferType,
)
from models.client import Client
from models.creditor_directory import Creditor
from models.database import session_scope
from models.document import Document
from models.dossier import DossierCreditor
from models.negotiation import (
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.staff import StaffUser
from rendering.labels import day
from security.datakeys import ClientCipher
from security.negotiation_links import (
    consent_link_url,
    decision_link_url,
    space_link_url,
)
from services.email_outbox import find_queued, queue_client_email
from services.negotiations.consents import document_label, load_consent
from services.privacy_requests.restriction import PROCESSING_RESTRICTED

NEGOTIATION_EMAIL_TEMPLATES = frozenset(
    {
        "negotiation_consent_request",
        "negotiation_offer_sent",
        "negotiation_counter_offer",
        "negotiation_counter_accepted",
        "negotiation_agreement",
        "negotiation_refused",
        "negotiation_no_response",
        "negotiation_offer_expired",
        "negotiation_suspended",
        "negotiation_instalment_missed",
        "negotiation_plan_broken",
        "negotiation_completed",
        "negotiation_escalated",
        "negotiation_closed",
    }
)


class NegotiationEmailActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_NEGOTIATION_EMAIL.name)
    @heartbeating
    async def send_negotiation_email(self, request: io.NegotiationEmail) -> EmailOutcome:
        if request.template not in NEGOTIATION_EMAIL_TEMPLATES:
            raise ApplicationError(
                f"unknown negotiation email {request.template!r}",
                type="BadRequest",
                non_retryable=True,
            )
        # No check of the client's progress-email opt-out here: these emails ask for a consent
        # or a decision only the client can give, or tell of a change to what is shared in their
        # name and of their agreements — part of the service itself, like the analysis email.
        row = await asyncio.to_thread(find_queued, self.settings, request.idempotency_key)
        client = await asyncio.to_thread(self._client_of, request.negotiation_id)
        if row is None and client.restricted_since is not None:
            raise ApplicationError(
                "traitement des données limité", type=PROCESSING_RESTRICTED, non_retryable=True
            )
        return await deliver_queued(
            self.settings, row, client, lambda: self._prepare(request, client)
        )

    def _client_of(self, negotiation_id: str) -> Client:
        with session_scope(self.settings) as session:
            negotiation = get_negotiation(session, negotiation_id)
            dossier = get_dossier(session, negotiation.dossier_id)
            client = session.get(Client, dossier.client_id)
            assert client is not None
            return client

    def _prepare(self, request: io.NegotiationEmail, client: Client) -> Any:
        with session_scope(self.settings) as session:
            consent = (
                load_consent(session, self.settings, request.consent_id)
                if request.consent_id
                else None
            )
            negotiation = get_negotiation(session, request.negotiation_id)
            dossier = get_dossier(session, negotiation.dossier_id)
            cipher = ClientCipher.for_client(client, self.settings)
            recipient = cipher.decrypt("client", "email", client.id, client.email_enc)
            if not recipient:
                return None
            adviser = session.get(StaffUser, dossier.assignee_id)
            context: dict[str, Any] = {
                "first_name": cipher.decrypt(
                    "client", "first_name", client.id, client.first_name_enc
                ),
                "reference": dossier.reference,
                "adviser_name": adviser.display_name if adviser else "",
                "creditor_name": _creditor_name(session, negotiation),
                "negotiation_reference": negotiation.reference,
                "space_link": space_link_url(self.settings, negotiation.id),
            }
            context.update(self._details(session, request, negotiation, consent))
            return queue_client_email(
                session,
                self.settings,
                request.idempotency_key,
                client,
                request.template,
                recipient,
                context,
                dossier_id=dossier.id,
                negotiation_id=negotiation.id,
            )

    def _details(
        self,
        session: Session,
        request: io.NegotiationEmail,
        negotiation: Negotiation,
        consent: Any,
    ) -> dict[str, Any]:
        """What each template says beyond the common part: words and dates, never amounts."""
        template = request.template
        if template == "negotiation_consent_request":
            if consent is None:
                raise ApplicationError("consent request without a consent", non_retryable=True)
            return {
                "consent_link": consent_link_url(self.settings, consent.id),
                "link_valid_until": french_date(
                    utcnow() + timedelta(days=self.settings.consent_link_days)
                ),
                "category_labels": [SHARE_CATEGORY_SHORT_FR[c] for c in consent.categories],
                "document_labels": consent.document_labels,
                "is_extension": consent.supersedes_id is not None,
            }
        if template == "negotiation_offer_sent":
            categories, document_labels = self._shared(session, request, negotiation)
            return {"shared_labels": categories, "document_labels": document_labels}
        if template == "negotiation_counter_offer":
            offer = session.get(NegotiationOffer, request.offer_id) if request.offer_id else None
            if offer is None or offer.decision_deadline is None:
                raise ApplicationError(
                    "counter-offer email without a decision deadline", non_retryable=True
                )
            return {
                "decision_link": decision_link_url(self.settings, offer.id),
                "deadline": french_datetime(offer.decision_deadline),
            }
        if template == "negotiation_counter_accepted":
            return _accepted_terms(session, request.offer_id)
        if template in ("negotiation_agreement", "negotiation_completed"):
            return {"has_schedule": _instalment(session, negotiation.id, None) is not None}
        if template == "negotiation_suspended":
            shared = session.exec(
                select(SharingLedgerEntry.id).where(
                    SharingLedgerEntry.negotiation_id == negotiation.id
                )
            ).first()
            return {"shared_before": shared is not None}
        if template == "negotiation_instalment_missed":
            instalment = _instalment(session, negotiation.id, request.instalment_number)
            return {
                "instalment_number": request.instalment_number,
                "due_date": day(instalment.due_date) if instalment else "",
            }
        if template == "negotiation_escalated":
            creditor = (
                session.get(Creditor, negotiation.creditor_id) if negotiation.creditor_id else None
            )
            route = EscalationRoute(negotiation.escalation_route or EscalationRoute.OMBUDSMAN)
            return {
                "route_label": ESCALATION_LABELS_FR[route],
                "ombudsman_name": (
                    creditor.ombudsman_name
                    if creditor and route == EscalationRoute.OMBUDSMAN
                    else None
                ),
            }
        if template == "negotiation_closed":
            return {"abandoned": negotiation.state == NegotiationState.ABANDONED.value}
        return {}

    def _shared(
        self, session: Session, request: io.NegotiationEmail, negotiation: Negotiation
    ) -> tuple[list[str], list[str]]:
        """The categories (short labels) and documents our offer carried, from the ledger."""
        query = select(SharingLedgerEntry).where(
            SharingLedgerEntry.negotiation_id == negotiation.id,
            SharingLedgerEntry.message_kind == "offer",
        )
        entries = list(session.exec(query).all())
        entry = max(entries, key=lambda e: e.shared_at) if entries else None
        if entry is None:
            return [], []
        categories = [
            SHARE_CATEGORY_SHORT_FR[ShareCategory(c)] for c in json.loads(entry.categories)
        ]
        labels = [
            document_label(document)
            for i in json.loads(entry.document_ids)
            if (document := session.get(Document, i)) is not None
        ]
        return categories, labels


def _creditor_name(session: Session, negotiation: Negotiation) -> str:
    """The directory's name, else the name the dossier gave the creditor."""
    if negotiation.creditor_id is not None:
        creditor = session.get(Creditor, negotiation.creditor_id)
        if creditor is not None:
            return creditor.name
    dossier_creditor = session.get(DossierCreditor, negotiation.dossier_creditor_id)
    return dossier_creditor.name if dossier_creditor else "votre créancier"


def _instalment(
    session: Session, negotiation_id: str, number: int | None
) -> RepaymentInstalment | None:
    query = select(RepaymentInstalment).where(RepaymentInstalment.negotiation_id == negotiation_id)
    if number is not None:
        query = query.where(RepaymentInstalment.number == number)
    return session.exec(query).first()


def _accepted_terms(session: Session, offer_id: str | None) -> dict[str, Any]:
    """What the client accepted and when, in words and dates: the amounts stay behind the
    space link, like every figure of a negotiation."""
    offer = session.get(NegotiationOffer, offer_id) if offer_id else None
    if offer is None or offer.client_decided_at is None:
        raise ApplicationError("acceptance receipt without a decision", non_retryable=True)
    return {
        "type_label": OFFER_TYPE_LABELS_FR[OfferType(offer.offer_type)],
        "instalments": offer.instalments,
        "first_due_date": day(offer.first_due_date) if offer.first_due_date else "",
        "valid_until": day(offer.valid_until),
        "accepted_at": french_datetime(offer.client_decided_at),
    }
