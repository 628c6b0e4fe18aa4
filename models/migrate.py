"""Schema migrations (Alembic), driven from code: no alembic.ini needed to migrate.

The migrations run on the application's own engine (`get_engine`), so SQLite gets the same pragmas
as at run time. Every upgrade runs in one transaction: on PostgreSQL it takes an advisory lock so
two processes starting together do not both migrate; on SQLite `BEGIN IMMEDIATE` serialises them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from config.settings import Settings
from models.database import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Shared by env.py, autogenerate and the drift test, so they all compare the same way.
MIGRATION_OPTIONS: dict[str, Any] = {"render_as_batch": True, "compare_type": True}

# Arbitrary constant naming the "schema migration" advisory lock on PostgreSQL.
_PG_MIGRATION_LOCK = 0x43524156


def make_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolates '%': URL-encoded passwords must be escaped.
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding one transaction for the whole migration run, committed at the end.

    On SQLite, batch mode rebuilds a table by copy-and-drop, which foreign keys would block or
    cascade: they are switched off for the run (a pragma only takes effect outside a transaction)
    and the result is checked before commit instead.
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade_database(settings: Settings, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default); a no-op when already there."""
    config = make_config(settings)
    with migration_connection(get_engine(settings)) as connection:
        config.attributes["connection"] = connection
        # Migration 0006 re-keys the audit chain: it needs the key the app runs with.
        config.attributes["audit_key"] = settings.audit_key
        command.upgrade(config, revision)


def downgrade_database(settings: Settings, revision: str = "-1") -> None:
    config = make_config(settings)
    with migration_connection(get_engine(settings)) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(settings: Settings) -> str | None:
    """The revision the database is at, None for a database never migrated."""
    with get_engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def autogenerate_revision(message: str, rev_id: str | None = None) -> Path:
    """Write a new revision holding the difference between the models and the latest revision.

    The difference is taken against a scratch SQLite database brought to head, so no real
    database is touched. Revision ids are sequential ("0002" after "0001").
    """
    with tempfile.TemporaryDirectory(prefix="cravelynos-autogenerate-") as tmp:
        settings = Settings(mode="dev", data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/db")
        upgrade_database(settings)
        config = make_config(settings)
        engine = get_engine(settings)
        try:
            with migration_connection(engine) as connection:
                config.attributes["connection"] = connection
                script = command.revision(
                    config, message=message, autogenerate=True, rev_id=rev_id or _next_rev_id()
                )
        finally:
            engine.dispose()
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic did not write exactly one revision")
    path = Path(script.path)
    _ruff(path)
    return path


def _next_rev_id() -> str | None:
    head = head_revision()
    if head is None:
        return "0001"
    return f"{int(head) + 1:04d}" if head.isdigit() else None


def _ruff(path: Path) -> None:
    """Autogenerated code goes through the project's formatter, like the code written by hand."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return
    subprocess.run([ruff, "format", "--quiet", str(path)], check=True)
    subprocess.run([ruff, "check", "--fix", "--quiet", str(path)], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.migrate")
    commands = parser.add_subparsers(dest="command", required=True)
    revision = commands.add_parser("revision", help="autogenerate a revision from the models")
    revision.add_argument("-m", "--message", required=True)
    commands.add_parser("upgrade", help="upgrade the configured database to head")
    commands.add_parser("current", help="print the configured database's revision")
    args = parser.parse_args(argv)
    if args.command == "revision":
        print(autogenerate_revision(args.message))
    elif args.command == "upgrade":
        upgrade_database(Settings())
    else:
        print(current_revision(Settings()) or "(none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
