"""The information email of a breach to 1,000 affected people through a real SMTP server, the
worker killed (SIGKILL) in the middle and started again: no one is missed, and no one is
emailed twice except within the SMTP protocol's own window (accepted by the server, killed
before the outbox row was marked sent) — which this test measures and prints."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlmodel import SQLModel
from support.breaches import (
    assess,
    breach_row,
    close,
    declare_breach,
    inform,
    notify_cnil,
    scope_clients,
    start_breach,
)
from support.devserver import start_dev_server
from support.privacy import make_dpo
from support.stack import (
    VENV_BIN,
    cli_env,
    free_port,
    intake,
    make_dossier,
    make_staff,
    smtp_catcher,
)

from config.loading import dev_settings
from domain.breach.rules import RiskLevel
from domain.clock import utcnow
from models.database import engine_for, session_scope
from models.outbox import WorkflowStartIntent
from security.codec import make_data_converter

pytestmark = pytest.mark.devserver

PEOPLE = 1000
KILL_AFTER = 250
# Informing paced so that the kill lands mid-way, with several connections at once.
RATE = "150"
CONCURRENCY = 8


def _received(mailbox: Path) -> dict[str, list[str]]:
    """Recipient -> the Message-IDs of the breach information they received."""
    received: dict[str, list[str]] = {}
    for path in mailbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=default)
        if "sécurité de vos données" in str(message["Subject"]):
            received.setdefault(str(message["To"]), []).append(str(message["Message-ID"]))
    return received


def _worker(settings_env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(VENV_BIN / "cravelynos"), "worker"],
        env=settings_env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


async def _wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_killed_worker_misses_no_one_and_emails_no_one_twice(tmp_path: Path) -> None:
    port = free_port()
    base = dev_settings(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'crash.db'}",
        smtp_port=port,
        task_queue=f"breach-crash-{tmp_path.name}",
    )
    env = await start_dev_server(make_data_converter(base))
    settings = base.model_copy(
        update={"temporal_address": env.client.service_client.config.target_host}
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    make_dpo(settings)
    staff = make_staff(settings)
    for n in range(PEOPLE):
        make_dossier(settings, staff, intake(email=f"personne.{n:04d}@crash.example"))
    with session_scope(settings) as session:
        # The people only: their dossiers' own workflows (and acknowledgements) are not this
        # test's, and the worker's relay would start them all.
        session.execute(delete(WorkflowStartIntent))
    worker_env = cli_env(
        settings,
        CRAVELYNOS_MODE="dev",
        CRAVELYNOS_BREACH_EMAILS_PER_SECOND=RATE,
        CRAVELYNOS_BREACH_EMAIL_CONCURRENCY=str(CONCURRENCY),
    )
    mailbox = settings.mailbox_dir
    log = tmp_path / "worker.log"
    worker = _worker(worker_env, log)
    try:
        with smtp_catcher(mailbox, port):
            now = utcnow()
            row = declare_breach(settings, now, now)
            handle = await start_breach(env.client, settings, row)
            assert await scope_clients(settings, handle, row.id, now) == PEOPLE
            await assess(settings, handle, row.id, RiskLevel.HIGH, now)
            await notify_cnil(settings, handle, row.id, now)
            started = time.monotonic()
            await inform(settings, handle, row.id)
            # Counting files, not parsing them: the catcher shares this process.
            await _wait_for(lambda: len(list(mailbox.glob("*.eml"))) >= KILL_AFTER, 60, "the first")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            killed_at = len(list(mailbox.glob("*.eml")))
            assert killed_at < PEOPLE, "the kill came too late to mean anything"
            worker = _worker(worker_env, log)
            await _wait_for(
                lambda: breach_row(settings, row.id).informed_at is not None, 180, "the rest"
            )
            elapsed = time.monotonic() - started
            received = _received(mailbox)
            expected = {f"personne.{n:04d}@crash.example" for n in range(PEOPLE)}
            assert set(received) == expected, "someone was missed"
            twice = {to: ids for to, ids in received.items() if len(ids) > 1}
            # A second copy is the same message (same Message-ID), sent again only when the
            # kill fell between the server's acceptance and our record of it: at most the
            # messages in flight at that moment.
            assert all(len(ids) == 2 and ids[0] == ids[1] for ids in twice.values()), twice
            assert len(twice) <= CONCURRENCY, twice
            print(
                f"\n{PEOPLE} people informed in {elapsed:.1f} s; worker killed after "
                f"{killed_at} messages; received twice within the SMTP window: {len(twice)}"
            )
            assert await close(settings, handle, row.id) == "closed"
            await handle.result()
    finally:
        worker.kill()
        worker.wait(timeout=10)
        await env.shutdown()
