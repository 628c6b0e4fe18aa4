"""keyed audit chain: entry hashes become HMACs under CRAVELYNOS_AUDIT_KEY, the anchor gets a MAC

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 07:45:00

The chain written so far (plain SHA-256, recomputable by anyone who can write the database) is
checked, then re-hashed under the key in one pass. A chain already broken is not re-keyed: the
migration stops and says so, rather than sealing a forgery.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import context, op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def _fields(row: sa.Row) -> str:
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    fields = {
        "seq": row.seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": row.actor,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "reason": row.reason,
        "detail": row.detail,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _key() -> bytes:
    encoded = context.config.attributes.get("audit_key") or ""
    key = base64.b64decode(encoded)
    if len(key) < 32:
        raise RuntimeError("migration 0006 needs CRAVELYNOS_AUDIT_KEY (run `cravelynos migrate`)")
    return key


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anchor_mac", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    bind = op.get_bind()
    head = bind.execute(sa.text("SELECT anchor_seq, anchor_hash FROM audit_head")).first()
    rows = bind.execute(
        sa.text(
            "SELECT seq, at, actor, action, object_type, object_id, reason, detail, prev_hash, "
            "entry_hash FROM audit_entry ORDER BY seq"
        )
    ).all()
    if head is None and not rows:
        return
    key = _key()
    old_prev = head.anchor_hash if head else GENESIS
    new_prev = old_prev
    for row in rows:
        content = _fields(row)
        if row.prev_hash != old_prev or (
            hashlib.sha256((old_prev + content).encode()).hexdigest() != row.entry_hash
        ):
            raise RuntimeError(
                f"audit entry {row.seq} does not match the existing chain: not re-keying a "
                "damaged log (see `cravelynos audit verify` on the previous release)"
            )
        old_prev = row.entry_hash
        new_hash = hmac.new(key, (new_prev + content).encode(), hashlib.sha256).hexdigest()
        bind.execute(
            sa.text("UPDATE audit_entry SET prev_hash = :prev, entry_hash = :hash WHERE seq = :s"),
            {"prev": new_prev, "hash": new_hash, "s": row.seq},
        )
        new_prev = new_hash
    if head is not None:
        # A purged prefix keeps its old anchor hash (its entries are gone): the MAC vouches for it.
        anchor = f"anchor:{head.anchor_seq}:{head.anchor_hash}"
        mac = (
            hmac.new(key, anchor.encode(), hashlib.sha256).hexdigest() if head.anchor_seq else None
        )
        bind.execute(
            sa.text("UPDATE audit_head SET last_hash = :last, anchor_mac = :mac"),
            {"last": new_prev, "mac": mac if head.anchor_seq else None},
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("anchor_mac")
