"""Inputs, outputs and names of the negotiation activities: pure dataclasses the workflows import,
and one typed reference per activity (at the end: its name, argument and result types).

Identifiers and codes only; the activities read personal data from the database themselves.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from activities.contracts.dossier import DossierRef, EmailOutcome
from activities.contracts.refs import ActivityRef

# The business refusal of SEND_CREDITOR_MESSAGE (non-retryable ApplicationError type): its
# message is French, for the case worker.
CONSENT_MISSING = "ConsentMissing"
CREDITOR_UNREACHABLE = "CreditorUnreachable"


@dataclass
class NegotiationRef:
    negotiation_id: str


@dataclass
class NegotiationFacts:
    """Delays from the settings (read once when the negotiation starts) and the current consent."""

    follow_up_days: list[int]
    no_response_days: int
    counter_offer_decision_days: int
    instalment_grace_days: int
    instalment_broken_after_days: int
    # The latest consent of this negotiation that is given and not revoked, if any (a restart
    # or a negotiation added late finds it here). The workflow also re-reads it (as a local
    # activity) to catch a decision or withdrawal the web app wrote but could not tell it.
    consent_id: str | None = None


@dataclass
class OpenedNegotiations:
    """One negotiation id per creditor of the dossier (created once, found again on retry)."""

    negotiation_ids: list[str] = field(default_factory=list)


@dataclass
class NegotiationProgress:
    negotiation_id: str
    # Unique per logical event: a retried activity writes the timeline entry once. Empty: only
    # the state and deadline of the read model change.
    event_key: str
    state: str
    event_kind: str
    summary: str
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    actor: str = "system"
    # Set when the negotiation ends, and the route of an escalation.
    ended: bool = False
    escalation_route: str | None = None
    round: int | None = None
    # The instalment whose missed-payment alert this event is, and when the alert fired (its
    # missed_alerted_at, written once).
    missed_instalment: int = 0
    missed_alerted_at: datetime | None = None


@dataclass
class CreditorMessage:
    """A message to the creditor of `negotiation_id`, of kind `kind` (a MessageKind value).

    offer_id: the offer (OFFER, COUNTER_ACCEPTANCE, COUNTER_REFUSAL);
    reply_id: the information request answered (INFORMATION);
    follow_up: the follow-up number (FOLLOW_UP).
    """

    negotiation_id: str
    kind: str
    idempotency_key: str
    offer_id: str | None = None
    reply_id: str | None = None
    follow_up: int = 0


@dataclass
class CreditorMessageSent:
    message_id: str
    channel: str
    categories: list[str] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)
    ledger_entry_id: int | None = None


@dataclass
class NegotiationEmail:
    """A progress email to the client about one negotiation (no figures in the body).

    template: one of NEGOTIATION_EMAIL_TEMPLATES (activities/negotiation_email.py).
    """

    negotiation_id: str
    template: str
    idempotency_key: str
    consent_id: str | None = None
    offer_id: str | None = None
    reply_id: str | None = None
    instalment_number: int = 0


@dataclass
class ConsentReceipt:
    consent_id: str
    idempotency_key: str


@dataclass
class OfferRef:
    offer_id: str


# LOAD_OFFER's and CREATE_SCHEDULE's results carry their dates as ISO strings ("2026-03-12"):
# Temporal's default JSON converter handles `datetime` but not `date`, in either direction. It is
# the JSON a date-aware converter would write, so histories stay the same if it learns `date`.


@dataclass
class OfferFacts:
    offer_id: str
    round: int
    made_by: str
    offer_type: str
    status: str
    valid_until: str
    instalments: int | None = None
    first_due_date: str | None = None

    @property
    def valid_until_date(self) -> date:
        return date.fromisoformat(self.valid_until)


@dataclass
class OfferStatusChange:
    offer_id: str
    status: str
    # Counter-offers: the decision deadline when asked, the client's decision when made.
    decision_deadline: datetime | None = None
    client_decision: str | None = None
    decided_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass
class ScheduleRequest:
    negotiation_id: str
    offer_id: str


@dataclass
class RepaymentSchedule:
    due_dates: list[str] = field(default_factory=list)

    @property
    def dates(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.due_dates]


@dataclass
class InstalmentPayment:
    negotiation_id: str
    number: int
    actor: str
    paid_at: datetime


# The names are recorded in every workflow history: never rename one.
LOAD_NEGOTIATION_FACTS = ActivityRef[NegotiationRef, NegotiationFacts](
    "load_negotiation_facts", NegotiationFacts
)
OPEN_NEGOTIATIONS = ActivityRef[DossierRef, OpenedNegotiations](
    "open_negotiations", OpenedNegotiations
)
RECORD_NEGOTIATION_PROGRESS = ActivityRef[NegotiationProgress, None](
    "record_negotiation_progress", type(None)
)
SEND_CREDITOR_MESSAGE = ActivityRef[CreditorMessage, CreditorMessageSent](
    "send_creditor_message", CreditorMessageSent
)
SEND_NEGOTIATION_EMAIL = ActivityRef[NegotiationEmail, EmailOutcome](
    "send_negotiation_email", EmailOutcome
)
SEND_CONSENT_RECEIPT = ActivityRef[ConsentReceipt, EmailOutcome](
    "send_consent_receipt", EmailOutcome
)
LOAD_OFFER = ActivityRef[OfferRef, OfferFacts]("load_negotiation_offer", OfferFacts)
SET_OFFER_STATUS = ActivityRef[OfferStatusChange, None]("set_negotiation_offer_status", type(None))
CREATE_SCHEDULE = ActivityRef[ScheduleRequest, RepaymentSchedule](
    "create_repayment_schedule", RepaymentSchedule
)
RECORD_INSTALMENT = ActivityRef[InstalmentPayment, None]("record_instalment_payment", type(None))
