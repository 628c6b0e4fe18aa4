"""The daily backup on the Temporal dev server: the Schedule every worker makes sure exists
(02:30 in Paris, one at a time), its run taking an encrypted backup through the worker, and the
backups listed and pruned; a backup is unreadable without the key ring."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.fixtures.stack import stack_settings
from temporalio.testing import WorkflowEnvironment

from gateway.backup_schedule import ensure_backup_schedule
from models.migrate import upgrade_database
from security.keyring import generate_key
from services.backups import BackupError, backups_dir, list_backups, restore_backup
from worker import build_worker
from workflows.backup_messages import BACKUP_SCHEDULE_ID

pytestmark = pytest.mark.devserver


async def test_the_schedule_takes_encrypted_backups_through_the_worker(
    temporal_dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = stack_settings(
        tmp_path / "data",
        temporal_address=temporal_dev_env.client.service_client.config.target_host,
        task_queue=f"backup-{uuid.uuid4().hex[:12]}",
        backups_kept=2,
    )
    upgrade_database(settings)
    client = temporal_dev_env.client
    assert await ensure_backup_schedule(client, settings)
    assert not await ensure_backup_schedule(client, settings)  # every worker start: no twin
    handle = client.get_schedule_handle(BACKUP_SCHEDULE_ID)
    try:
        described = await handle.describe()
        assert described.schedule.spec.time_zone_name == "Europe/Paris"
        [upcoming, *_] = described.info.next_action_times
        local = upcoming.astimezone(ZoneInfo("Europe/Paris"))
        assert (local.hour, local.minute) == (2, 30)
        async with build_worker(client, settings):
            for round_number in range(1, 4):
                await handle.trigger()
                for _ in range(200):
                    described = await handle.describe()
                    if len(described.info.recent_actions) >= round_number and not (
                        described.info.running_actions
                    ):
                        break
                    await asyncio.sleep(0.05)
        backups = list_backups(settings)
        assert len(backups) == 2  # three taken, the oldest pruned
        assert all(b.size_bytes > 1000 for b in backups)
        # Owner-only, and nothing readable without the key ring.
        path = backups_dir(settings) / backups[-1].name
        assert path.stat().st_mode & 0o077 == 0
        assert b"SQLite format" not in path.read_bytes()
        stranger = settings.model_copy(
            update={"master_keys": f"other:{generate_key()}", "active_key_id": "other"}
        )
        with pytest.raises(BackupError):
            restore_backup(stranger, path)
    finally:
        await handle.delete()
