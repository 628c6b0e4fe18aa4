"""Reading a dossier's negotiations for the pages: summaries, offers, the sharing ledger and the
repayment schedule, amounts decrypted.

Shared by the staff pages and the client's signed-link pages. These functions do not check who
is asking nor audit the read: the callers have checked access (dossier_access or the signed
link) and record the read in their own words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.dossier_stages import CreditorKind
from domain.negotiation.sharing import (
    MESSAGE_KIND_LABELS_FR,
    SHARE_CATEGORY_SHORT_FR,
    MessageKind,
    ShareCategory,
)
from domain.negotiation.states import (
    NEGOTIATION_STATE_LABELS_FR,
    OFFER_PARTY_LABELS_FR,
    OFFER_TYPE_LABELS_FR,
    REPLY_KIND_LABELS_FR,
    NegotiationState,
    OfferParty,
    OfferType,
    ReplyKind,
)
from models.client import Client
from models.creditor_directory import Creditor
from models.document import Document
from models.dossier import Dossier, DossierCreditor
from models.negotiation import (
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from rendering.labels import enum_label
from security.datakeys import ClientCipher
from services.effective import effective
from services.negotiations.consents import document_label
from services.view_fields import view_of

OFFER_TABLE = "negotiation_offer"
INSTALMENT_TABLE = "repayment_instalment"
REPLY_TABLE = "creditor_reply"
DELETED_DOCUMENT = "Pièce supprimée depuis"


@dataclass(frozen=True)
class NegotiationSummary:
    id: str
    dossier_id: str
    reference: str
    number: int
    creditor_label: str  # The creditor's name as the dossier records it.
    creditor_kind: CreditorKind
    directory_creditor_id: int | None
    directory_name: str | None
    state: NegotiationState
    state_label: str
    round: int
    next_deadline: datetime | None
    next_deadline_label: str | None
    ended_at: datetime | None
    escalation_route: str | None


@dataclass(frozen=True)
class OfferRow:
    id: str
    round: int
    made_by: OfferParty
    made_by_label: str
    offer_type: OfferType
    type_label: str
    amount: Decimal | None
    balance_share: Decimal | None  # Percent of the balance, e.g. Decimal("60.00").
    instalments: int | None
    instalment_amount: Decimal | None
    first_due_date: date | None
    valid_until: date
    channel: str
    shared_categories: list[ShareCategory]
    shared_document_ids: list[str]
    status: str
    decision_deadline: datetime | None
    client_decision: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class LedgerRow:
    shared_at: datetime
    message_kind: MessageKind
    message_label: str
    categories: list[ShareCategory]
    category_labels: list[str]
    document_labels: list[str]
    channel: str
    message_id: str | None


@dataclass(frozen=True)
class ReplyRow:
    id: str
    round: int
    kind: ReplyKind
    kind_label: str
    received_on: date
    channel: str
    terms: str | None
    requested_categories: list[ShareCategory]
    attachment_document_ids: list[str]
    counter_offer_id: str | None
    new_consent_id: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class InstalmentRow:
    number: int
    due_date: date
    amount: Decimal | None
    paid_at: datetime | None


def negotiation_summary(session: Session, negotiation_id: str) -> NegotiationSummary:
    """LookupError when there is no such negotiation."""
    negotiation = session.get(Negotiation, negotiation_id)
    if negotiation is None or negotiation.staged_write_id is not None:
        raise LookupError(f"no negotiation {negotiation_id}")
    return _summary(session, negotiation)


def dossier_negotiations(session: Session, dossier_id: str) -> list[NegotiationSummary]:
    """The dossier's negotiations in creditor order (their number)."""
    rows = session.exec(
        select(Negotiation)
        .where(Negotiation.dossier_id == dossier_id, effective(Negotiation))
        .order_by(col(Negotiation.number))
    ).all()
    return [_summary(session, row) for row in rows]


def offer_rows(session: Session, settings: Settings, negotiation_id: str) -> list[OfferRow]:
    """Every offer, ours and the creditor's, in round order (ours first within a round)."""
    rows = session.exec(
        select(NegotiationOffer).where(
            NegotiationOffer.negotiation_id == negotiation_id, effective(NegotiationOffer)
        )
    ).all()
    if not rows:
        return []
    cipher = _cipher(session, settings, negotiation_id)
    ordered = sorted(rows, key=lambda r: (r.round, r.made_by != OfferParty.US.value))
    return [_offer(cipher, row) for row in ordered]


def offer_row(session: Session, settings: Settings, offer_id: str) -> OfferRow | None:
    row = session.get(NegotiationOffer, offer_id)
    if row is None or row.staged_write_id is not None:
        return None
    return _offer(_cipher(session, settings, row.negotiation_id), row)


def ledger_rows(session: Session, negotiation_id: str) -> list[LedgerRow]:
    """What left the company for this creditor, newest first."""
    rows = session.exec(
        select(SharingLedgerEntry)
        .where(SharingLedgerEntry.negotiation_id == negotiation_id)
        .order_by(col(SharingLedgerEntry.shared_at).desc(), col(SharingLedgerEntry.id).desc())
    ).all()
    document_ids = {i for row in rows for i in json.loads(row.document_ids)}
    documents = {
        d.id: d
        for d in session.exec(
            select(Document).where(col(Document.id).in_(sorted(document_ids)))
        ).all()
    }
    return [_ledger(row, documents) for row in rows]


def reply_rows(session: Session, settings: Settings, negotiation_id: str) -> list[ReplyRow]:
    """The creditor's replies as recorded, oldest first (terms decrypted)."""
    rows = session.exec(
        select(CreditorReply)
        .where(CreditorReply.negotiation_id == negotiation_id, effective(CreditorReply))
        .order_by(col(CreditorReply.recorded_at), col(CreditorReply.id))
    ).all()
    # No row, no key to unwrap.
    cipher = _cipher(session, settings, negotiation_id) if rows else None
    return [
        view_of(
            ReplyRow,
            row,
            kind=ReplyKind(row.kind),
            kind_label=REPLY_KIND_LABELS_FR[ReplyKind(row.kind)],
            terms=(
                None
                if cipher is None
                else cipher.decrypt(REPLY_TABLE, "terms", row.id, row.terms_enc)
            ),
            requested_categories=[ShareCategory(c) for c in json.loads(row.requested_categories)],
            attachment_document_ids=list(json.loads(row.attachment_document_ids)),
        )
        for row in rows
    ]


def schedule_rows(session: Session, settings: Settings, negotiation_id: str) -> list[InstalmentRow]:
    """The agreed repayment schedule in due order (empty before an agreement)."""
    rows = session.exec(
        select(RepaymentInstalment)
        .where(RepaymentInstalment.negotiation_id == negotiation_id)
        .order_by(col(RepaymentInstalment.number))
    ).all()
    # No row, no key to unwrap.
    cipher = _cipher(session, settings, negotiation_id) if rows else None
    return [
        view_of(
            InstalmentRow,
            row,
            amount=_amount(cipher, INSTALMENT_TABLE, "amount", row.id or 0, row.amount_enc),
        )
        for row in rows
    ]


# ----- internals ---------------------------------------------------------------------------


def _summary(session: Session, negotiation: Negotiation) -> NegotiationSummary:
    dossier_creditor = session.get(DossierCreditor, negotiation.dossier_creditor_id)
    assert dossier_creditor is not None
    directory = session.get(Creditor, negotiation.creditor_id) if negotiation.creditor_id else None
    state = NegotiationState(negotiation.state)
    return view_of(
        NegotiationSummary,
        negotiation,
        creditor_label=dossier_creditor.name,
        creditor_kind=CreditorKind(dossier_creditor.kind),
        directory_creditor_id=negotiation.creditor_id,
        directory_name=directory.name if directory else None,
        state=state,
        state_label=NEGOTIATION_STATE_LABELS_FR[state],
    )


def _cipher(session: Session, settings: Settings, negotiation_id: str) -> ClientCipher | None:
    """The client's cipher, or None once the client was erased (amounts then read as None)."""
    negotiation = session.get(Negotiation, negotiation_id)
    dossier = session.get(Dossier, negotiation.dossier_id) if negotiation else None
    client = session.get(Client, dossier.client_id) if dossier else None
    if client is None or client.wrapped_key is None:
        return None
    return ClientCipher.for_client(client, settings)


def _amount(
    cipher: ClientCipher | None, table: str, column: str, row_id: str | int, token: str | None
) -> Decimal | None:
    if cipher is None or token is None:
        return None
    text = cipher.decrypt(table, column, row_id, token)
    return Decimal(text) if text else None


def _offer(cipher: ClientCipher | None, row: NegotiationOffer) -> OfferRow:
    made_by = OfferParty(row.made_by)
    offer_type = OfferType(row.offer_type)
    return view_of(
        OfferRow,
        row,
        made_by=made_by,
        made_by_label=OFFER_PARTY_LABELS_FR[made_by],
        offer_type=offer_type,
        type_label=OFFER_TYPE_LABELS_FR[offer_type],
        amount=_amount(cipher, OFFER_TABLE, "amount", row.id, row.amount_enc),
        balance_share=_amount(cipher, OFFER_TABLE, "balance_share", row.id, row.balance_share_enc),
        instalment_amount=_amount(
            cipher, OFFER_TABLE, "instalment_amount", row.id, row.instalment_amount_enc
        ),
        shared_categories=[ShareCategory(c) for c in json.loads(row.shared_categories)],
        shared_document_ids=list(json.loads(row.shared_document_ids)),
    )


def _ledger(row: SharingLedgerEntry, documents: dict[str, Document]) -> LedgerRow:
    categories = [ShareCategory(c) for c in json.loads(row.categories)]
    kind = MessageKind(row.message_kind)
    return view_of(
        LedgerRow,
        row,
        message_kind=kind,
        message_label=enum_label(MESSAGE_KIND_LABELS_FR, MessageKind, kind),
        categories=categories,
        category_labels=[SHARE_CATEGORY_SHORT_FR[c] for c in categories],
        document_labels=[
            document_label(documents[i]) if i in documents else DELETED_DOCUMENT
            for i in json.loads(row.document_ids)
        ],
    )
