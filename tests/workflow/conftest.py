"""Workflow tests on the time-skipping test server: 5 years run in seconds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from support.stack import (
    TEMPORAL_TEST_SERVER,
    free_port,
    register_search_attributes,
    smtp_catcher,
)
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.loading import dev_settings
from config.settings import Settings
from models.database import engine_for
from security.codec import make_data_converter


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEMPORAL_TEST_SERVER
    )
    await register_search_attributes(env.client)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def wf_settings(tmp_path: Path) -> Iterator[Settings]:
    """Own database, own key ring, own SMTP catcher (a real aiosmtpd server) per test."""
    port = free_port()
    settings = dev_settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'wf.db'}",
        smtp_port=port,
        task_queue=f"dossiers-{tmp_path.name}",
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with smtp_catcher(settings.mailbox_dir, port):
        yield settings


@pytest.fixture
def wf_client(time_env: WorkflowEnvironment, wf_settings: Settings) -> Client:
    """A client on the test server that encrypts payloads with this test's key ring."""
    return Client(
        time_env.client.service_client,
        namespace=time_env.client.namespace,
        data_converter=make_data_converter(wf_settings),
    )
