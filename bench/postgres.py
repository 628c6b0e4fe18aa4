"""PostgreSQL for part 2 (`--postgres`): a database created for the run and dropped after it,
brought to the latest schema by the real migrations, holding a copy of the filled SQLite rows.

Copying rows (rather than filling again) keeps the data identical and readable with the same
dev secrets. ANALYZE afterwards stands for what autovacuum does on a database in service.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Integer, Table, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from bench.console import say
from bench.fill import FilledDatabase
from bench.stack import BenchFailure
from config.loading import dev_settings
from models.database import engine_for
from models.migrate import upgrade_database

ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def temporary_database() -> Iterator[str]:
    """URL of a new, empty database on the local server; dropped (even if in use) afterwards."""
    name = f"cravelynos_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        raise BenchFailure(
            f"--postgres needs a server at {ADMIN_URL} (trust auth): {exc.orig}"
        ) from None
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_filled(filled: FilledDatabase, target_url: str) -> float:
    """Migrate `target_url` to head and COPY every table of `filled` into it; seconds taken.

    Values travel as SQLite stores them (enum names, 0/1 booleans, UTC timestamps as text),
    which is what PostgreSQL's COPY text input reads back, in a session set to UTC.
    """
    began = time.perf_counter()
    upgrade_database(dev_settings(data_dir=filled.data_dir, database_url=target_url))
    engine_for(target_url).dispose()
    engine_for.cache_clear()
    source = sqlite3.connect(filled.database_path)
    target = psycopg.connect(target_url.replace("postgresql+psycopg://", "postgresql://", 1))
    try:
        with target.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            for table in SQLModel.metadata.sorted_tables:
                columns = ", ".join(f'"{column.name}"' for column in table.columns)
                rows = source.execute(f'SELECT {columns} FROM "{table.name}"')
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                _advance_sequences(cursor, table)
            cursor.execute("ANALYZE")
        target.commit()
    finally:
        target.close()
        source.close()
    seconds = time.perf_counter() - began
    say(f"postgres: copied {filled.dossiers:,} dossiers in {seconds:.1f} s")
    return seconds


def _advance_sequences(cursor: psycopg.Cursor[Any], table: Table) -> None:
    """Rows came with their ids: move each serial sequence past them, as a restore would."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer):
            continue
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", (table.name, column.name))
        found = cursor.fetchone()
        if found and found[0]:
            cursor.execute(
                f'SELECT setval(%s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), '
                "0) + 1, false)",
                (found[0],),
            )


def server_version(url: str = ADMIN_URL) -> str:
    """The server's version; checked before anything else runs, so a missing server fails fast."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar_one())
    except OperationalError as exc:
        raise BenchFailure(f"--postgres needs a server at {url} (trust auth): {exc.orig}") from None
    finally:
        engine.dispose()
