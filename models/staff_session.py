"""Staff sign-ins, kept server-side so that any of them can be ended: a page session (cookie)
or an API token each name one row by the hash of a secret only the holder has."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class SessionKind(StrEnum):
    PAGE = "page"
    API = "api"


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    # SHA-256 of the secret in the cookie or token: a copy of this table opens no session.
    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=64)
    staff_id: int = field(Category.OPERATIONAL, foreign_key="staff_user.id", index=True)
    kind: SessionKind = field(Category.OPERATIONAL, max_length=10)
    created_at: datetime = field(Category.CONNECTION, default_factory=utcnow)
    last_seen_at: datetime = field(Category.CONNECTION, default_factory=utcnow)
    ended_at: datetime | None = field(Category.CONNECTION, default=None)
    # logout, password_changed, deactivated, revoked
    ended_reason: str | None = field(Category.OPERATIONAL, default=None, max_length=30)
