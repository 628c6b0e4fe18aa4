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
STATUS_QUERY = "status"

# Search attributes (registered on the dev server by `cravelynos dev`): PII-free by construction.
STAGE_SEARCH_ATTRIBUTE = "CravelynosStage"
NEXT_DEADLINE_SEARCH_ATTRIBUTE = "CravelynosNextDeadline"


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


@dataclass
class LegalHoldChange:
    """The reason is data: the web app stores it in the database, the workflow never sees it."""

    actor: str


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
