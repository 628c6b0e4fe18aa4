"""The test run: an isolated data directory and environment, the shared fixtures (a pytest
plugin in tests/support/fixtures/), browser tests last, and a clean exit."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="cravelynos-tests-"))
os.environ["CRAVELYNOS_DATA_DIR"] = str(_RUN_DIR / "data")
os.environ.setdefault("CRAVELYNOS_MODE", "dev")
for _name in list(os.environ):
    # The app's own settings are cleared; the tests' (CRAVELYNOS_TEST_*) stay.
    keep = ("CRAVELYNOS_DATA_DIR", "CRAVELYNOS_MODE")
    if (
        _name.startswith("CRAVELYNOS_")
        and not _name.startswith("CRAVELYNOS_TEST_")
        and _name not in keep
    ):
        del os.environ[_name]

# Every fixture lives in one place, whatever folder its tests are in.
pytest_plugins = [
    "support.fixtures.database",
    "support.fixtures.keys",
    "support.fixtures.web",
    "support.fixtures.workflows",
    "support.fixtures.stack",
    "support.fixtures.browser",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in this thread while its session-wide
    # browser is alive, which would stop every asyncio test after it: browser tests go last.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # The Temporal SDK's Rust runtime can abort the interpreter at exit (sdk-python issue #300)
    # after all tests passed; leave with the real status before finalisation can run.
    session.config._cravelynos_exitstatus = exitstatus  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    status = getattr(config, "_cravelynos_exitstatus", None)
    if status is not None and os.environ.get("CRAVELYNOS_TESTS_NO_HARD_EXIT") != "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(status))
