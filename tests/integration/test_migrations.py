"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL.

A model change without its migration makes `test_upgrade_matches_models` fail: regenerate with
`python -m models.migrate revision -m "what changed"`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Enum,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from config.loading import dev_settings
from config.settings import Settings
from models.database import engine_for, get_engine
from models.migrate import (
    MIGRATION_OPTIONS,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)

DDL_PREFIXES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")


def _empty_postgres(url: str) -> None:
    """Remove every table, enum type and alembic_version the previous test left behind."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg_migrations_url(pg_database_url: str) -> Iterator[str]:
    """A database of its own beside the run's one: emptying it disturbs no other test."""
    server, _, name = pg_database_url.rpartition("/")
    own = f"{name}_migrations"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{own}"'))
        yield f"{server}/{own}"
        engine_for(f"{server}/{own}").dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings pointing at a database with no table at all."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        url = request.getfixturevalue("pg_migrations_url")
        _empty_postgres(url)
    return dev_settings(data_dir=tmp_path, database_url=url)


def _differences(settings: Settings, metadata: MetaData = SQLModel.metadata) -> list[Any]:
    with get_engine(settings).connect() as connection:
        context = MigrationContext.configure(connection, opts=dict(MIGRATION_OPTIONS))
        return list(compare_metadata(context, metadata))


def _table_names(settings: Settings) -> set[str]:
    with get_engine(settings).connect() as connection:
        return set(inspect(connection).get_table_names())


def test_upgrade_matches_models(empty_db: Settings) -> None:
    assert current_revision(empty_db) is None

    upgrade_database(empty_db)

    assert current_revision(empty_db) == head_revision()
    assert _table_names(empty_db) == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert _differences(empty_db) == []
    if empty_db.is_sqlite:
        # Foreign keys are switched off while migrating; the pooled connection must get them back.
        with get_engine(empty_db).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_second_upgrade_is_a_no_op(empty_db: Settings) -> None:
    upgrade_database(empty_db)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.lstrip().upper())

    engine = get_engine(empty_db)
    event.listen(engine, "before_cursor_execute", record)
    try:
        upgrade_database(empty_db)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert statements, "the second upgrade did not even read the current revision"
    assert [s for s in statements if s.startswith(DDL_PREFIXES)] == []
    assert current_revision(empty_db) == head_revision()
    assert _differences(empty_db) == []


def test_downgrade_to_base_then_upgrade_again(empty_db: Settings) -> None:
    upgrade_database(empty_db)

    downgrade_database(empty_db, "base")

    assert current_revision(empty_db) is None
    assert _table_names(empty_db) == {"alembic_version"}
    upgrade_database(empty_db)  # would fail on PostgreSQL if enum types had been left behind
    assert _differences(empty_db) == []


def test_drift_between_models_and_schema_is_reported(tmp_path: Path) -> None:
    """The comparison the first test relies on does see a model the migrations lack."""
    settings = dev_settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'drift.db'}")
    upgrade_database(settings)
    drifted = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))
    drifted.tables["client"].append_column(Column("not_migrated_column", Integer))

    differences = _differences(settings, drifted)

    assert [d[1].name for d in differences if d[0] == "add_table"] == ["not_migrated"]
    added_columns = [(d[2], d[3].name) for d in differences if d[0] == "add_column"]
    assert added_columns == [("client", "not_migrated_column")]


def test_postgres_enum_types_match_models(pg_migrations_url: str, tmp_path: Path) -> None:
    """Autogenerate does not see a value added to an enum; PostgreSQL would refuse to store it.

    A new value needs `op.execute("ALTER TYPE <name> ADD VALUE '<VALUE>'")` in a revision.
    """
    _empty_postgres(pg_migrations_url)
    settings = dev_settings(data_dir=tmp_path, database_url=pg_migrations_url)
    upgrade_database(settings)
    expected = {
        column.type.name: list(column.type.enums)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Enum)
    }
    query = text(
        "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) "
        "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname"
    )
    with get_engine(settings).connect() as connection:
        actual = {name: list(labels) for name, labels in connection.execute(query)}

    assert expected
    assert actual == expected


def _legacy_chain(settings: Settings, count: int) -> None:
    """Entries as the release before 0006 wrote them: plain SHA-256, no key."""
    import hashlib
    import json
    from datetime import UTC, datetime

    prev = "0" * 64
    with get_engine(settings).begin() as connection:
        for seq in range(1, count + 1):
            at = datetime(2026, 12, 1, 9, 0, seq, tzinfo=UTC)
            fields = {
                "seq": seq,
                "at": at.isoformat(timespec="microseconds"),
                "actor": "system",
                "action": "client.read",
                "object_type": "client",
                "object_id": f"c{seq}",
                "reason": "",
                "detail": "{}",
            }
            canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            entry_hash = hashlib.sha256((prev + canonical).encode()).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO audit_entry (seq, at, actor, action, object_type, object_id, "
                    "reason, detail, prev_hash, entry_hash) VALUES (:seq, :at, 'system', "
                    "'client.read', 'client', :oid, '', '{}', :prev, :hash)"
                ),
                {"seq": seq, "at": at, "oid": f"c{seq}", "prev": prev, "hash": entry_hash},
            )
            prev = entry_hash
        connection.execute(
            text(
                "INSERT INTO audit_head (id, last_seq, last_hash, anchor_seq, anchor_hash) "
                "VALUES (1, :n, :h, 0, :g)"
            ),
            {"n": count, "h": prev, "g": "0" * 64},
        )


def test_0006_rekeys_an_intact_legacy_chain(empty_db: Settings) -> None:
    from models.database import session_scope
    from services.audit import verify_audit_chain

    upgrade_database(empty_db, "0005")
    _legacy_chain(empty_db, 5)
    upgrade_database(empty_db)
    with session_scope(empty_db) as session:
        report = verify_audit_chain(session)
    assert report.ok and report.checked == 5, report.problems


def test_0006_refuses_to_seal_a_damaged_legacy_chain(empty_db: Settings) -> None:
    upgrade_database(empty_db, "0005")
    _legacy_chain(empty_db, 5)
    with get_engine(empty_db).begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'staff:9' WHERE seq = 3"))
    with pytest.raises(RuntimeError, match="audit entry 3 does not match"):
        upgrade_database(empty_db)
    assert current_revision(empty_db) == "0005"
