"""The activity the audit witness calls: the audit log's head as it stands. No personal data."""

from dataclasses import dataclass

from activities.contracts.refs import ActivityRef
from domain.audit_checkpoint import AuditCheckpoint


@dataclass
class AuditHeadRequest:
    """Nothing to say: there is one audit log (a dataclass keeps the argument extensible)."""


READ_AUDIT_HEAD = ActivityRef[AuditHeadRequest, AuditCheckpoint]("read_audit_head", AuditCheckpoint)
