"""Shared fixtures: an isolated data directory, SQLite and PostgreSQL databases, clean exit.

PostgreSQL tests use the real server on 127.0.0.1:5432 (trust auth), in a database created for
this run and dropped at the end.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_RUN_DIR = Path(tempfile.mkdtemp(prefix="cravelynos-tests-"))
os.environ["CRAVELYNOS_DATA_DIR"] = str(_RUN_DIR / "data")
os.environ.setdefault("CRAVELYNOS_MODE", "dev")
for _name in list(os.environ):
    if _name.startswith("CRAVELYNOS_") and _name not in ("CRAVELYNOS_DATA_DIR", "CRAVELYNOS_MODE"):
        del os.environ[_name]

from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import models  # noqa: E402,F401  (registers every table)
from config.loading import dev_settings  # noqa: E402
from config.settings import Settings  # noqa: E402
from models.database import engine_for  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "CRAVELYNOS_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def make_settings(tmp: Path, database_url: str = "", **overrides: object) -> Settings:
    """Settings for one test: its own data directory and database."""
    return dev_settings(tmp, database_url=database_url, **overrides)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    name = f"cravelynos_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        engine_for.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings pointing at a freshly created schema, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("pg_database_url")
    settings = make_settings(tmp_path, url)
    engine = engine_for(settings.database_url)
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    yield settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """SQLite settings with the schema created, for tests that need one database only."""
    result = make_settings(tmp_path, f"sqlite:///{tmp_path / 'test.db'}")
    SQLModel.metadata.create_all(engine_for(result.database_url))
    return result


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
