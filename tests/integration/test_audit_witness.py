"""`cravelynos audit verify` against a real Temporal dev server holding the audit witness: each
of the five rewrites found by probing fails, an untouched log passes."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.audit_rewrites import REWRITES
from support.devserver import Stack
from support.stack import run_cli

from gateway.audit_witness import ensure_audit_witness, witness_now, witnessed_checkpoint
from models.database import get_engine, session_scope
from services.audit import append_audit, read_checkpoint


def _sqlite_file(stack: Stack) -> Path:
    return Path(stack.settings.database_url.removeprefix("sqlite:///"))


async def test_verify_consults_the_witness_and_every_rewrite_fails(live_stack: Stack) -> None:
    settings = live_stack.settings
    for number in range(10):
        with session_scope(settings) as session:
            append_audit(
                session,
                actor="system",
                action="client.read",
                object_type="client",
                object_id=f"c{number}",
            )
    await ensure_audit_witness(live_stack.client, settings)
    recorded = await witness_now(live_stack.client)
    with session_scope(settings) as session:
        assert recorded == read_checkpoint(session)
    # Read back as verify does: from the memo, through the frontend only.
    assert await witnessed_checkpoint(live_stack.client) == recorded

    intact = run_cli(settings, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert f"consistent with the witness (entry {recorded.last_seq} recorded)" in intact.stdout

    database = _sqlite_file(live_stack)
    pristine = database.with_suffix(".pristine")
    get_engine(settings).dispose()
    shutil.copyfile(database, pristine)
    for kind, rewrite in REWRITES.items():
        get_engine(settings).dispose()
        shutil.copyfile(pristine, database)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        with session_scope(settings) as session:
            rewrite(session)
        broken = run_cli(settings, "audit", "verify")
        assert broken.returncode == 1, (kind, broken.stdout, broken.stderr)
        assert "audit chain BROKEN" in broken.stderr, kind


async def test_verify_says_when_the_witness_cannot_be_read(live_stack: Stack) -> None:
    settings = live_stack.settings.model_copy(update={"temporal_address": "127.0.0.1:9"})
    unreachable = run_cli(settings, "audit", "verify")
    assert unreachable.returncode == 2
    assert "audit witness unreadable" in unreachable.stderr
    database_only = run_cli(settings, "audit", "verify", "--without-witness")
    assert database_only.returncode == 0, database_only.stderr
    assert "witness not consulted" in database_only.stdout
