"""Staff accounts: case workers, supervisors, DPO, ops, admins."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class Role(StrEnum):
    CASE_WORKER = "case_worker"
    SUPERVISOR = "supervisor"
    DPO = "dpo"
    OPS = "ops"
    ADMIN = "admin"


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    email: str = field(Category.ACCOUNT, unique=True, index=True, max_length=254)
    display_name: str = field(Category.ACCOUNT, max_length=120)
    role: Role = field(Category.OPERATIONAL, max_length=20)
    team: str = field(Category.OPERATIONAL, default="paris", max_length=40)
    password_hash: str = field(Category.ACCOUNT, max_length=200)
    active: bool = field(Category.OPERATIONAL, default=True)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
