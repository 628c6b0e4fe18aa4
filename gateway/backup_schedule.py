"""The Temporal Schedule of the daily backup (every night at 02:30, Paris time): created by
every worker at start if missing, listed by ops with its last and next run."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)

from config.settings import Settings
from workflows.backup_messages import BACKUP_SCHEDULE_ID, BACKUP_WORKFLOW, BackupInput


def backup_schedule(settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            BACKUP_WORKFLOW,
            BackupInput(keep=settings.backups_kept),
            id="daily-backup-run",
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(2)], minute=[ScheduleRange(30)])],
            time_zone_name="Europe/Paris",
        ),
        # A night missed (server down) is made up when it comes back, within a day; never two
        # backups at a time.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=1)),
    )


async def ensure_backup_schedule(client: Client, settings: Settings) -> bool:
    """Create the schedule unless it exists; True when created now."""
    try:
        await client.create_schedule(BACKUP_SCHEDULE_ID, backup_schedule(settings))
    except ScheduleAlreadyRunningError:
        return False
    return True
