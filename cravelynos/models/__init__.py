"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from cravelynos.models.allowance_parameters import AllowanceParameter
from cravelynos.models.audit import AuditEntry, AuditHead
from cravelynos.models.budget import BudgetRecord
from cravelynos.models.client import Client, ContactChannel
from cravelynos.models.creditor_directory import Creditor
from cravelynos.models.document import Document
from cravelynos.models.dossier import (
    Dossier,
    DossierCreditor,
    ExpectedDocument,
    TimelineEvent,
    dossier_workflow_id,
)
from cravelynos.models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
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
    "Creditor",
    "CreditorConsent",
    "CreditorReply",
    "Document",
    "Dossier",
    "DossierCreditor",
    "DossierStatistic",
    "EmailStatus",
    "ExpectedDocument",
    "Negotiation",
    "NegotiationOffer",
    "OutboxEmail",
    "RepaymentInstalment",
    "Role",
    "SharingLedgerEntry",
    "StaffUser",
    "TimelineEvent",
    "WorkflowStartIntent",
    "dossier_workflow_id",
]
