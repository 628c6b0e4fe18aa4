"""Inputs, outputs and names of the dossier activities: pure dataclasses the workflow imports,
and one typed reference per activity (at the end: its name, argument and result types).

Identifiers and codes only; the activities read personal data from the database themselves.
"""

from dataclasses import dataclass, field
from datetime import datetime

from activities.contracts.refs import ActivityRef


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


# The names are recorded in every workflow history: never rename one.
LOAD_DOSSIER_FACTS = ActivityRef[DossierRef, DossierFacts]("load_dossier_facts", DossierFacts)
RECORD_PROGRESS = ActivityRef[ProgressRecord, None]("record_progress", type(None))
RECORD_CLOSURE = ActivityRef[ClosureRecord, None]("record_closure", type(None))
SET_LEGAL_HOLD = ActivityRef[LegalHoldRecord, None]("set_legal_hold", type(None))
SEND_CLIENT_EMAIL = ActivityRef[ClientEmail, EmailOutcome]("send_client_email", EmailOutcome)
RELATIONSHIP_END = ActivityRef[DossierRef, RelationshipEnd]("relationship_end", RelationshipEnd)
DELETE_DOSSIER_DOCUMENTS = ActivityRef[DossierRef, DocumentsDeletion](
    "delete_dossier_documents", DocumentsDeletion
)
ANONYMISE_DOSSIER = ActivityRef[DossierRef, AnonymisationReport](
    "anonymise_dossier", AnonymisationReport
)
LOAD_ANALYSIS_FACTS = ActivityRef[DossierRef, AnalysisFacts]("load_analysis_facts", AnalysisFacts)
SUBMIT_ANALYSIS = ActivityRef[AnalysisSubmission, AnalysisSubmitted](
    "submit_analysis", AnalysisSubmitted
)
RECORD_ANALYSIS_APPROVAL = ActivityRef[AnalysisApproval, None](
    "record_analysis_approval", type(None)
)
