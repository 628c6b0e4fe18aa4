"""Single-use links that let a staff member choose a password: a forgotten-password reset or
the invitation of a new account. Only the SHA-256 of the link's secret is kept, with its expiry
and the moment it was used."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class LinkPurpose(StrEnum):
    RESET = "reset"
    INVITATION = "invitation"


class StaffAccountLink(SQLModel, table=True):
    __tablename__ = "staff_account_link"

    # SHA-256 of the secret in the emailed link: a copy of this table opens nothing.
    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=64)
    staff_id: int = field(Category.OPERATIONAL, foreign_key="staff_user.id", index=True)
    purpose: LinkPurpose = field(Category.OPERATIONAL, max_length=20)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    expires_at: datetime = field(Category.OPERATIONAL)
    used_at: datetime | None = field(Category.OPERATIONAL, default=None)
    # "staff:<id>" of the admin who sent an invitation, "system" for a reset asked by the person.
    created_by: str = field(Category.OPERATIONAL, max_length=60)
