"""The creditor directory: who the company negotiates with and how to reach them.

Business contact data, not a client's: it is kept in clear and outlives the dossiers.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from domain.labelled_enum import LabelledEnum
from models.categories import Category, field


class CreditorChannel(LabelledEnum):
    EMAIL = "email", "E-mail"
    POST = "post", "Courrier postal"


CREDITOR_CHANNEL_LABELS_FR = CreditorChannel.labels()


class Creditor(SQLModel, table=True):
    __tablename__ = "creditor"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    name: str = field(Category.OPERATIONAL, unique=True, max_length=120)
    # A domain.dossier_stages.CreditorKind value.
    kind: str = field(Category.OPERATIONAL, max_length=30)
    # A CreditorChannel value: how our messages reach this creditor.
    contact_channel: str = field(Category.OPERATIONAL, max_length=10)
    contact_email: str | None = field(Category.OPERATIONAL, default=None, max_length=254)
    postal_address: str | None = field(Category.OPERATIONAL, default=None, max_length=500)
    ombudsman_name: str | None = field(Category.OPERATIONAL, default=None, max_length=120)
    ombudsman_contact: str | None = field(Category.OPERATIONAL, default=None, max_length=500)
    # Demo and sample rows are flagged so nobody mistakes them for real contacts.
    sample: bool = field(Category.OPERATIONAL, default=False)
    active: bool = field(Category.OPERATIONAL, default=True)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    updated_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
