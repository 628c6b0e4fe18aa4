"""Encrypted backups of the database and the document store, and their restore.

A backup is one file: a tar archive of a consistent snapshot of the database (SQLite's online
backup; `pg_dump` for PostgreSQL) and of the document store, with a manifest, encrypted with
AES-256-GCM under the active master key (bound to the file's name). Only holders of the key
ring can read it; the files are owner-only.

A restore puts the snapshot back, then applies again every erasure made after it (the erasure
ledger, read from the database being replaced before it is, holds opaque ids only), so that a
person erased since the snapshot does not come back. Only then may the app serve.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from config.settings import Settings
from domain.errors import CravelynosError
from models.database import engine_for, session_scope
from models.privacy_request import ErasureLedgerEntry
from security.crypto import decrypt_blob, encrypt_blob
from security.keyring import get_keyring
from services.documents import write_private
from services.privacy_requests.erasure import reapply_erasure

SUFFIX = ".cravelynos-backup"
FORMAT = 1


class BackupError(CravelynosError):
    """A backup that cannot be taken or restored; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    name: str
    taken_at: datetime
    size_bytes: int


@dataclass(frozen=True)
class RestoreReport:
    taken_at: datetime
    erasures_reapplied: int


def backups_dir(settings: Settings) -> Path:
    return settings.data_dir / "backups"


def _aad(name: str, key_id: str) -> str:
    return f"backup:{FORMAT}:{key_id}:{name}"


def take_backup(settings: Settings, now: datetime | None = None) -> BackupInfo:
    """Snapshot the database and the document store into one encrypted file."""
    taken_at = now or datetime.now(UTC)
    name = f"cravelynos-{taken_at:%Y%m%dT%H%M%S%fZ}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="cravelynos-backup-") as tmp:
        snapshot = Path(tmp) / "database"
        kind = _snapshot_database(settings, snapshot)
        manifest = {"format": FORMAT, "taken_at": taken_at.isoformat(), "database": kind}
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest).encode())
            archive.add(snapshot, arcname="database")
            if settings.documents_dir.exists():
                archive.add(settings.documents_dir, arcname="documents")
    ring = get_keyring(settings)
    sealed = encrypt_blob(ring.active_key, buffer.getvalue(), _aad(name, ring.active_id))
    directory = backups_dir(settings)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / name
    write_private(path, ring.active_id.encode() + b"\n" + sealed)
    return BackupInfo(name, taken_at, path.stat().st_size)


def list_backups(settings: Settings) -> list[BackupInfo]:
    directory = backups_dir(settings)
    found = []
    for path in sorted(directory.glob(f"*{SUFFIX}")) if directory.exists() else []:
        stamp = path.name.removeprefix("cravelynos-").removesuffix(SUFFIX)
        taken_at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(path.name, taken_at, path.stat().st_size))
    return found


def prune_backups(settings: Settings, keep: int) -> int:
    """Remove all but the `keep` most recent backups; how many went."""
    old = list_backups(settings)[:-keep] if keep > 0 else []
    for info in old:
        (backups_dir(settings) / info.name).unlink(missing_ok=True)
    return len(old)


def restore_backup(settings: Settings, path: Path) -> RestoreReport:
    """Put the backup back, then apply again the erasures made since it was taken."""
    content = _open(settings, path)
    with tempfile.TemporaryDirectory(prefix="cravelynos-restore-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:gz") as archive:
            archive.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        taken_at = datetime.fromisoformat(manifest["taken_at"])
        ledger = _current_ledger(settings)
        engine_for(settings.database_url).dispose()
        _restore_database(settings, manifest["database"], Path(tmp) / "database")
        documents = Path(tmp) / "documents"
        if settings.documents_dir.exists():
            shutil.rmtree(settings.documents_dir)
        if documents.exists():
            shutil.copytree(documents, settings.documents_dir)
            os.chmod(settings.documents_dir, 0o700)
    with session_scope(settings) as session:
        reapplied = _reapply(session, settings, ledger)
    return RestoreReport(taken_at, reapplied)


def _open(settings: Settings, path: Path) -> bytes:
    try:
        key_id, _, sealed = path.read_bytes().partition(b"\n")
        ring = get_keyring(settings)
        return decrypt_blob(ring.key(key_id.decode()), sealed, _aad(path.name, key_id.decode()))
    except (OSError, UnicodeDecodeError, CravelynosError, ValueError) as exc:
        raise BackupError(
            f"{path.name}: unreadable backup (wrong file, renamed, damaged, or a key ring "
            f"without its key): {type(exc).__name__}"
        ) from exc


def _current_ledger(settings: Settings) -> list[ErasureLedgerEntry]:
    """The erasure ledger of the database about to be replaced (empty when there is no such
    database yet, e.g. a restore onto a new machine)."""
    try:
        with session_scope(settings) as session:
            entries = session.exec(select(ErasureLedgerEntry)).all()
            return [
                ErasureLedgerEntry.model_validate(e.model_dump(exclude={"id"})) for e in entries
            ]
    except SQLAlchemyError:
        return []


def _reapply(session: Session, settings: Settings, ledger: list[ErasureLedgerEntry]) -> int:
    """Apply again each erasure the restored database does not know of; how many."""
    known = set(session.exec(select(ErasureLedgerEntry.request_id)).all())
    count = 0
    for entry in sorted(ledger, key=lambda e: e.erased_at):
        if entry.request_id in known:
            continue
        reapply_erasure(session, settings, entry)
        count += 1
    return count


def _snapshot_database(settings: Settings, target: Path) -> str:
    if settings.is_sqlite:
        source_path = make_url(settings.database_url).database
        if not source_path or not Path(source_path).exists():
            raise BackupError("the SQLite database file does not exist")
        with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)  # a consistent copy, even while the app writes
        return "sqlite"
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(settings)]
    _run(command, "pg_dump")
    return "postgresql"


def _restore_database(settings: Settings, kind: str, snapshot: Path) -> None:
    if kind == "sqlite":
        if not settings.is_sqlite:
            raise BackupError("this backup holds a SQLite database; the app is set to another")
        target = Path(make_url(settings.database_url).database or "")
        for extra in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            extra.unlink(missing_ok=True)
        shutil.copyfile(snapshot, target)
        os.chmod(target, 0o600)
        return
    if settings.is_sqlite:
        raise BackupError("this backup holds a PostgreSQL database; the app is set to SQLite")
    command = [
        "pg_restore", "--clean", "--if-exists", "--no-owner",
        f"--dbname={_libpq(settings)}", str(snapshot),
    ]  # fmt: skip
    _run(command, "pg_restore")


def _libpq(settings: Settings) -> str:
    """The database URL as the PostgreSQL tools read it (no SQLAlchemy driver name)."""
    return (
        make_url(settings.database_url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _run(command: list[str], tool: str) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools)") from None
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{tool} failed: {exc.stderr.decode(errors='replace')[:300]}") from exc


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
