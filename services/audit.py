"""Tamper-evident audit log: each entry is hashed together with the previous entry's hash,
under a key the database does not hold.

entry_hash = HMAC-SHA256(audit key, prev_hash + canonical JSON of the entry's fields, sequence
number included). Editing, deleting, reordering or inserting entries breaks the chain, and
without the key (CRAVELYNOS_AUDIT_KEY) nobody can recompute it. The single AuditHead row records
the last sequence number and hash. Retention removes a whole prefix only and keeps the hash it
ended on as the anchor the remaining chain starts from, authenticated by its own HMAC.

What the database alone cannot show is its own end cut off (the last entries deleted and the
head moved back) or everything wiped: the audit witness (workflows/audit_witness.py) records
the head in Temporal at intervals, and verification checks the log against that record.

Appends lock the head row, which serialises writers (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite every transaction is BEGIN IMMEDIATE, see models/database.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from domain.audit_checkpoint import AuditCheckpoint
from domain.clock import as_utc, utcnow
from domain.errors import CravelynosError
from models.audit import AUDIT_KEY_INFO, AuditEntry, AuditHead

HEAD_ID = 1
GENESIS_HASH = "0" * 64
MAX_REPORTED_PROBLEMS = 50
_ACTOR_PATTERN = re.compile(r"^(system|staff:[A-Za-z0-9_-]+|client:[A-Za-z0-9_-]+)$")
_ENTRY_COLUMNS = tuple(AuditEntry.__table__.columns)  # type: ignore[attr-defined]
_LIMITS = {"actor": 60, "action": 60, "object_type": 40, "object_id": 100, "reason": 200}


class AuditChainError(CravelynosError):
    """The chain is damaged where an operation needs it intact (e.g. the purge anchor)."""


@dataclass
class AuditReport:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    anchor_seq: int = 0
    last_seq: int = 0


def _json_default(value: Any) -> str:
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"audit detail value of type {type(value).__name__} is not JSON")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_json_default
    )


class _EntryFields(Protocol):
    """An AuditEntry or a row of its columns: verification reads rows, not ORM objects."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def entry_hash(self) -> str: ...


def audit_key(session: Session) -> bytes:
    """The key session_scope put on this session; AuditChainError if there is none."""
    encoded = session.info.get(AUDIT_KEY_INFO)
    try:
        key = base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) < 32:
        raise AuditChainError("CRAVELYNOS_AUDIT_KEY must be 32 random bytes in base64")
    return key


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def anchor_mac(key: bytes, anchor_seq: int, anchor_hash: str) -> str:
    return _mac(key, f"anchor:{anchor_seq}:{anchor_hash}")


def compute_entry_hash(entry: _EntryFields, key: bytes) -> str:
    fields = {
        "seq": entry.seq,
        "at": as_utc(entry.at).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "detail": entry.detail,
    }
    return _mac(key, entry.prev_hash + canonical_json(fields))


def _lock_head(session: Session) -> AuditHead:
    """The head row, locked until the transaction ends; created on first use."""
    statement = (
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.exec(statement).first()
    if head is not None:
        return head
    # ON CONFLICT DO NOTHING: two first writers racing to create the head must not fail.
    dialect = session.get_bind().dialect.name
    values = {
        "id": HEAD_ID,
        "last_seq": 0,
        "last_hash": GENESIS_HASH,
        "anchor_seq": 0,
        "anchor_hash": GENESIS_HASH,
    }
    if dialect == "postgresql":
        session.exec(pg_insert(AuditHead).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.exec(sqlite_insert(AuditHead).values(values).on_conflict_do_nothing())
    else:
        raise NotImplementedError(f"audit log does not support the {dialect} dialect")
    return session.exec(statement).one()


def append_audit(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    *,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction: who (`actor`) did what (`action`, e.g.
    "document.read") to which object (`object_type`, `object_id`). Opaque identifiers, never
    personal data."""
    values = {
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
    }
    for name, value in values.items():
        if len(value) > _LIMITS[name]:
            raise ValueError(f"audit {name} longer than {_LIMITS[name]} characters")
    if not _ACTOR_PATTERN.match(actor):
        raise ValueError(f"audit actor must be 'system', 'staff:<id>' or 'client:<id>': {actor!r}")
    if not action or not object_type:
        raise ValueError("audit action and object_type are required")
    detail_json = canonical_json(detail or {})

    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=utcnow(),
        detail=detail_json,
        prev_hash=head.last_hash,
        entry_hash="",
        **values,
    )
    entry.entry_hash = compute_entry_hash(entry, audit_key(session))
    session.add(entry)
    head.last_seq = entry.seq
    head.last_hash = entry.entry_hash
    session.add(head)
    session.flush()
    return entry


def audit_client_data_read(
    session: Session, actor: str, client_id: str, reason: str, **detail: Any
) -> AuditEntry:
    """A read of a client's personal data (a page, an email, a message to a creditor)."""
    return append_audit(
        session, actor, "client.read", "client", client_id, reason=reason, detail=detail
    )


def read_checkpoint(session: Session) -> AuditCheckpoint:
    """The head as it stands (what the witness records)."""
    head = session.exec(select(AuditHead).where(AuditHead.id == HEAD_ID)).first()
    if head is None:
        return AuditCheckpoint(0, GENESIS_HASH)
    return AuditCheckpoint(head.last_seq, head.last_hash)


def verify_audit_chain(session: Session, witnessed: AuditCheckpoint | None = None) -> AuditReport:
    """Check every entry against its predecessor, the key, the head and what the witness last
    recorded (if given). Takes no lock: appends go on."""
    key = audit_key(session)
    head = session.exec(select(AuditHead).where(AuditHead.id == HEAD_ID)).first()
    if head is None:
        count = session.exec(select(func.count()).select_from(AuditEntry)).one()
        missing = [] if count == 0 else [f"audit head missing but {count} entries exist"]
        if witnessed is not None and witnessed.last_seq > 0:
            missing.append(f"the witness recorded {witnessed.last_seq} entries; the log holds none")
        return AuditReport(ok=not missing, checked=0, problems=missing)

    problems: list[str] = []
    anchor_seq, anchor_hash = head.anchor_seq, head.anchor_hash
    if anchor_seq == 0:
        if anchor_hash != GENESIS_HASH:
            problems.append("the anchor of an unpurged log is not the genesis hash")
    elif not hmac.compare_digest(head.anchor_mac or "", anchor_mac(key, anchor_seq, anchor_hash)):
        problems.append(
            f"the anchor (entry {anchor_seq}) was not set by retention: its key check fails"
        )
    last_seq, last_hash = head.last_seq, head.last_hash
    expected_seq, expected_prev = anchor_seq + 1, anchor_hash
    checked = 0

    early = session.exec(
        select(func.count()).select_from(AuditEntry).where(col(AuditEntry.seq) <= anchor_seq)
    ).one()
    if early:
        problems.append(f"{early} entries at or before the anchor (seq {anchor_seq})")

    # Only entries up to the head read above: later ones may be appends committed meanwhile.
    # Plain rows rather than ORM objects keep memory flat on a long chain.
    entries = session.exec(
        select(*_ENTRY_COLUMNS)
        .where(col(AuditEntry.seq) > anchor_seq, col(AuditEntry.seq) <= last_seq)
        .order_by(col(AuditEntry.seq))
        .execution_options(yield_per=1000)
    )
    for entry in entries:
        checked += 1
        if entry.seq != expected_seq:
            problems.append(f"entries {expected_seq}..{entry.seq - 1} missing")
        if entry.prev_hash != expected_prev:
            problems.append(f"entry {entry.seq}: previous hash does not match the chain")
        if not hmac.compare_digest(compute_entry_hash(entry, key), entry.entry_hash):
            problems.append(f"entry {entry.seq}: content does not match its hash")
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash

    if expected_seq - 1 != last_seq:
        problems.append(
            f"head says last entry is {last_seq} but the chain ends at {expected_seq - 1}"
        )
    elif expected_prev != last_hash:
        problems.append(f"head hash does not match entry {last_seq}")

    problems.extend(_entries_beyond_head(session, last_seq))
    if witnessed is not None:
        problems.extend(_against_witness(session, anchor_seq, last_seq, witnessed))
    return AuditReport(
        ok=not problems,
        checked=checked,
        problems=_capped(problems),
        anchor_seq=anchor_seq,
        last_seq=last_seq,
    )


def _entries_beyond_head(session: Session, last_seq: int) -> list[str]:
    # Read the entries first, then the head again: a genuine append commits its entry and the
    # head together, so any entry seen here that the fresh head does not cover was forged.
    beyond = session.exec(
        select(func.max(AuditEntry.seq)).where(col(AuditEntry.seq) > last_seq)
    ).one()
    if beyond is None:
        return []
    fresh = session.exec(select(AuditHead.last_seq).where(AuditHead.id == HEAD_ID)).one()
    if beyond > fresh:
        return [f"entries up to {beyond} exist beyond the head ({fresh})"]
    return []


def _against_witness(
    session: Session, anchor_seq: int, last_seq: int, witnessed: AuditCheckpoint
) -> list[str]:
    """The log must still hold the entry the witness last saw, unchanged (or retention, whose
    anchor is key-checked, has removed it)."""
    if witnessed.last_seq == 0 or witnessed.last_seq <= anchor_seq:
        return []
    if witnessed.last_seq > last_seq:
        return [
            f"the witness recorded entry {witnessed.last_seq} but the log ends at {last_seq}: "
            "its newest entries were removed"
        ]
    stored = session.exec(
        select(AuditEntry.entry_hash).where(AuditEntry.seq == witnessed.last_seq)
    ).first()
    if stored != witnessed.last_hash:
        return [f"entry {witnessed.last_seq} differs from what the witness recorded"]
    return []


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_REPORTED_PROBLEMS:
        return problems
    extra = len(problems) - MAX_REPORTED_PROBLEMS
    return [*problems[:MAX_REPORTED_PROBLEMS], f"... and {extra} more problems"]


def purge_audit_before(session: Session, cutoff: datetime) -> int:
    """Delete the oldest entries older than `cutoff`, as one prefix; returns how many went."""
    head = _lock_head(session)
    first_kept = session.exec(
        select(func.min(AuditEntry.seq)).where(
            col(AuditEntry.seq) > head.anchor_seq, col(AuditEntry.at) >= as_utc(cutoff)
        )
    ).one()
    # Stop at the first entry to keep, even if a later one has an older (out-of-order) time:
    # a hole in the middle of the chain would be indistinguishable from a deletion.
    end = head.last_seq if first_kept is None else first_kept - 1
    if end <= head.anchor_seq:
        return 0
    new_anchor_hash = session.exec(
        select(AuditEntry.entry_hash).where(AuditEntry.seq == end)
    ).first()
    if new_anchor_hash is None:
        raise AuditChainError(f"audit entry {end} is missing: cannot anchor the chain on it")
    result = session.exec(delete(AuditEntry).where(col(AuditEntry.seq) <= end))
    head.anchor_seq = end
    head.anchor_hash = new_anchor_hash
    head.anchor_mac = anchor_mac(audit_key(session), end, new_anchor_hash)
    session.add(head)
    session.flush()
    return int(result.rowcount or 0)
