"""Loading what a creditor message may carry: the creditor to reach, and the client's data of
the planned categories only (decrypted here, each read audited).

What is not planned is not even decrypted: a message without the budget category never reads
the budget.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.errors import Refused
from domain.negotiation.message_content import (
    BudgetFacts,
    BudgetLine,
    Contact,
    DebtFacts,
    Identity,
    MessagePlan,
    MessageSources,
    OfferTerms,
    SharedDocument,
)
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.negotiation.states import OFFER_TYPE_LABELS_FR, OfferParty, OfferType
from models.client import Client
from models.creditor_directory import Creditor, CreditorChannel
from models.document import Document
from models.dossier import Dossier, DossierCreditor
from models.negotiation import (
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    SharingLedgerEntry,
)
from rendering.labels import charge_label, debt_nature_label, resource_label
from security.datakeys import ClientCipher
from services.audit import audit_client_data_read
from services.budget.store import load_submission
from services.negotiations.consents import document_label

OFFER_TABLE = "negotiation_offer"


class CreditorUnreachable(Refused):
    """No directory creditor, or no address for its channel (French message)."""


@dataclass(frozen=True)
class Target:
    negotiation_id: str
    reference: str
    dossier_id: str
    client: Client
    creditor_id: int
    creditor_name: str
    channel: CreditorChannel
    # The creditor's e-mail address or postal address, for its channel.
    address: str
    # Whether anything was ever sent to this creditor (the end of the mandate is told only then).
    shared_before: bool


def load_target(session: Session, negotiation_id: str) -> Target:
    negotiation = session.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise LookupError(f"negotiation {negotiation_id} not found")
    dossier = session.get(Dossier, negotiation.dossier_id)
    assert dossier is not None
    client = session.get(Client, dossier.client_id)
    assert client is not None
    if negotiation.creditor_id is None:
        raise CreditorUnreachable(
            "Aucun créancier de l'annuaire n'est choisi pour cette négociation : choisissez-le "
            "avant d'envoyer un message."
        )
    creditor = session.get(Creditor, negotiation.creditor_id)
    assert creditor is not None and creditor.id is not None
    channel = CreditorChannel(creditor.contact_channel)
    address = (
        creditor.contact_email if channel == CreditorChannel.EMAIL else creditor.postal_address
    )
    if not address or not address.strip():
        what = "d'adresse e-mail" if channel == CreditorChannel.EMAIL else "d'adresse postale"
        raise CreditorUnreachable(
            f"L'annuaire n'a pas {what} pour {creditor.name} : complétez sa fiche avant "
            "d'envoyer un message."
        )
    shared = session.exec(
        select(SharingLedgerEntry.id).where(SharingLedgerEntry.negotiation_id == negotiation_id)
    ).first()
    return Target(
        negotiation_id=negotiation.id,
        reference=negotiation.reference,
        dossier_id=dossier.id,
        client=client,
        creditor_id=creditor.id,
        creditor_name=creditor.name,
        channel=channel,
        address=address.strip(),
        shared_before=shared is not None,
    )


def requested_categories(session: Session, reply_id: str | None) -> list[ShareCategory]:
    """The categories an information request asked for."""
    reply = session.get(CreditorReply, reply_id) if reply_id else None
    if reply is None:
        raise LookupError(f"creditor reply {reply_id} not found")
    return [ShareCategory(c) for c in json.loads(reply.requested_categories)]


def load_sources(
    session: Session,
    settings: Settings,
    target: Target,
    plan: MessagePlan,
    *,
    offer_id: str | None,
    follow_up: int,
    actor: str = "system",
) -> MessageSources:
    """The planned categories' data, decrypted, and the offer the message is about; the read
    is audited as `actor`'s (the activity sending it, or a case worker previewing it)."""
    if plan.kind == MessageKind.MANDATE_END:
        return MessageSources(reference=target.reference, creditor_name=target.creditor_name)
    wanted = set(plan.categories)
    cipher = ClientCipher.for_client(target.client, settings)
    client = target.client

    def read(column: str, token: str | None) -> str:
        return cipher.decrypt("client", column, client.id, token) or ""

    identity = contact = budget = None
    debts: tuple[DebtFacts, ...] = ()
    if ShareCategory.IDENTITY in wanted:
        identity = Identity(
            read("first_name", client.first_name_enc), read("last_name", client.last_name_enc)
        )
    if ShareCategory.CONTACT in wanted:
        contact = Contact(
            address=read("address", client.address_enc),
            email=read("email", client.email_enc),
            phone=read("phone", client.phone_enc),
        )
    if wanted & {ShareCategory.BUDGET, ShareCategory.DEBTS}:
        budget, debts = _budget_and_debts(session, settings, target, cipher, wanted)
    audit_client_data_read(
        session,
        actor,
        client.id,
        f"message au créancier : {plan.kind.value}",
        negotiation_id=target.negotiation_id,
        categories=[c.value for c in plan.categories],
    )
    return MessageSources(
        reference=target.reference,
        creditor_name=target.creditor_name,
        identity=identity,
        contact=contact,
        budget=budget,
        debts=debts,
        documents=_documents(session, plan.document_ids),
        offer=_offer(session, cipher, target.negotiation_id, plan.kind, offer_id),
        follow_up=follow_up,
    )


def _budget_and_debts(
    session: Session,
    settings: Settings,
    target: Target,
    cipher: ClientCipher,
    wanted: set[ShareCategory],
) -> tuple[BudgetFacts | None, tuple[DebtFacts, ...]]:
    submission = load_submission(
        session,
        target.dossier_id,
        actor="system",
        reason=f"message au créancier (négociation {target.negotiation_id})",
        settings=settings,
    )
    if submission is None:
        raise LookupError(f"dossier {target.dossier_id} has no submitted analysis")
    budget = None
    if ShareCategory.BUDGET in wanted:
        data, analysis = submission.data, submission.analysis
        charges = tuple(
            BudgetLine(_line_label(charge_label(c.category), c.label), c.monthly_amount)
            for c in data.charges
        )
        budget = BudgetFacts(
            on=data.on,
            resources=tuple(
                BudgetLine(_line_label(resource_label(r.kind), r.label), r.monthly_amount)
                for r in data.resources
            ),
            charges=charges,
            monthly_resources=analysis.monthly_resources,
            monthly_charges=sum((c.monthly_amount for c in charges), Decimal("0.00")),
            capacity=analysis.capacity,
        )
    debts: tuple[DebtFacts, ...] = ()
    if ShareCategory.DEBTS in wanted:
        negotiation = session.get(Negotiation, target.negotiation_id)
        assert negotiation is not None
        creditor = session.get(DossierCreditor, negotiation.dossier_creditor_id)
        account = (
            cipher.decrypt(
                "dossier_creditor",
                "account_reference",
                str(creditor.id),
                creditor.account_reference_enc,
            )
            if creditor is not None
            else None
        )
        lines = submission.data.debts
        debts = tuple(
            DebtFacts(
                nature=debt_nature_label(lines[i].nature),
                capital_outstanding=lines[i].capital_outstanding,
                arrears=lines[i].arrears,
                monthly_instalment=lines[i].monthly_instalment,
                account_reference=account or None,
            )
            for i in json.loads(negotiation.debt_indexes)
            if 0 <= i < len(lines)
        )
    return budget, debts


def _line_label(kind_label: str, label: str) -> str:
    return f"{kind_label} ({label})" if label else kind_label


def _documents(session: Session, document_ids: tuple[str, ...]) -> tuple[SharedDocument, ...]:
    """The planned documents that still exist, in the consent's order."""
    if not document_ids:
        return ()
    rows = session.exec(select(Document).where(col(Document.id).in_(list(document_ids)))).all()
    by_id = {row.id: row for row in rows}
    return tuple(
        SharedDocument(id=i, label=document_label(by_id[i])) for i in document_ids if i in by_id
    )


def _offer(
    session: Session,
    cipher: ClientCipher,
    negotiation_id: str,
    kind: MessageKind,
    offer_id: str | None,
) -> OfferTerms | None:
    row = session.get(NegotiationOffer, offer_id) if offer_id else None
    if row is None and kind == MessageKind.FOLLOW_UP:
        # The offer a follow-up is about: our latest one that left.
        row = session.exec(
            select(NegotiationOffer)
            .where(NegotiationOffer.negotiation_id == negotiation_id)
            .where(NegotiationOffer.made_by == OfferParty.US.value)
            .where(col(NegotiationOffer.sent_at).is_not(None))
            .order_by(col(NegotiationOffer.round).desc())
        ).first()
    if row is None or row.negotiation_id != negotiation_id:
        return None

    def amount(column: str, token: str | None) -> Decimal | None:
        value = cipher.decrypt(OFFER_TABLE, column, row.id, token)
        return Decimal(value) if value else None

    return OfferTerms(
        round=row.round,
        made_by=row.made_by,
        offer_type=row.offer_type,
        type_label=OFFER_TYPE_LABELS_FR[OfferType(row.offer_type)],
        valid_until=row.valid_until,
        amount=amount("amount", row.amount_enc),
        balance_share=amount("balance_share", row.balance_share_enc),
        instalments=row.instalments,
        instalment_amount=amount("instalment_amount", row.instalment_amount_enc),
        first_due_date=row.first_due_date,
        sent_at=row.sent_at,
    )
