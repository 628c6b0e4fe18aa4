"""The CreditorNegotiationWorkflow's name, input, updates and query: the contract the web app
and the parent dossier rely on.

Every message carries opaque identifiers and codes, never personal data: offers, replies,
reasons and consents are rows the web app writes first; updates name them by id.
Actors are "staff:<id>" or "client:<client id>" (only the client decides on a counter-offer).
"""

from dataclasses import dataclass, field
from datetime import datetime

NEGOTIATION_WORKFLOW = "CreditorNegotiationWorkflow"

CONSENT_REQUESTED_UPDATE = "consent_requested"
CONSENT_DECIDED_UPDATE = "consent_decided"
CONSENT_REVOKED_UPDATE = "consent_revoked"
SEND_OFFER_UPDATE = "send_offer"
RECORD_REPLY_UPDATE = "record_reply"
SEND_INFORMATION_UPDATE = "send_information"
CLIENT_DECISION_UPDATE = "client_decision"
CONFIRM_AGREEMENT_UPDATE = "confirm_agreement"
RECORD_INSTALMENT_UPDATE = "record_instalment"
ESCALATE_UPDATE = "escalate"
END_NEGOTIATION_UPDATE = "end_negotiation"
NEGOTIATION_STATUS_QUERY = "negotiation_status"

# The parent dossier's update for a creditor added once negotiations have started.
ADD_NEGOTIATION_UPDATE = "add_negotiation"


@dataclass
class NegotiationInput:
    negotiation_id: str
    dossier_id: str


@dataclass
class ConsentRequested:
    """A pending consent row was written; the workflow emails the client its signed link."""

    consent_id: str
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class ConsentDecided:
    """The client gave or refused the pending consent `consent_id` (row already updated)."""

    consent_id: str
    given: bool
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class ConsentRevoked:
    """The client (or the case worker on their behalf) withdrew consent `consent_id`."""

    consent_id: str
    actor: str


@dataclass
class SendOffer:
    """Send our offer `offer_id` (a draft row of the next round) to the creditor."""

    offer_id: str
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class RecordReply:
    """The creditor's reply `reply_id` (row written), of kind `kind` (a ReplyKind value).

    counter_offer_id: the creditor's offer row for a counter-offer.
    new_consent_id: the pending extended consent asked of the client when an information
    request needs a category the current consent does not cover.
    """

    reply_id: str
    kind: str
    actor: str
    counter_offer_id: str | None = None
    new_consent_id: str | None = None
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class SendInformation:
    """Answer the information request `reply_id` with the categories it asked for."""

    reply_id: str
    actor: str


@dataclass
class ClientDecision:
    """The client's decision on the creditor's counter-offer `offer_id`."""

    offer_id: str
    accepted: bool
    actor: str


@dataclass
class ConfirmAgreement:
    """The creditor's written confirmation of the agreement was received (optional scan)."""

    actor: str
    document_id: str | None = None
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class InstalmentPaid:
    """Instalment `number` was paid; `paid_on` (ISO date, Paris) when known, else today.

    Refused when in the future or before the agreement; recorded at noon in Paris that day.
    """

    number: int
    actor: str
    paid_on: str | None = None


@dataclass
class Escalate:
    route: str  # An EscalationRoute value.
    actor: str


@dataclass
class EndNegotiation:
    """Close unresolved or abandon (an EndOutcome value); the reason is stored in the row."""

    outcome: str
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class AddNegotiation:
    negotiation_id: str
    actor: str
    # The staged write holding the rows this action wrote (domain/staged_writes.py): applied
    # once the workflow accepts the update.
    staged_write_id: str | None = None


@dataclass
class NegotiationStatus:
    state: str
    round: int = 0
    consent_id: str | None = None
    consent_given: bool = False
    current_offer_id: str | None = None
    counter_offer_id: str | None = None
    decision_deadline: datetime | None = None
    pending_information_reply_id: str | None = None
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    unpaid_instalments: list[int] = field(default_factory=list)
