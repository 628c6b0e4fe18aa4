"""Data-subject requests (rights under GDPR Art. 15–21): the request as received, the read
model its workflow keeps current, its timeline and the DPO's written reasons.

Each request has its own data key (like a client): the address of a person who is not a client
is encrypted under it, and so are the reasons the DPO writes. The workflow holds the clock; the
columns below it mirror what the workflow last recorded, for the queue and the API.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class PrivacyRequest(SQLModel, table=True):
    __tablename__ = "privacy_request"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    # Shown to people and staff ("DP-2026-00042"): says nothing about the person.
    reference: str = field(Category.OPERATIONAL, unique=True, max_length=20)
    # Comma-separated Right values, in the order asked.
    rights: str = field(Category.OPERATIONAL, max_length=120)
    channel: str = field(Category.OPERATIONAL, max_length=20)
    client_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="client.id", index=True
    )
    # The team whose supervisor is told on the due day (the client's dossier's, else the DPO's).
    team: str = field(Category.OPERATIONAL, max_length=40)
    wrapped_key: str | None = field(Category.ACCOUNT, default=None, max_length=200)
    # The address the person wrote from, when they are not (or not known to be) a client.
    email_enc: str | None = field(Category.ACCOUNT, default=None)
    email_bidx: str | None = field(Category.ACCOUNT, default=None, index=True, max_length=64)
    # "identified" (own signed link, confirmed address of the client record), "to_check",
    # then, once an ID document was read, "verified" or "not_verified" (domain/privacy/identity).
    identity: str = field(Category.OPERATIONAL, max_length=20)
    # The outcome kept once the document is gone: when, by whom, and which kind of document.
    identity_checked_at: datetime | None = field(Category.OPERATIONAL, default=None)
    identity_checked_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    identity_document_kind: str | None = field(Category.OPERATIONAL, default=None, max_length=30)
    # An open request for one of the same rights, made before this one by the same person.
    linked_to_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="privacy_request.id"
    )
    received_at: datetime = field(Category.OPERATIONAL, index=True)
    recorded_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    recorded_by: str = field(Category.OPERATIONAL, max_length=60)
    # Keyed hashes of (recording account, Idempotency-Key or form token) and of what was asked:
    # a retried creation finds this request; the same key for another request is refused.
    creation_key: str | None = field(Category.OPERATIONAL, default=None, unique=True, max_length=64)
    creation_fingerprint: str | None = field(Category.OPERATIONAL, default=None, max_length=64)
    # ----- kept current by the workflow ------------------------------------------------------
    status: str = field(Category.OPERATIONAL, default="open", max_length=20, index=True)
    due_at: datetime = field(Category.OPERATIONAL, index=True)
    paused_days: int = field(Category.OPERATIONAL, default=0)
    extended_months: int = field(Category.OPERATIONAL, default=0)
    # JSON object {right: outcome} of the rights decided so far.
    outcomes: str = field(Category.OPERATIONAL, default="{}", max_length=400)
    answered_at: datetime | None = field(Category.OPERATIONAL, default=None)
    synced_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)


class PrivacyRequestEvent(SQLModel, table=True):
    """The request's timeline, written once per event (the key makes a retried activity find it)."""

    __tablename__ = "privacy_request_event"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    request_id: str = field(Category.OPERATIONAL, foreign_key="privacy_request.id", index=True)
    key: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    at: datetime = field(Category.OPERATIONAL)
    # An EventKind value (services/privacy_requests/timeline.py says it in French).
    kind: str = field(Category.OPERATIONAL, max_length=30)
    actor: str = field(Category.OPERATIONAL, max_length=60)
    # Codes only (a right, an outcome, a pause reason, a number of days): never free text.
    detail: str = field(Category.OPERATIONAL, default="{}", max_length=400)
    note_id: int | None = field(
        Category.OPERATIONAL, default=None, foreign_key="privacy_request_note.id"
    )


class PrivacyRequestNote(SQLModel, table=True):
    """What the DPO writes for the person (an extension's reason, a refusal's reasons): stored
    before the action is asked of the workflow, which names it by id."""

    __tablename__ = "privacy_request_note"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    request_id: str = field(Category.OPERATIONAL, foreign_key="privacy_request.id", index=True)
    text_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    written_by: str = field(Category.OPERATIONAL, max_length=60)
    written_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)


class PrivacyDownload(SQLModel, table=True):
    """A file made for the person (their access package, their portable data), stored encrypted
    under the request's key until it is downloaded once or expires."""

    __tablename__ = "privacy_download"
    __table_args__ = (UniqueConstraint("request_id", "kind"),)

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    request_id: str = field(Category.OPERATIONAL, foreign_key="privacy_request.id", index=True)
    # "access" or "portability" (a Right value): one file of each kind per request.
    kind: str = field(Category.OPERATIONAL, max_length=20)
    stored_name: str = field(Category.OPERATIONAL, unique=True, max_length=64)
    size_bytes: int = field(Category.OPERATIONAL)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    expires_at: datetime = field(Category.OPERATIONAL)
    # Set when the person downloaded it (the file is shredded then) or when it was shredded
    # unopened after its expiry.
    downloaded_at: datetime | None = field(Category.OPERATIONAL, default=None)
    shredded_at: datetime | None = field(Category.OPERATIONAL, default=None)


class PrivacyIdentityDocument(SQLModel, table=True):
    """An ID document the person sent to prove who makes the request: stored encrypted under
    the request's key, deleted as soon as the DPO decides (the outcome stays on the request)."""

    __tablename__ = "privacy_identity_document"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    request_id: str = field(Category.OPERATIONAL, foreign_key="privacy_request.id", index=True)
    stored_name: str = field(Category.OPERATIONAL, unique=True, max_length=64)
    content_type: str = field(Category.IDENTITY_PROOF, max_length=40)
    size_bytes: int = field(Category.IDENTITY_PROOF)
    uploaded_at: datetime = field(Category.IDENTITY_PROOF, default_factory=utcnow)
    uploaded_by: str = field(Category.OPERATIONAL, max_length=60)
    # Set when the file was shredded (at the decision): the row says one was read, no more.
    deleted_at: datetime | None = field(Category.OPERATIONAL, default=None)


class MarketingSuppression(SQLModel, table=True):
    """An objection to marketing that outlives the person's data: a keyed hash of the address,
    checked before any marketing message, kept after erasure (it says nothing readable)."""

    __tablename__ = "marketing_suppression"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    email_hash: str = field(Category.OPERATIONAL, unique=True, max_length=64)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)


class ErasureLedgerEntry(SQLModel, table=True):
    """One erasure done at a person's request: opaque ids only, so that a restored backup taken
    before it can have the erasure applied again before the app serves."""

    __tablename__ = "erasure_ledger"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    request_id: str = field(Category.OPERATIONAL, unique=True, max_length=32)
    client_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    # Whether everything went (the data key destroyed), else the record groups withheld
    # (JSON list of RecordGroup values): what a restore erases again.
    complete: bool = field(Category.OPERATIONAL)
    withheld: str = field(Category.OPERATIONAL, default="[]", max_length=200)
    erased_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)


class PrivacyRectification(SQLModel, table=True):
    """One detail of a client corrected (at their request, or by their case worker): the old
    and the new value and why, encrypted under the client's key (the audit log names this row,
    never the values)."""

    __tablename__ = "privacy_rectification"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    # None: corrected by the case worker in charge of the dossier, outside any request.
    request_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="privacy_request.id", index=True
    )
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    # A RectifiableField value.
    field_name: str = field(Category.OPERATIONAL, max_length=20)
    old_value_enc: str | None = field(Category.ACCOUNT, default=None)
    new_value_enc: str | None = field(Category.ACCOUNT, default=None)
    reason_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    created_by: str = field(Category.OPERATIONAL, max_length=60)


class RecipientNotice(SQLModel, table=True):
    """A creditor that received the old value of a corrected detail (GDPR Art. 19): told of the
    correction, and its acknowledgement recorded when it comes."""

    __tablename__ = "recipient_notice"
    __table_args__ = (UniqueConstraint("rectification_id", "creditor_id"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    rectification_id: int = field(
        Category.OPERATIONAL, foreign_key="privacy_rectification.id", index=True
    )
    creditor_id: int = field(Category.OPERATIONAL, foreign_key="creditor.id")
    negotiation_id: str = field(Category.OPERATIONAL, foreign_key="negotiation.id")
    sent_at: datetime | None = field(Category.OPERATIONAL, default=None)
    message_id: str | None = field(Category.OPERATIONAL, default=None, max_length=200)
    acknowledged_at: datetime | None = field(Category.OPERATIONAL, default=None)
    acknowledged_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)


class ErasureNotice(SQLModel, table=True):
    """A creditor that received data of a person since erased (GDPR Art. 19): told to erase
    what it holds unless the law makes it keep it."""

    __tablename__ = "erasure_notice"
    __table_args__ = (UniqueConstraint("request_id", "creditor_id"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    request_id: str = field(Category.OPERATIONAL, foreign_key="privacy_request.id", index=True)
    creditor_id: int = field(Category.OPERATIONAL, foreign_key="creditor.id")
    # The creditor's reference for the case (quoted in the notice).
    negotiation_reference: str = field(Category.OPERATIONAL, max_length=40)
    sent_at: datetime | None = field(Category.OPERATIONAL, default=None)
    message_id: str | None = field(Category.OPERATIONAL, default=None, max_length=200)
