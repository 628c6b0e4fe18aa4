"""Applying a staged write: the rows a staff action wrote become data, once the workflow
accepted the action (domain/staged_writes.py)."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import staged_writes as io
from config.settings import Settings
from models.database import session_scope
from services.staged_writes import UNKNOWN_WRITE, StagedWriteUnknown, apply_staged_write


class StagedWriteActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.APPLY_STAGED_WRITE.name)
    def apply_staged_write(self, request: io.ApplyStagedWrite) -> None:
        """Idempotent: a write already applied stays as it is."""
        try:
            with session_scope(self.settings) as session:
                apply_staged_write(
                    session,
                    request.staged_write_id,
                    dossier_id=request.dossier_id,
                    negotiation_id=request.negotiation_id,
                )
        except StagedWriteUnknown:
            raise ApplicationError(
                UNKNOWN_WRITE, type=io.STAGED_WRITE_UNKNOWN, non_retryable=True
            ) from None
