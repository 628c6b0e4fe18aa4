"""`cravelynos dev` (what `make run` starts): everything up, Ctrl-C stops it all, state resumes."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from support.dev_command import dev_ports, start_dev, stop_dev
from support.stack import TEMPORAL_CLI

pytestmark = pytest.mark.devserver


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _workflow_ids(address: str, kind: str = "dossier") -> set[str]:
    out = subprocess.run(
        [TEMPORAL_CLI, "workflow", "list", "--address", address, "-o", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(re.findall(rf'"workflowId":\s*"({kind}:[0-9a-f]+)"', out))


def _readable_by_others(data_dir: Path) -> list[str]:
    """Files and directories with any group or other permission bit."""
    paths = [data_dir, *data_dir.rglob("*")]
    found = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue  # a transient file (SQLite's rollback journal) gone since the listing
        if mode & 0o077:
            found.append(f"{path.name} {oct(mode & 0o777)}")
    # The files the probe found world-readable must exist for the check to mean anything.
    names = {p.name for p in paths}
    assert {"cravelynos.db", "cravelynos.db-wal", "temporal.db", "temporal.log"} <= names, names
    return found


def _wait_for_workflows(address: str, count: int) -> set[str]:
    deadline = time.monotonic() + 30
    while True:
        ids = _workflow_ids(address)
        if len(ids) >= count or time.monotonic() > deadline:
            return ids
        time.sleep(0.5)


def test_dev_stack_runs_stops_cleanly_and_resumes(tmp_path: Path) -> None:
    ports = dev_ports()
    stack = start_dev(tmp_path / "data", ports, tmp_path / "first.log")
    base, address, password = stack.base_url, stack.temporal_address, stack.demo_password
    try:
        for url in (f"{base}/login", f"{base}/api/v1/docs", stack.ui_url):
            assert httpx.get(url, timeout=10).status_code == 200, url
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "demo@cravelynos.example", "password": password},
        )
        assert token.status_code == 200, token.text
        # 5 dossiers before negotiation, 3 negotiating with 5 creditors between them.
        demo_workflows = _wait_for_workflows(address, 8)
        assert len(demo_workflows) == 8
        assert len(_workflow_ids(address, "negotiation")) == 5
        mailbox = tmp_path / "data" / "mailbox"
        assert len(list(mailbox.glob("*.eml"))) >= 8
        assert _readable_by_others(tmp_path / "data") == []
    finally:
        stopped = stop_dev(stack)
    assert "Cravelynos stopped." in stopped
    for port in ports.values():
        assert not _listening(port), f"port {port} still open after Ctrl-C"

    stack = start_dev(tmp_path / "data", ports, tmp_path / "second.log")
    try:
        assert stack.demo_password == password
        assert _workflow_ids(address) == demo_workflows
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "demo@cravelynos.example", "password": password},
        )
        listing = httpx.get(
            f"{base}/api/v1/dossiers",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert listing.status_code == 200 and listing.json()["total"] == 7  # Lyon's is not ours
    finally:
        stop_dev(stack)
