"""Taking the daily encrypted backup (services/backups.py) for its schedule; each run makes a
new file, so a retry after a crash makes at most one more, pruned with the oldest."""

from __future__ import annotations

from temporalio import activity

from activities.contracts import backup as io
from config.settings import Settings
from services.backups import prune_backups, take_backup


class BackupActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.TAKE_BACKUP.name)
    def take_backup(self, request: io.BackupRequest) -> io.BackupTaken:
        taken = take_backup(self.settings)
        pruned = prune_backups(self.settings, request.keep)
        return io.BackupTaken(taken.name, taken.size_bytes, pruned)
