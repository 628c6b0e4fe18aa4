"""Append-only audit log, chained by keyed hashes. Opaque identifiers only, never personal data."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    seq: int = field(Category.AUDIT, primary_key=True)
    at: datetime = field(Category.AUDIT, default_factory=utcnow)
    actor: str = field(Category.AUDIT, max_length=60)
    action: str = field(Category.AUDIT, max_length=60)
    object_type: str = field(Category.AUDIT, max_length=40)
    # Indexed: a person's access package lists every entry about their rows.
    object_id: str = field(Category.AUDIT, max_length=100, index=True)
    reason: str = field(Category.AUDIT, default="", max_length=200)
    detail: str = field(Category.AUDIT, default="{}")
    prev_hash: str = field(Category.AUDIT, max_length=64)
    entry_hash: str = field(Category.AUDIT, max_length=64)


class AuditHead(SQLModel, table=True):
    """Single row: the last sequence number and hash, locked by every append (serialises writers).

    After retention removes a prefix, `anchor_seq`/`anchor_hash` name where the kept chain starts.
    """

    __tablename__ = "audit_head"

    id: int = field(Category.OPERATIONAL, primary_key=True, default=1)
    last_seq: int = field(Category.AUDIT, default=0)
    last_hash: str = field(Category.AUDIT, default="0" * 64, max_length=64)
    anchor_seq: int = field(Category.AUDIT, default=0)
    anchor_hash: str = field(Category.AUDIT, default="0" * 64, max_length=64)
    # HMAC of (anchor_seq, anchor_hash) under the audit key: only retention, holding the key,
    # can move the anchor; None while the anchor is the genesis.
    anchor_mac: str | None = field(Category.AUDIT, default=None, max_length=64)


# Where session_scope puts the audit key on every session: the chain is computed with a key the
# database does not hold (CRAVELYNOS_AUDIT_KEY).
AUDIT_KEY_INFO = "cravelynos.audit_key"
