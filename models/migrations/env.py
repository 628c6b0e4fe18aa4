"""Alembic environment for Cravelynos.

Normally driven by `models.migrate`, which passes an open connection in
`config.attributes["connection"]`. Without one (the `alembic` command line with a config of your
own), it connects to `sqlalchemy.url`, or else to CRAVELYNOS_DATABASE_URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from config.settings import Settings
from models.database import engine_for
from models.migrate import MIGRATION_OPTIONS, migration_connection

config = context.config
target_metadata = SQLModel.metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL for a DBA instead of running it."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **MIGRATION_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **MIGRATION_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with migration_connection(engine_for(_database_url())) as own_connection:
        _run(own_connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
