"""The real app on a test's Temporal server, for tests that drive workflows through pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from web.app import create_app


@asynccontextmanager
async def live_web(
    settings: Settings, env: WorkflowEnvironment
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (create_app, same database and keys) on the same Temporal server, served
    on this event loop: the worker runs here too, and a blocking HTTP client would starve it."""
    target = env.client.service_client.config.target_host
    app = create_app(settings.model_copy(update={"temporal_address": target}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
