"""Inputs, outputs and names of the dossier activities: pure dataclasses the workflow imports.

Identifiers and codes only; the activities read personal data from the database themselves.
"""

from dataclasses import dataclass, field
from datetime import datetime

LOAD_DOSSIER_FACTS = "load_dossier_facts"
RECORD_PROGRESS = "record_progress"
RECORD_CLOSURE = "record_closure"
SET_LEGAL_HOLD = "set_legal_hold"
SEND_CLIENT_EMAIL = "send_client_email"
RELATIONSHIP_END = "relationship_end"
DELETE_DOSSIER_DOCUMENTS = "delete_dossier_documents"
ANONYMISE_DOSSIER = "anonymise_dossier"
LOAD_ANALYSIS_FACTS = "load_analysis_facts"
SUBMIT_ANALYSIS = "submit_analysis"
RECORD_ANALYSIS_APPROVAL = "record_analysis_approval"


@dataclass
class DossierRef:
    dossier_id: str


@dataclass
class DossierFacts:
    missing_documents: list[str]
    reminder_days: list[int]
    history_retention_years: int
    documents_retention_years: int
    retention_hop_days: int


@dataclass
class ProgressRecord:
    dossier_id: str
    # Unique per logical event, so a retried activity writes the timeline entry once.
    event_key: str
    stage: str
    event_kind: str
    summary: str
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    actor: str = "system"


@dataclass
class ClosureRecord:
    dossier_id: str
    outcome: str
    closed_at: datetime
    actor: str


@dataclass
class LegalHoldRecord:
    dossier_id: str
    held: bool
    actor: str


@dataclass
class ClientEmail:
    dossier_id: str
    template: str
    # Business key of the logical message: the outbox row and the Message-ID derive from it.
    idempotency_key: str
    reminder_number: int = 0
    # The analysis submission the email's signed link points to (analysis emails only).
    submission: int = 0


@dataclass
class EmailOutcome:
    message_id: str
    sent_now: bool
    skipped_reason: str | None = None


@dataclass
class RelationshipEnd:
    """When the client's contractual relationship ended, or None while a dossier is still open."""

    ended_at: datetime | None


@dataclass
class DocumentsDeletion:
    deleted: int


@dataclass
class AnonymisationReport:
    documents_deleted: int
    rows_deleted: dict[str, int] = field(default_factory=dict)
    client_erased: bool = False


@dataclass
class AnalysisFacts:
    """Delays of the approval wait, read from the settings when the analysis phase begins."""

    reminder_days: int
    task_days: int


@dataclass
class AnalysisSubmission:
    dossier_id: str
    submission: int
    actor: str


@dataclass
class AnalysisSubmitted:
    # The encrypted PDF report of this submission (a Document row).
    report_document_id: str


@dataclass
class AnalysisApproval:
    dossier_id: str
    submission: int
    channel: str
    actor: str
    approved_at: datetime
