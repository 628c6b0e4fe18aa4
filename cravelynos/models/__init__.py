"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from cravelynos.models.allowance_parameters import AllowanceParameter
from cravelynos.models.audit import AuditEntry, AuditHead
from cravelynos.models.budget import BudgetRecord
from cravelynos.models.client import Client, ContactChannel
from cravelynos.models.document import Document
from cravelynos.models.dossier import (
    Dossier,
    DossierCreditor,
    ExpectedDocument,
    TimelineEvent,
    dossier_workflow_id,
)
from cravelynos.models.outbox import EmailStatus, OutboxEmail, WorkflowStartIntent
from cravelynos.models.staff import Role, StaffUser
from cravelynos.models.statistics import DossierStatistic

__all__ = [
    "AllowanceParameter",
    "BudgetRecord",
    "AuditEntry",
    "AuditHead",
    "Client",
    "ContactChannel",
    "Document",
    "Dossier",
    "DossierCreditor",
    "DossierStatistic",
    "EmailStatus",
    "ExpectedDocument",
    "OutboxEmail",
    "Role",
    "StaffUser",
    "TimelineEvent",
    "WorkflowStartIntent",
    "dossier_workflow_id",
]
