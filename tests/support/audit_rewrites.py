"""The five ways the audit log was rewritten when probed, by someone who can write the database
and has read services/audit.py but does not hold CRAVELYNOS_AUDIT_KEY."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session, col, select

from models.audit import AuditEntry
from services.audit import GENESIS_HASH, compute_entry_hash

# Any key but the right one.
ATTACKER_KEY = b"not-the-audit-key-but-32-bytes!!"


def _entry(session: Session, seq: int) -> AuditEntry:
    return session.exec(select(AuditEntry).where(AuditEntry.seq == seq)).one()


def _rehash_from(session: Session, seq: int) -> None:
    """Recompute every hash from `seq` on, as someone who read this module but lacks the key
    would, and point the head at the result."""
    conn = session.connection()
    rows = session.exec(
        select(AuditEntry).where(AuditEntry.seq >= seq).order_by(col(AuditEntry.seq))
    ).all()
    prev = _entry(session, seq - 1).entry_hash if seq > 1 else GENESIS_HASH
    last = None
    for row in rows:
        row.prev_hash = prev
        row.entry_hash = compute_entry_hash(row, ATTACKER_KEY)
        prev, last = row.entry_hash, row
        session.add(row)
    session.flush()
    if last is not None:
        conn.execute(
            text("UPDATE audit_head SET last_seq = :s, last_hash = :h"),
            {"s": last.seq, "h": last.entry_hash},
        )


def _rewrite_edit_and_recompute(session: Session) -> None:
    entry = _entry(session, 5)
    entry.actor = "staff:99"
    session.add(entry)
    _rehash_from(session, 5)


def _rewrite_delete_last_adjust_head(session: Session) -> None:
    before = _entry(session, 9)
    session.delete(_entry(session, 10))
    session.flush()
    session.connection().execute(
        text("UPDATE audit_head SET last_seq = 9, last_hash = :h"), {"h": before.entry_hash}
    )


def _rewrite_delete_and_renumber(session: Session) -> None:
    conn = session.connection()
    conn.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    conn.execute(text("UPDATE audit_entry SET seq = seq - 1 WHERE seq > 5"))
    session.expire_all()
    _rehash_from(session, 5)


def _rewrite_drop_oldest_move_anchor(session: Session) -> None:
    anchor = _entry(session, 3)
    conn = session.connection()
    conn.execute(text("DELETE FROM audit_entry WHERE seq <= 3"))
    conn.execute(
        text("UPDATE audit_head SET anchor_seq = 3, anchor_hash = :h"), {"h": anchor.entry_hash}
    )


def _rewrite_wipe_everything(session: Session) -> None:
    conn = session.connection()
    conn.execute(text("DELETE FROM audit_entry"))
    conn.execute(text("DELETE FROM audit_head"))


REWRITES: dict[str, Callable[[Session], None]] = {
    "edit a row and recompute the hashes": _rewrite_edit_and_recompute,
    "delete the last row and adjust the head": _rewrite_delete_last_adjust_head,
    "delete a row and renumber": _rewrite_delete_and_renumber,
    "drop the oldest rows and move the anchor": _rewrite_drop_oldest_move_anchor,
    "wipe everything": _rewrite_wipe_everything,
}
