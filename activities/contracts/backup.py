"""The activity of the daily backup: take one, prune the oldest. No personal data crosses."""

from dataclasses import dataclass

from activities.contracts.refs import ActivityRef


@dataclass
class BackupRequest:
    keep: int


@dataclass
class BackupTaken:
    name: str
    size_bytes: int
    pruned: int


TAKE_BACKUP = ActivityRef[BackupRequest, BackupTaken]("take_backup", BackupTaken)
