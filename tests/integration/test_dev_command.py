"""`cravelynos dev` (what `make run` starts): everything up, Ctrl-C stops it all, state resumes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from support.stack import TEMPORAL_CLI, VENV_BIN, free_port

pytestmark = pytest.mark.devserver

BANNER = "Cravelynos is running"


def _env(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAVELYNOS_")}
    env.update(
        CRAVELYNOS_DATA_DIR=str(data_dir),
        CRAVELYNOS_WEB_PORT=str(ports["web"]),
        CRAVELYNOS_PUBLIC_BASE_URL=f"http://127.0.0.1:{ports['web']}",
        CRAVELYNOS_TEMPORAL_ADDRESS=f"127.0.0.1:{ports['temporal']}",
        CRAVELYNOS_TEMPORAL_UI_URL=f"http://127.0.0.1:{ports['ui']}",
        CRAVELYNOS_SMTP_PORT=str(ports["smtp"]),
    )
    return env


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    process = subprocess.Popen(
        [str(VENV_BIN / "cravelynos"), "dev"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if BANNER in output and "Sign in as" in output:
            return process, output
        assert process.poll() is None, output
        time.sleep(0.2)
    process.kill()
    raise AssertionError(log.read_text(errors="replace"))


def _stop(process: subprocess.Popen[bytes], log: Path) -> str:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    return log.read_text(errors="replace")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _workflow_ids(address: str) -> set[str]:
    out = subprocess.run(
        [TEMPORAL_CLI, "workflow", "list", "--address", address, "-o", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(re.findall(r'"workflowId":\s*"(dossier:[0-9a-f]+)"', out))


def _wait_for_workflows(address: str, count: int) -> set[str]:
    deadline = time.monotonic() + 30
    while True:
        ids = _workflow_ids(address)
        if len(ids) >= count or time.monotonic() > deadline:
            return ids
        time.sleep(0.5)


def test_dev_stack_runs_stops_cleanly_and_resumes(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("web", "temporal", "ui", "smtp")}
    env = _env(tmp_path / "data", ports)
    base = f"http://127.0.0.1:{ports['web']}"
    address = f"127.0.0.1:{ports['temporal']}"

    process, output = _start(env, tmp_path / "first.log")
    try:
        password = re.search(r"with password (\S+)", output)
        assert password, output
        for url in (f"{base}/login", f"{base}/api/v1/docs", f"http://127.0.0.1:{ports['ui']}/"):
            assert httpx.get(url, timeout=10).status_code == 200, url
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "demo@cravelynos.example", "password": password.group(1)},
        )
        assert token.status_code == 200, token.text
        demo_workflows = _wait_for_workflows(address, 5)
        assert len(demo_workflows) == 5
        mailbox = tmp_path / "data" / "mailbox"
        assert len(list(mailbox.glob("*.eml"))) >= 5
    finally:
        stopped = _stop(process, tmp_path / "first.log")
    assert "Cravelynos stopped." in stopped
    for port in ports.values():
        assert not _listening(port), f"port {port} still open after Ctrl-C"

    process, output = _start(env, tmp_path / "second.log")
    try:
        assert f"with password {password.group(1)}" in output
        assert _workflow_ids(address) == demo_workflows
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "demo@cravelynos.example", "password": password.group(1)},
        )
        listing = httpx.get(
            f"{base}/api/v1/dossiers",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert listing.status_code == 200 and listing.json()["total"] == 4  # Lyon's is not ours
    finally:
        _stop(process, tmp_path / "second.log")
