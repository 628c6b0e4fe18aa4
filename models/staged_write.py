"""Staged writes (domain/staged_writes.py): the rows a staff action wrote for a workflow to
accept. Rows of other tables point here through `staged_write_id` while they are inert."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class StagedWrite(SQLModel, table=True):
    __tablename__ = "staged_write"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    # The negotiation whose workflow must accept it (None: the dossier's workflow).
    negotiation_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    kind: str = field(Category.OPERATIONAL, max_length=30)
    # A reason or a note, encrypted under the client's key for its target column; cleared once
    # copied there.
    text_enc: str | None = field(Category.NEGOTIATION_HISTORY, default=None)
    created_by: str = field(Category.OPERATIONAL, max_length=60)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    applied_at: datetime | None = field(Category.OPERATIONAL, default=None)
