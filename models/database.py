"""Engine and session factory.

SQLite runs in WAL mode with a busy timeout, and every transaction starts with BEGIN IMMEDIATE:
a deferred transaction that reads then writes can fail at once with "database is locked" when
another writer got there first, whereas an immediate one waits its turn under the busy timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from config.settings import Settings
from models.audit import AUDIT_KEY_INFO

SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        return _sqlite_engine(database_url)
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(database_url: str) -> Engine:
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        from pathlib import Path

        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@lru_cache(maxsize=4)
def engine_for(database_url: str) -> Engine:
    return make_engine(database_url)


def get_engine(settings: Settings) -> Engine:
    return engine_for(settings.database_url)


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on error."""
    info = {AUDIT_KEY_INFO: settings.audit_key}
    with Session(get_engine(settings), expire_on_commit=False, info=info) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
