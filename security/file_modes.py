"""Owner-only files: the data directory holds the database, the documents, the Temporal dev
server's history and its log, all of them personal data or keys to it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Every file a process creates after this is rw------- and every directory rwx------,
# including those the child processes create (SQLite's -wal/-shm, the Temporal dev server).
PRIVATE_UMASK = 0o077


def keep_new_files_private() -> None:
    os.umask(PRIVATE_UMASK)


def make_data_dir_private(data_dir: Path) -> None:
    """Create the directory owner-only, and take group and other permissions away from
    whatever an earlier, laxer run left in it."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in [data_dir, *data_dir.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
