"""Creditor negotiations and what they keep: consents, offers, replies, the sharing ledger and
repayment schedules.

Each `negotiation` row is the read model of one CreditorNegotiationWorkflow
(`negotiation:<id>`); activities keep `state` and `next_deadline` current. Amounts and free text
are encrypted under the client's data key (AAD: table, column, row id). Lists (categories,
document ids, debt indexes) are JSON arrays of codes and opaque ids, never personal data.
Enumerated columns are plain strings holding the values of the domain.negotiation enums.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class Negotiation(SQLModel, table=True):
    __tablename__ = "negotiation"
    __table_args__ = (UniqueConstraint("dossier_id", "number"),)

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    # One negotiation per creditor of the dossier.
    dossier_creditor_id: int = field(
        Category.OPERATIONAL, foreign_key="dossier_creditor.id", unique=True
    )
    # The directory entry our messages go to; None until the case worker picks it.
    creditor_id: int | None = field(
        Category.OPERATIONAL, default=None, foreign_key="creditor.id", index=True
    )
    number: int = field(Category.OPERATIONAL)
    # Quoted in every message to the creditor: "<dossier reference>-C<number>".
    reference: str = field(Category.OPERATIONAL, unique=True, max_length=40)
    # Indexes of the debts concerned in the budget the client approved (JSON array).
    debt_indexes: str = field(Category.OPERATIONAL, default="[]")
    state: str = field(Category.NEGOTIATION_HISTORY, default="consent_pending", max_length=30)
    round: int = field(Category.NEGOTIATION_HISTORY, default=0)
    next_deadline: datetime | None = field(Category.OPERATIONAL, default=None)
    next_deadline_label: str | None = field(Category.OPERATIONAL, default=None, max_length=120)
    escalation_route: str | None = field(Category.NEGOTIATION_HISTORY, default=None, max_length=30)
    # Why the case worker ended it by hand (closed unresolved or abandoned).
    end_reason_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    updated_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    ended_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )


class CreditorConsent(SQLModel, table=True):
    """The client's consent to share named data with one creditor, for one purpose."""

    __tablename__ = "creditor_consent"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id", index=True)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    creditor_id: int = field(Category.OPERATIONAL, foreign_key="creditor.id")
    # JSON arrays: ShareCategory values, and the ids of the documents chosen one by one.
    categories: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    document_ids: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    purpose: str = field(Category.NEGOTIATION_HISTORY, max_length=30)
    # The exact text shown: its version, the text itself (encrypted) and its SHA-256.
    text_version: str = field(Category.NEGOTIATION_HISTORY, max_length=40)
    text_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    text_sha256: str = field(Category.NEGOTIATION_HISTORY, max_length=64)
    status: str = field(Category.NEGOTIATION_HISTORY, default="pending", max_length=12)
    requested_at: datetime = field(Category.NEGOTIATION_HISTORY, default_factory=utcnow)
    requested_by: str = field(Category.OPERATIONAL, max_length=60)
    # How and when the client decided (a ConsentMethod value), and who recorded it.
    decided_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    method: str | None = field(Category.NEGOTIATION_HISTORY, default=None, max_length=20)
    decided_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    # The scanned paper form, for a consent given on paper.
    paper_document_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    expires_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    revoked_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    revoked_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    # "client_link" or "case_worker".
    revocation_channel: str | None = field(
        Category.NEGOTIATION_HISTORY, default=None, max_length=20
    )
    receipt_document_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    # The consent this one replaces (an extension to a category the creditor asked for).
    supersedes_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )


class NegotiationOffer(SQLModel, table=True):
    """An offer, ours or the creditor's (a counter-offer), one per round and party."""

    __tablename__ = "negotiation_offer"
    __table_args__ = (UniqueConstraint("negotiation_id", "round", "made_by"),)

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id", index=True)
    round: int = field(Category.NEGOTIATION_HISTORY)
    # OfferParty and OfferType values.
    made_by: str = field(Category.NEGOTIATION_HISTORY, max_length=10)
    offer_type: str = field(Category.NEGOTIATION_HISTORY, max_length=20)
    # Decimal strings, encrypted: total amount to repay, share of the balance (percent),
    # amount of each instalment.
    amount_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    balance_share_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    instalment_amount_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    instalments: int | None = field(Category.NEGOTIATION_HISTORY, default=None)
    first_due_date: date | None = field(Category.NEGOTIATION_HISTORY, default=None)
    valid_until: date = field(Category.NEGOTIATION_HISTORY)
    # How it travelled: "email" / "post" (ours), or how the creditor's reached us.
    channel: str = field(Category.NEGOTIATION_HISTORY, max_length=10)
    # What we shared to make it (JSON arrays), set when it is sent.
    shared_categories: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    shared_document_ids: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    # draft, sent, accepted, refused, countered, expired, lapsed, withdrawn.
    status: str = field(Category.NEGOTIATION_HISTORY, default="draft", max_length=12)
    # Counter-offers: the client's decision and its deadline.
    decision_deadline: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    client_decision: str | None = field(Category.NEGOTIATION_HISTORY, default=None, max_length=10)
    client_decided_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    created_at: datetime = field(Category.NEGOTIATION_HISTORY, default_factory=utcnow)
    created_by: str = field(Category.OPERATIONAL, max_length=60)
    sent_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )


class CreditorReply(SQLModel, table=True):
    """A creditor's reply as the case worker recorded it."""

    __tablename__ = "creditor_reply"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id", index=True)
    round: int = field(Category.NEGOTIATION_HISTORY)
    # A ReplyKind value.
    kind: str = field(Category.NEGOTIATION_HISTORY, max_length=25)
    received_on: date = field(Category.NEGOTIATION_HISTORY)
    channel: str = field(Category.NEGOTIATION_HISTORY, max_length=10)
    # The reply's terms or request in the case worker's words (encrypted).
    terms_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    # Information requests: the categories the creditor asks for (JSON array).
    requested_categories: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    attachment_document_ids: str = field(Category.OPERATIONAL, default="[]")
    counter_offer_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    # The extended consent asked of the client when the request needs a new category.
    new_consent_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    recorded_by: str = field(Category.OPERATIONAL, max_length=60)
    recorded_at: datetime = field(Category.NEGOTIATION_HISTORY, default_factory=utcnow)
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )


class SharingLedgerEntry(SQLModel, table=True):
    """One row per message that left the company for a creditor: what it carried, when, how."""

    __tablename__ = "sharing_ledger"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id", index=True)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    creditor_id: int = field(Category.OPERATIONAL, foreign_key="creditor.id")
    # The consent checked at send time (None for the end-of-mandate notice, which shares nothing).
    consent_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    message_kind: str = field(Category.NEGOTIATION_HISTORY, max_length=25)
    categories: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    document_ids: str = field(Category.NEGOTIATION_HISTORY, default="[]")
    # The outbox key (email) or the letter's document id (post) of the message.
    message_key: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    message_id: str | None = field(Category.OPERATIONAL, default=None, max_length=200)
    channel: str = field(Category.NEGOTIATION_HISTORY, max_length=10)
    shared_at: datetime = field(Category.NEGOTIATION_HISTORY, default_factory=utcnow)


class RepaymentInstalment(SQLModel, table=True):
    __tablename__ = "repayment_instalment"
    __table_args__ = (UniqueConstraint("negotiation_id", "number"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id", index=True)
    offer_id: str = field(Category.OPERATIONAL, max_length=32)
    number: int = field(Category.NEGOTIATION_HISTORY)
    due_date: date = field(Category.NEGOTIATION_HISTORY)
    amount_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    paid_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    paid_recorded_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    missed_alerted_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
