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


# How the pages name each role.
ROLE_LABELS_FR: dict[Role, str] = {
    Role.CASE_WORKER: "Conseiller",
    Role.SUPERVISOR: "Superviseur",
    Role.DPO: "Délégué à la protection des données",
    Role.OPS: "Exploitation",
    Role.ADMIN: "Administrateur",
}


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
    # The account's own data key (wrapped), made when a first email to it is queued: the
    # outbox keeps every message encrypted under a key of the person it is about.
    wrapped_key: str | None = field(Category.ACCOUNT, default=None, max_length=200)
