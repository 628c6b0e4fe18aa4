"""Intake requests already served: a retried creation (the same Idempotency-Key, or the same
form submitted again) finds its dossier here instead of making a second one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class IntakeRequest(SQLModel, table=True):
    __tablename__ = "intake_request"

    # Keyed hash of (staff account, key): the same key from another account is another request.
    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=64)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    # Keyed hash of what was asked: the same key reused for another intake is refused.
    fingerprint: str = field(Category.OPERATIONAL, max_length=64)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
