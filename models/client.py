"""Clients: personal fields encrypted under the client's own data key (crypto-shredding)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from domain.contact_fields import ContactChannel
from models.categories import Category, field


class Client(SQLModel, table=True):
    __tablename__ = "client"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    # The client's data key, wrapped by the master key ring; None once erased (crypto-shredded).
    wrapped_key: str | None = field(Category.ACCOUNT, default=None, max_length=200)
    first_name_enc: str | None = field(Category.ACCOUNT, default=None)
    last_name_enc: str | None = field(Category.ACCOUNT, default=None)
    email_enc: str | None = field(Category.ACCOUNT, default=None)
    phone_enc: str | None = field(Category.ACCOUNT, default=None)
    address_enc: str | None = field(Category.ACCOUNT, default=None)
    # Keyed blind indexes (HMAC) for exact-match lookups on encrypted values.
    email_bidx: str | None = field(Category.ACCOUNT, default=None, index=True, max_length=64)
    last_name_bidx: str | None = field(Category.ACCOUNT, default=None, index=True, max_length=64)
    # Coarse location kept for statistics; never enough to identify a person on its own.
    departement: str = field(Category.ACCOUNT, max_length=3)
    preferred_channel: ContactChannel = field(Category.ACCOUNT, default=ContactChannel.EMAIL)
    progress_emails: bool = field(Category.ACCOUNT, default=True)
    marketing_emails: bool = field(Category.ACCOUNT, default=False)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    erased_at: datetime | None = field(Category.OPERATIONAL, default=None)
    # A restriction of processing (GDPR Art. 18): while set, the data is only stored; nothing
    # shares, contacts or processes it (services/privacy_requests/restriction.py).
    restricted_since: datetime | None = field(Category.OPERATIONAL, default=None)
    restricted_by: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
