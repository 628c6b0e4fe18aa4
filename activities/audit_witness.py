"""Reading the audit log's head for the witness workflow (a read: idempotent)."""

from __future__ import annotations

from temporalio import activity

from activities.contracts import audit_witness as io
from config.settings import Settings
from domain.audit_checkpoint import AuditCheckpoint
from models.database import session_scope
from services.audit import read_checkpoint


class AuditWitnessActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.READ_AUDIT_HEAD.name)
    def read_audit_head(self, request: io.AuditHeadRequest) -> AuditCheckpoint:
        with session_scope(self.settings) as session:
            return read_checkpoint(session)
