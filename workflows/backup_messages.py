"""The daily backup: the workflow a Temporal Schedule starts every night, and its input."""

from dataclasses import dataclass

BACKUP_WORKFLOW = "DailyBackup"
# One schedule per namespace: every worker makes sure it exists.
BACKUP_SCHEDULE_ID = "daily-backup"


@dataclass
class BackupInput:
    # Backups kept: the oldest beyond this number are removed after a new one is taken.
    keep: int
