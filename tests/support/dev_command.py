"""Run `cravelynos dev` (what `make run` starts) as a subprocess on free ports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.stack import VENV_BIN, free_port

BANNER = "Cravelynos is running"


@dataclass
class DevStack:
    process: subprocess.Popen[bytes]
    log: Path
    ports: dict[str, int]
    output: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['web']}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['ui']}"

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.ports['temporal']}"

    @property
    def demo_password(self) -> str:
        found = re.search(r"with password (\S+)", self.output)
        assert found, self.output
        return found.group(1)


def dev_ports() -> dict[str, int]:
    return {name: free_port() for name in ("web", "temporal", "ui", "smtp")}


def dev_env(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
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


def start_dev(data_dir: Path, ports: dict[str, int], log: Path) -> DevStack:
    process = subprocess.Popen(
        [str(VENV_BIN / "cravelynos"), "dev"],
        env=dev_env(data_dir, ports),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        # A usual login umask: the stack must make its files private itself.
        umask=0o022,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if BANNER in output and "Sign in as" in output:
            return DevStack(process, log, ports, output)
        assert process.poll() is None, output
        time.sleep(0.2)
    process.kill()
    raise AssertionError(log.read_text(errors="replace"))


def stop_dev(stack: DevStack) -> str:
    """Ctrl-C, as a person at the terminal would; returns everything the command printed."""
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=60) == 0
    return stack.log.read_text(errors="replace")


@contextmanager
def running_dev(tmp_path: Path) -> Iterator[DevStack]:
    stack = start_dev(tmp_path / "data", dev_ports(), tmp_path / "dev.log")
    try:
        yield stack
    finally:
        stop_dev(stack)
