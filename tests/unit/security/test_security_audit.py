from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select
from support.audit_rewrites import ATTACKER_KEY, REWRITES

from config.settings import Settings
from domain.audit_checkpoint import AuditCheckpoint
from domain.clock import utcnow
from models.audit import AuditEntry, AuditHead
from models.database import session_scope
from services.audit import (
    GENESIS_HASH,
    AuditReport,
    append_audit,
    compute_entry_hash,
    purge_audit_before,
    read_checkpoint,
    verify_audit_chain,
)


def _append(settings: Settings, count: int, *, first: int = 1) -> None:
    for number in range(first, first + count):
        with session_scope(settings) as session:
            append_audit(
                session,
                actor=f"staff:{number % 3 + 1}",
                action="client.read",
                object_type="client",
                object_id=f"c{number}",
                reason="instruction du dossier",
                detail={"fields": ["email_enc"], "n": number},
            )


def _verify(settings: Settings, witnessed: AuditCheckpoint | None = None) -> AuditReport:
    with session_scope(settings) as session:
        return verify_audit_chain(session, witnessed)


def _entry(session: Session, seq: int) -> AuditEntry:
    return session.exec(select(AuditEntry).where(AuditEntry.seq == seq)).one()


def test_empty_chain_is_valid(db_settings: Settings) -> None:
    report = _verify(db_settings)
    assert report.ok and report.checked == 0 and report.problems == []


def test_appended_chain_verifies(db_settings: Settings) -> None:
    _append(db_settings, 12)
    report = _verify(db_settings)
    assert report.ok, report.problems
    assert (report.checked, report.last_seq, report.anchor_seq) == (12, 12, 0)
    with session_scope(db_settings) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).all()
        head = session.get(AuditHead, 1)
    assert [e.seq for e in entries] == list(range(1, 13))
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert head is not None and head.last_hash == entries[-1].entry_hash


def test_detail_is_canonical_json_with_utc_datetimes(db_settings: Settings) -> None:
    paris_summer = timezone(timedelta(hours=2))
    with session_scope(db_settings) as session:
        entry = append_audit(
            session,
            actor="system",
            action="retention.run",
            object_type="dossier",
            object_id="d1",
            detail={"b": 1, "a": datetime(2025, 6, 1, 12, 0, tzinfo=paris_summer)},
        )
    assert entry.detail == '{"a":"2025-06-01T10:00:00.000000+00:00","b":1}'
    assert _verify(db_settings).ok


def test_rolled_back_append_leaves_no_trace(db_settings: Settings) -> None:
    _append(db_settings, 3)
    with pytest.raises(RuntimeError), session_scope(db_settings) as session:
        append_audit(session, actor="system", action="x", object_type="y", object_id="1")
        append_audit(session, actor="system", action="x", object_type="y", object_id="2")
        raise RuntimeError("the business write failed")
    _append(db_settings, 2, first=4)
    report = _verify(db_settings)
    assert report.ok and report.checked == 5


def _edit_reason(session: Session) -> None:
    entry = _entry(session, 5)
    entry.reason = "autre motif"
    session.add(entry)


def _edit_detail(session: Session) -> None:
    entry = _entry(session, 5)
    entry.detail = '{"fields":["iban_enc"],"n":5}'
    session.add(entry)


def _edit_time(session: Session) -> None:
    entry = _entry(session, 5)
    entry.at = entry.at + timedelta(seconds=1)
    session.add(entry)


def _edit_and_rehash(session: Session) -> None:
    # An attacker who knows the algorithm fixes the entry's own hash: the next link breaks.
    entry = _entry(session, 5)
    entry.actor = "staff:99"
    entry.entry_hash = compute_entry_hash(entry, ATTACKER_KEY)
    session.add(entry)


def _delete_middle(session: Session) -> None:
    session.delete(_entry(session, 5))


def _delete_last(session: Session) -> None:
    session.delete(_entry(session, 10))


def _delete_last_and_fix_head(session: Session) -> None:
    session.delete(_entry(session, 10))
    head = session.get(AuditHead, 1)
    assert head is not None
    head.last_seq = 9
    session.add(head)


def _swap(session: Session) -> None:
    first, second = _entry(session, 4), _entry(session, 5)
    for name in ("at", "actor", "action", "object_type", "object_id", "reason", "detail"):
        a, b = getattr(first, name), getattr(second, name)
        setattr(first, name, b)
        setattr(second, name, a)
    session.add_all([first, second])


def _swap_whole_rows(session: Session) -> None:
    conn = session.connection()
    conn.execute(text("UPDATE audit_entry SET seq = -1 WHERE seq = 4"))
    conn.execute(text("UPDATE audit_entry SET seq = 4 WHERE seq = 5"))
    conn.execute(text("UPDATE audit_entry SET seq = 5 WHERE seq = -1"))


def _insert_at_end(session: Session) -> None:
    last = _entry(session, 10)
    forged = AuditEntry(
        seq=11,
        at=last.at,
        actor="system",
        action="client.read",
        object_type="client",
        object_id="c1",
        prev_hash=last.entry_hash,
        entry_hash="",
    )
    forged.entry_hash = compute_entry_hash(forged, ATTACKER_KEY)
    session.add(forged)


def _insert_in_middle(session: Session) -> None:
    conn = session.connection()
    conn.execute(text("UPDATE audit_entry SET seq = seq + 1000 WHERE seq >= 6"))
    conn.execute(text("UPDATE audit_entry SET seq = seq - 999 WHERE seq >= 1000"))
    before = _entry(session, 5)
    forged = AuditEntry(
        seq=6,
        at=before.at,
        actor="system",
        action="client.export",
        object_type="client",
        object_id="c1",
        prev_hash=before.entry_hash,
        entry_hash="",
    )
    forged.entry_hash = compute_entry_hash(forged, ATTACKER_KEY)
    session.add(forged)
    head = session.get(AuditHead, 1)
    assert head is not None
    head.last_seq = 11
    session.add(head)


def _delete_head(session: Session) -> None:
    conn = session.connection()
    conn.execute(text("DELETE FROM audit_head"))


TAMPERINGS: dict[str, tuple[Callable[[Session], None], str]] = {
    "edited field": (_edit_reason, "entry 5: content does not match"),
    "edited detail": (_edit_detail, "entry 5: content does not match"),
    "edited time": (_edit_time, "entry 5: content does not match"),
    "edited and rehashed": (_edit_and_rehash, "entry 6: previous hash"),
    "deleted in the middle": (_delete_middle, "entries 5..5 missing"),
    "last deleted": (_delete_last, "head says last entry is 10 but the chain ends at 9"),
    "last deleted, head edited": (_delete_last_and_fix_head, "head hash does not match entry 9"),
    "two entries swapped": (_swap, "content does not match"),
    "two rows swapped": (_swap_whole_rows, "previous hash"),
    "inserted at the end": (_insert_at_end, "entries up to 11 exist beyond the head (10)"),
    "inserted in the middle": (_insert_in_middle, "entry 7: previous hash"),
    "head deleted": (_delete_head, "audit head missing but 10 entries exist"),
}


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_tampering_is_detected(db_settings: Settings, kind: str) -> None:
    tamper, expected = TAMPERINGS[kind]
    _append(db_settings, 10)
    assert _verify(db_settings).ok
    with session_scope(db_settings) as session:
        tamper(session)
    report = _verify(db_settings)
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def _cutoff_between(settings: Settings, before: int, after: int) -> datetime:
    _append(settings, before)
    time.sleep(0.01)
    cutoff = utcnow()
    time.sleep(0.01)
    _append(settings, after, first=before + 1)
    return cutoff


def test_purge_removes_a_prefix_and_keeps_the_anchor(db_settings: Settings) -> None:
    cutoff = _cutoff_between(db_settings, 5, 5)
    with session_scope(db_settings) as session:
        anchor_hash = _entry(session, 5).entry_hash
        assert purge_audit_before(session, cutoff) == 5
    with session_scope(db_settings) as session:
        head = session.get(AuditHead, 1)
        remaining = session.exec(select(AuditEntry.seq).order_by(col(AuditEntry.seq))).all()
    assert head is not None and (head.anchor_seq, head.anchor_hash) == (5, anchor_hash)
    assert list(remaining) == [6, 7, 8, 9, 10]

    report = _verify(db_settings)
    assert report.ok, report.problems
    assert (report.checked, report.anchor_seq) == (5, 5)

    _append(db_settings, 2, first=11)
    assert _verify(db_settings).checked == 7
    with session_scope(db_settings) as session:
        assert purge_audit_before(session, cutoff) == 0

    # The anchor still protects the first kept entry.
    with session_scope(db_settings) as session:
        session.delete(_entry(session, 6))
    report = _verify(db_settings)
    assert not report.ok and "entries 6..6 missing" in report.problems[0]


def test_purge_everything_then_continue(db_settings: Settings) -> None:
    _append(db_settings, 4)
    with session_scope(db_settings) as session:
        assert purge_audit_before(session, utcnow() + timedelta(days=1)) == 4
    report = _verify(db_settings)
    assert report.ok and report.checked == 0 and report.anchor_seq == 4
    _append(db_settings, 2, first=5)
    report = _verify(db_settings)
    assert report.ok and report.checked == 2


def test_purge_accepts_naive_and_aware_cutoffs(db_settings: Settings) -> None:
    cutoff = _cutoff_between(db_settings, 2, 2)
    with session_scope(db_settings) as session:
        assert purge_audit_before(session, cutoff.astimezone(UTC).replace(tzinfo=None)) == 2
    assert _verify(db_settings).ok


def test_concurrent_appends_keep_one_valid_chain(db_settings: Settings) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(worker: int) -> None:
        try:
            start.wait()
            for number in range(25):
                with session_scope(db_settings) as session:
                    append_audit(
                        session,
                        actor=f"staff:{worker}",
                        action="client.read",
                        object_type="client",
                        object_id=f"w{worker}-{number}",
                    )
        except BaseException as exc:  # collected and re-raised by the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = _verify(db_settings)
    assert report.ok, report.problems
    assert report.checked == 100 and report.last_seq == 100
    with session_scope(db_settings) as session:
        ids = session.exec(select(AuditEntry.object_id)).all()
    assert len(set(ids)) == 100


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actor": "jean.dupont@example.fr"}, "actor must be"),
        ({"actor": "staff:"}, "actor must be"),
        ({"reason": "x" * 201}, "reason longer than 200"),
        ({"object_id": "x" * 101}, "object_id longer than 100"),
        ({"action": ""}, "required"),
        ({"detail": {"blob": b"bytes"}}, "not JSON"),
    ],
)
def test_invalid_entries_are_refused(
    settings: Settings, overrides: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "actor": "client:c1",
        "action": "consent.revoke",
        "object_type": "consent",
        "object_id": "k1",
    }
    values.update(overrides)
    with session_scope(settings) as session, pytest.raises((ValueError, TypeError), match=message):
        append_audit(session, **values)  # type: ignore[arg-type]
    assert _verify(settings).checked == 0


@pytest.mark.parametrize("kind", list(REWRITES))
def test_every_rewrite_fails_verification(db_settings: Settings, kind: str) -> None:
    _append(db_settings, 10)
    with session_scope(db_settings) as session:
        witnessed = read_checkpoint(session)  # what the witness recorded last
    assert _verify(db_settings, witnessed).ok
    with session_scope(db_settings) as session:
        REWRITES[kind](session)
    report = _verify(db_settings, witnessed)
    assert not report.ok, kind
    assert report.problems


def test_a_chain_shortened_by_retention_only_verifies_against_an_older_witness(
    db_settings: Settings,
) -> None:
    cutoff = _cutoff_between(db_settings, 5, 5)
    with session_scope(db_settings) as session:
        witnessed_early = AuditCheckpoint(3, _entry(session, 3).entry_hash)
        witnessed_late = read_checkpoint(session)
        assert purge_audit_before(session, cutoff) == 5
    assert _verify(db_settings, witnessed_early).ok
    report = _verify(db_settings, witnessed_late)
    assert report.ok, report.problems


def test_the_hashes_need_the_key(db_settings: Settings) -> None:
    _append(db_settings, 3)
    other = db_settings.model_copy(
        update={"audit_key": "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktISE="}
    )
    report = _verify(other)
    assert not report.ok
    assert "entry 1: content does not match its hash" in report.problems
