"""Dossiers and what hangs off them: creditors, expected documents, timeline.

The dossier row is also the read model of its workflow: activities keep `stage`,
`next_deadline` and the timeline current; the pages read them from here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import SQLModel

from domain.clock import utcnow
from domain.dossier_stages import CreditorKind, DocumentKind, Outcome, Stage
from domain.workflow_ids import dossier_workflow_id
from models.categories import Category, field


class Dossier(SQLModel, table=True):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_stage_created", "stage", "created_at"),
        Index("ix_dossier_assignee_created", "assignee_id", "created_at"),
    )

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    reference: str = field(Category.OPERATIONAL, unique=True, max_length=20)
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    assignee_id: int = field(Category.OPERATIONAL, foreign_key="staff_user.id")
    team: str = field(Category.OPERATIONAL, max_length=40)
    stage: Stage = field(Category.NEGOTIATION_HISTORY, default=Stage.INTAKE, max_length=30)
    outcome: Outcome | None = field(Category.NEGOTIATION_HISTORY, default=None, max_length=40)
    closure_note_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow, index=True)
    closed_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    next_deadline: datetime | None = field(Category.OPERATIONAL, default=None)
    next_deadline_label: str | None = field(Category.OPERATIONAL, default=None, max_length=120)
    legal_hold: bool = field(Category.NEGOTIATION_HISTORY, default=False)
    legal_hold_reason_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    updated_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)

    @property
    def workflow_id(self) -> str:
        return dossier_workflow_id(self.id)


class DossierCreditor(SQLModel, table=True):
    __tablename__ = "dossier_creditor"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    name: str = field(Category.NEGOTIATION_HISTORY, max_length=120)
    kind: CreditorKind = field(Category.NEGOTIATION_HISTORY, max_length=30)
    # The client's account or contract number with this creditor.
    account_reference_enc: str | None = field(Category.FINANCIAL, default=None)
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )


class ExpectedDocument(SQLModel, table=True):
    __tablename__ = "expected_document"
    __table_args__ = (UniqueConstraint("dossier_id", "kind"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    kind: DocumentKind = field(Category.DOCUMENTS, max_length=30)
    received_at: datetime | None = field(Category.DOCUMENTS, default=None)


class TimelineEvent(SQLModel, table=True):
    """What happened to a dossier, in words a case worker reads; never personal data."""

    __tablename__ = "timeline_event"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    at: datetime = field(Category.NEGOTIATION_HISTORY, default_factory=utcnow)
    kind: str = field(Category.NEGOTIATION_HISTORY, max_length=40)
    summary: str = field(Category.NEGOTIATION_HISTORY, max_length=300)
    actor: str = field(Category.OPERATIONAL, max_length=60, default="system")
    # The negotiation this event belongs to, if any (the page names its creditor).
    negotiation_id: str | None = field(
        Category.OPERATIONAL, default=None, max_length=32, index=True
    )
    # Set by activities so a retried activity does not write the event twice.
    idempotency_key: str | None = field(
        Category.OPERATIONAL, default=None, unique=True, max_length=200
    )
