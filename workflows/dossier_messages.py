"""The DossierWorkflow's name, input, updates and queries: the contract the web app relies on.

Every message carries opaque identifiers and codes, never personal data.
"""

from dataclasses import dataclass, field
from datetime import datetime

DOSSIER_WORKFLOW = "DossierWorkflow"
DOCUMENTS_CHANGED_UPDATE = "documents_changed"
CLOSE_UPDATE = "close"
PLACE_LEGAL_HOLD_UPDATE = "place_legal_hold"
LIFT_LEGAL_HOLD_UPDATE = "lift_legal_hold"
SUBMIT_ANALYSIS_UPDATE = "submit_analysis"
RECORD_APPROVAL_UPDATE = "record_approval"
STATUS_QUERY = "status"


@dataclass
class RetentionState:
    """What a retention hop hands to the next one through continue-as-new."""

    closed_at: datetime
    documents_deleted: bool = False
    legal_hold: bool = False


@dataclass
class DossierInput:
    dossier_id: str
    # Set only when a retention hop continues as new.
    retention: RetentionState | None = None


@dataclass
class DocumentsChanged:
    actor: str


@dataclass
class CloseDossier:
    outcome: str
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class LegalHoldChange:
    """The reason is data: the web app stages it in the database, the workflow never sees it."""

    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class SubmitAnalysis:
    """Send the recorded budget analysis and strategy to the client (again, for a revision)."""

    actor: str


@dataclass
class SubmissionResult:
    # Numbered from 1; each revision gets the next number and its own signed link.
    submission: int
    # False when the email could not be delivered: the case worker must reach the client.
    client_notified: bool


@dataclass
class ApprovalRecord:
    """The client approved submission number `submission`; the note, if any, stays in the DB."""

    actor: str
    channel: str
    submission: int


@dataclass
class DossierStatus:
    stage: str
    missing_documents: list[str] = field(default_factory=list)
    reminders_sent: int = 0
    closed_at: datetime | None = None
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    legal_hold: bool = False
    documents_deleted: bool = False
    # Analysis phase: the latest submission to the client (0: none yet), its report document,
    # and the submission the client approved (0: none).
    analysis_submission: int = 0
    analysis_submitted_at: datetime | None = None
    analysis_report_id: str | None = None
    approved_submission: int = 0
    approved_at: datetime | None = None
    approval_channel: str | None = None
    # Negotiation phase: the creditor negotiations that have not ended yet.
    open_negotiations: int = 0
