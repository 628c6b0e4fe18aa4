"""DailyBackup: what the "daily-backup" Schedule starts each night (one activity: the encrypted
snapshot of the database and the document store, then the oldest pruned)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.contracts.backup import TAKE_BACKUP, BackupRequest, BackupTaken
    from workflows.backup_messages import BACKUP_WORKFLOW, BackupInput
    from workflows.plumbing import RETENTION_WORK, run


@workflow.defn(name=BACKUP_WORKFLOW)
class DailyBackupWorkflow:
    @workflow.run
    async def run(self, arg: BackupInput) -> BackupTaken:
        return await run(TAKE_BACKUP, BackupRequest(arg.keep), RETENTION_WORK)
