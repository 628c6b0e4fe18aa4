"""Where a dossier is in its life, as its workflow keeps it (`DossierState`), and the rules that
decide whether a case worker's or client's request may change it: pure, no Temporal.

A rule returns None when the request may go on, or the French message that refuses it (shown to
the person as is). The workflow asks the same rule twice: in the update's validator, and again
once the handler holds the lock, since another update may have come first.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from domain.dossier_stages import OPEN_STAGES, Outcome, Stage
from domain.french_text import counted

# The case worker prepares the analysis, then the client approves it.
ANALYSIS_STAGES = frozenset({Stage.ANALYSIS, Stage.AWAITING_APPROVAL})


@dataclass(frozen=True)
class ApprovalDelays:
    """Days after each submission of the analysis: the client's reminder, the case worker's task."""

    reminder_days: int
    task_days: int


@dataclass
class DossierState:
    dossier_id: str
    stage: Stage = Stage.INTAKE
    missing_documents: list[str] = field(default_factory=list)
    reminders_sent: int = 0
    closed_at: datetime | None = None
    outcome: str | None = None
    legal_hold: bool = False
    documents_deleted: bool = False
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    # Analysis phase. From its start, steps that change the stage are serialised.
    analysis_started: bool = False
    approval_delays: ApprovalDelays | None = None
    # A submission is being made (from before its first await: a second one sees it).
    submitting: bool = False
    # The latest submission to the client (0: none yet), and the one approved (0: none).
    submission: int = 0
    submitted_at: datetime | None = None
    report_id: str | None = None
    approved_submission: int = 0
    approved_at: datetime | None = None
    approval_channel: str | None = None
    # Negotiation phase: every negotiation started, and those whose workflow has not ended.
    negotiations: list[str] = field(default_factory=list)
    open_negotiations: set[str] = field(default_factory=set)
    # Set while retention deletes data: a legal hold asked for then comes too late.
    deleting: bool = False

    @classmethod
    def in_retention(
        cls, dossier_id: str, closed_at: datetime, documents_deleted: bool, legal_hold: bool
    ) -> DossierState:
        """A closed dossier, as a retention hop hands it to the next one."""
        return cls(
            dossier_id,
            stage=Stage.CLOSED,
            closed_at=closed_at,
            documents_deleted=documents_deleted,
            legal_hold=legal_hold,
        )

    @property
    def closed(self) -> bool:
        return bool(self.closed_at)

    @property
    def open(self) -> bool:
        """A case worker can still act on it: not closed, not being closed."""
        return not self.closed and self.stage in OPEN_STAGES

    @property
    def documents_settled(self) -> bool:
        """Nothing more to wait for on the documents: all received, or the dossier closed."""
        return not self.missing_documents or self.closed

    @property
    def analysis_over(self) -> bool:
        return self.closed or self.approved_submission > 0


# ----- refusals -------------------------------------------------------------------------------

DOCUMENTS_NOT_COMPLETE = (
    "Les pièces du dossier ne sont pas encore complètes : l'analyse ne peut pas encore être "
    "envoyée au client."
)
ALREADY_APPROVED = "Le client a déjà validé la stratégie : rien n'a été modifié."
CLOSED_NO_ANALYSIS = "Ce dossier est clôturé : l'analyse ne peut plus être envoyée ni validée."
SUBMISSION_IN_PROGRESS = (
    "Un envoi de l'analyse au client est en cours : patientez quelques instants, puis "
    "rechargez la page."
)
NOTHING_SUBMITTED = "Aucune analyse n'a encore été envoyée au client : il n'y a rien à valider."
NOT_NEGOTIATING = (
    "Les négociations de ce dossier n'ont pas commencé : la stratégie doit d'abord être validée "
    "par le client."
)
CLOSED_NO_NEGOTIATION = "Ce dossier est clôturé : aucune négociation ne peut y être ajoutée."
NEGOTIATION_ALREADY_RUNNING = "Cette négociation est déjà ouverte pour ce dossier."
NEGOTIATION_OF_ANOTHER_DOSSIER = "Cette négociation n'appartient pas à ce dossier."
NO_MORE_DOCUMENTS = "Le dossier est clôturé : il n'attend plus de pièces."
ALREADY_CLOSED = "Ce dossier est déjà clôturé."
HOLD_ALREADY_PLACED = "Une conservation pour motif légal est déjà en place."
HOLD_TOO_LATE = (
    "Les données arrivées à échéance sont en cours de suppression : la conservation pour motif "
    "légal arrive trop tard pour elles."
)
NO_HOLD_TO_LIFT = "Aucune conservation pour motif légal n'est en place."


def negotiations_open_refusal(count: int) -> str:
    return (
        f"{counted(count, 'négociation encore en cours', 'négociations encore en cours')} : "
        "terminez-les ou abandonnez-les (avec un motif) avant de clôturer le dossier."
    )


def submission_refusal(state: DossierState) -> str | None:
    """Sending the analysis to the client (again, for a revision)."""
    if not state.open:
        return CLOSED_NO_ANALYSIS
    if state.stage in (Stage.APPROVED, Stage.NEGOTIATION):
        return ALREADY_APPROVED
    if state.stage not in ANALYSIS_STAGES:
        return DOCUMENTS_NOT_COMPLETE
    return None


def new_submission_refusal(state: DossierState) -> str | None:
    """A submission asked for: also refused while another one is under way."""
    return SUBMISSION_IN_PROGRESS if state.submitting else submission_refusal(state)


def approval_refusal(
    state: DossierState, channel: str, submission: int, known_channels: Collection[str]
) -> str | None:
    """Recording the client's approval of submission number `submission`, obtained through
    `channel` (one of `known_channels`: the message contract's ApprovalChannel values)."""
    if channel not in known_channels:
        return f"Canal de validation inconnu : {channel!r}."
    if not state.open:
        return CLOSED_NO_ANALYSIS
    if state.approved_submission:
        return ALREADY_APPROVED
    if state.submitting:
        return SUBMISSION_IN_PROGRESS
    if state.stage != Stage.AWAITING_APPROVAL or not state.submission:
        return NOTHING_SUBMITTED
    if submission != state.submission:
        return (
            f"Cette version de l'analyse (n°{submission}) n'est pas la dernière "
            f"envoyée au client (n°{state.submission}) : seule la dernière peut être validée."
        )
    return None


def add_negotiation_refusal(state: DossierState, negotiation_id: str) -> str | None:
    """A creditor added once negotiations had started."""
    if not state.open:
        return CLOSED_NO_NEGOTIATION
    if state.stage != Stage.NEGOTIATION:
        return NOT_NEGOTIATING
    if negotiation_id in state.negotiations:
        return NEGOTIATION_ALREADY_RUNNING
    return None


def documents_changed_refusal(state: DossierState) -> str | None:
    return None if state.open else NO_MORE_DOCUMENTS


def close_refusal(state: DossierState, outcome: str) -> str | None:
    """Closing with `outcome` (an Outcome value), as the request is made."""
    if not state.open:
        return ALREADY_CLOSED
    if outcome not in Outcome._value2member_map_:
        return f"Issue de clôture inconnue : {outcome!r}."
    return closing_refusal(state)


def closing_refusal(state: DossierState) -> str | None:
    """Closing, once the closure's turn comes: another closure or a new negotiation came first."""
    if state.closed:
        return ALREADY_CLOSED
    if state.open_negotiations:
        return negotiations_open_refusal(len(state.open_negotiations))
    return None


def place_hold_refusal(state: DossierState) -> str | None:
    if state.legal_hold:
        return HOLD_ALREADY_PLACED
    if state.deleting or state.stage == Stage.ANONYMISED:
        return HOLD_TOO_LATE
    return None


def lift_hold_refusal(state: DossierState) -> str | None:
    return None if state.legal_hold else NO_HOLD_TO_LIFT
