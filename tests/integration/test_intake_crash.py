"""kill -9 of the whole stack (web, worker, Temporal dev server) in the middle of 50 API intakes
retried by their sender: exactly one dossier and one acknowledgement per logical request."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from email import message_from_bytes
from pathlib import Path

import httpx
import pytest
from support.dev_command import DevStack, dev_ports, start_dev, stop_dev
from support.webapp import dossier_payload

pytestmark = pytest.mark.devserver

REQUESTS = 50
KILL_AFTER = 15


def _kill_everything(stack: DevStack, data_dir: Path) -> None:
    """SIGKILL, no goodbye: the app process and the Temporal dev server (its own session)."""
    found = subprocess.run(
        ["pgrep", "-f", f"{data_dir / 'temporal.db'}"], capture_output=True, text=True
    ).stdout.split()
    stack.process.kill()
    for pid in found:
        os.kill(int(pid), signal.SIGKILL)
    stack.process.wait(timeout=30)


def _acknowledgements(mailbox: Path) -> dict[str, set[str]]:
    """Recipient -> the Message-IDs of the acknowledgements they received."""
    received: dict[str, set[str]] = {}
    for path in mailbox.glob("*.eml"):
        message = message_from_bytes(path.read_bytes())
        if "est ouvert" in str(message["Subject"]):
            received.setdefault(str(message["To"]), set()).add(str(message["Message-ID"]))
    return received


def test_a_crash_during_intakes_makes_no_second_dossier(tmp_path: Path) -> None:
    data_dir, ports = tmp_path / "data", dev_ports()
    stack = start_dev(data_dir, ports, tmp_path / "first.log")
    base = stack.base_url
    token = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": "demo@cravelynos.example", "password": stack.demo_password},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    emails = [f"client.{n:02d}@crash.example" for n in range(REQUESTS)]
    done: list[int] = []
    attempts = [0]

    def send_all() -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            for number, email in enumerate(emails):
                while True:  # the sender retries until it gets an answer, same key each time
                    attempts[0] += 1
                    try:
                        response = http.post(
                            "/api/v1/dossiers",
                            json=dossier_payload(email=email),
                            headers={**headers, "Idempotency-Key": f"crash-{number}"},
                        )
                        if response.status_code == 201:
                            done.append(number)
                            break
                        assert response.status_code >= 500, response.text
                    except httpx.TransportError:
                        pass
                    time.sleep(0.2)

    sender = threading.Thread(target=send_all)
    sender.start()
    while len(done) < KILL_AFTER:
        time.sleep(0.05)
    _kill_everything(stack, data_dir)
    stack = start_dev(data_dir, ports, tmp_path / "second.log")
    try:
        sender.join(timeout=240)
        assert not sender.is_alive() and sorted(done) == list(range(REQUESTS))
        assert attempts[0] > REQUESTS  # some requests did meet the crash
        with httpx.Client(base_url=base, timeout=10, headers=headers) as http:
            for email in emails:
                found = http.get("/api/v1/dossiers", params={"q": email}).json()
                assert found["total"] == 1, email
        # An email activity killed mid-flight is retried once its heartbeat timeout (10 s) has
        # passed, not its start-to-close timeout (two minutes): every acknowledgement is there
        # well before the latter.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            received = _acknowledgements(data_dir / "mailbox")
            if all(email in received for email in emails):
                break
            time.sleep(0.5)
        received = _acknowledgements(data_dir / "mailbox")
        assert {email: len(received.get(email, ())) for email in emails} == dict.fromkeys(emails, 1)
    finally:
        stop_dev(stack)
