"""The activities the BreachWorkflow calls, with their arguments and results: breach ids,
codes, counts and dates, never personal data (the activities read that from the database)."""

from dataclasses import dataclass, field
from datetime import datetime

from activities.contracts.refs import ActivityRef


@dataclass
class BreachRef:
    breach_id: str


@dataclass
class BreachFacts:
    # A BreachStatus value ("suspected" or "open" when the workflow starts).
    status: str
    aware_at: datetime


@dataclass
class BreachSnapshot:
    """The read model as the workflow leaves it after an event."""

    status: str
    aware_at: datetime
    notifications: int
    informing: bool
    informed_at: datetime | None
    alerts: list[str] = field(default_factory=list)
    closed_at: datetime | None = None


@dataclass
class BreachEventRecord:
    """One event of the breach's timeline and the state it leaves; `key` makes a retried
    activity find what it wrote. `notification_id`: the CNIL notification it accepts."""

    breach_id: str
    key: str
    kind: str
    actor: str
    at: datetime
    snapshot: BreachSnapshot
    detail: dict[str, str | int] = field(default_factory=dict)
    notification_id: int | None = None


@dataclass
class BreachAlert:
    """An email to staff about the breach: `kind` "suspicion", "alert" or "overdue"; `key`
    names it in the outbox (one message per recipient)."""

    breach_id: str
    key: str
    kind: str
    at: datetime
    hours: int = 0


@dataclass
class AlertOutcome:
    sent: int
    recipients: int


@dataclass
class InformBatch:
    """Inform up to `size` affected persons not informed yet."""

    breach_id: str
    size: int


@dataclass
class InformProgress:
    # Of this batch: emailed now, without a usable address (another channel), refused by the
    # relay; and how many remain pending after it.
    emailed: int
    no_email: int
    refused: int
    remaining: int


LOAD_BREACH = ActivityRef[BreachRef, BreachFacts]("load_breach", BreachFacts)
RECORD_BREACH_EVENT = ActivityRef[BreachEventRecord, bool]("record_breach_event", bool)
SEND_BREACH_ALERT = ActivityRef[BreachAlert, AlertOutcome]("send_breach_alert", AlertOutcome)
INFORM_BREACH_PEOPLE = ActivityRef[InformBatch, InformProgress](
    "inform_breach_people", InformProgress
)
