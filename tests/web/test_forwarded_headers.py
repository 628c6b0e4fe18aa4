"""The address every rate limit counts by cannot be picked by the client: X-Forwarded-For is
believed only from the proxies named in CRAVELYNOS_TRUSTED_PROXIES (a real uvicorn server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI, Request
from support.stack import free_port

from config.loading import dev_settings
from web.deps import client_ip
from web.serving import server_options


def _echo_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ip")
    def ip(request: Request) -> str:
        return client_ip(request)

    return app


@contextmanager
def _served(data_dir: Path, trusted_proxies: str) -> Iterator[str]:
    settings = dev_settings(data_dir, web_port=free_port(), trusted_proxies=trusted_proxies)
    server = uvicorn.Server(
        uvicorn.Config(_echo_app(), **server_options(settings), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{settings.web_port}/ip"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(tmp_path: Path) -> None:
    with _served(tmp_path, "") as url:
        answer = httpx.get(url, headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.json() == "127.0.0.1"


def test_a_configured_proxy_names_the_client(tmp_path: Path) -> None:
    with _served(tmp_path, "127.0.0.1") as url:
        answer = httpx.get(url, headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.json() == "203.0.113.9"
