"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from models.allowance_parameters import AllowanceParameter
from models.audit import AuditEntry, AuditHead
from models.budget import BudgetRecord
from models.client import Client, ContactChannel
from models.creditor_directory import Creditor
from models.document import Document
from models.dossier import (
    Dossier,
    DossierCreditor,
    ExpectedDocument,
    TimelineEvent,
)
from models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.outbox import EmailStatus, OutboxEmail, WorkflowStartIntent
from models.staff import Role, StaffUser
from models.statistics import DossierStatistic

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
]
