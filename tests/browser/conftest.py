"""Browser fixtures: the real web app under uvicorn, driven by Debian's headless Chromium.

The app runs in a background thread on its own port against a fresh SQLite database. Temporal
points at a port that is bound but never listens, so connecting fails at once: dossier
creation must work anyway (its workflow start waits in the outbox).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import STAFF_EMAIL, STAFF_NAME, LiveApp
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)
from sqlmodel import SQLModel
from support.devserver import serve_web_app
from support.stack import make_staff

import models  # noqa: F401  (registers every table)
from config.loading import dev_settings
from config.settings import Settings
from models.database import engine_for
from models.staff import StaffUser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound (so nobody else takes it) but not listening: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def live_settings(tmp_path: Path, closed_port: int) -> Settings:
    settings = dev_settings(
        tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        temporal_address=f"127.0.0.1:{closed_port}",
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    return settings


@pytest.fixture
def case_worker(live_settings: Settings) -> StaffUser:
    """The person signing in: a case worker of the Paris team."""
    return make_staff(live_settings, email=STAFF_EMAIL, name=STAFF_NAME)


@pytest.fixture
def live_app(live_settings: Settings, case_worker: StaffUser) -> Iterator[LiveApp]:
    with serve_web_app(live_settings) as base_url:
        yield LiveApp(base_url, live_settings)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Script errors, CSP violations, failed subresources: a page that is fine has none.

    A document answered with 4xx (a refused form comes back as 422) is expected and left out,
    and so are loads cancelled by leaving the page.
    """
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            seen.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            seen.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        # Leaving a page cancels what it was still loading (e.g. its icon): not a fault.
        if request.failure != "net::ERR_ABORTED":
            seen.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return seen
