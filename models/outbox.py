"""Outboxes: emails to send exactly once, workflows to start after a commit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(SQLModel, table=True):
    """One row per logical message; the idempotency key makes a retried activity find it."""

    __tablename__ = "email_outbox"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    idempotency_key: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    message_id: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    client_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="client.id", index=True
    )
    dossier_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="dossier.id", index=True
    )
    template: str = field(Category.CORRESPONDENCE, max_length=60)
    recipient_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    subject_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    text_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    html_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    # JSON array of document ids attached to the message (decrypted from the store at send time).
    attachment_document_ids: str | None = field(Category.OPERATIONAL, default=None)
    status: EmailStatus = field(Category.OPERATIONAL, default=EmailStatus.QUEUED, max_length=10)
    attempts: int = field(Category.OPERATIONAL, default=0)
    last_error: str | None = field(Category.OPERATIONAL, default=None, max_length=500)
    created_at: datetime = field(Category.CORRESPONDENCE, default_factory=utcnow)
    sent_at: datetime | None = field(Category.CORRESPONDENCE, default=None)


class WorkflowStartIntent(SQLModel, table=True):
    """Written in the transaction of the data: an acknowledged intake always gets its workflow."""

    __tablename__ = "workflow_start_intent"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    workflow_id: str = field(Category.OPERATIONAL, unique=True, max_length=100)
    workflow_type: str = field(Category.OPERATIONAL, max_length=60)
    # JSON of the workflow's input dataclass: opaque identifiers only.
    argument_json: str = field(Category.OPERATIONAL)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    started_at: datetime | None = field(Category.OPERATIONAL, default=None, index=True)
    attempts: int = field(Category.OPERATIONAL, default=0)
    last_error: str | None = field(Category.OPERATIONAL, default=None, max_length=500)
