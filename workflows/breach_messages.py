"""The BreachWorkflow's name, input, updates and query: the contract the web app relies on.
Codes, counts, ids and moments only: what the DPO writes (description, rationale, measures,
the message to the people) is stored by the web app first, under the breach's own key.
Actors are "staff:<id>"."""

from dataclasses import dataclass, field
from datetime import datetime

BREACH_WORKFLOW = "BreachWorkflow"

CONFIRM_BREACH_UPDATE = "confirm_breach"
DISMISS_BREACH_UPDATE = "dismiss_breach"
SCOPED_UPDATE = "breach_scoped"
ASSESSED_UPDATE = "breach_assessed"
NOTIFIED_UPDATE = "cnil_notified"
INFORM_UPDATE = "inform_people"
CLOSE_BREACH_UPDATE = "close_breach"
BREACH_STATUS_QUERY = "breach_status"


@dataclass
class BreachInput:
    breach_id: str


@dataclass
class ConfirmBreach:
    """The DPO confirms a suspicion: the 72 hours run from `aware_at`."""

    aware_at: datetime
    actor: str


@dataclass
class DismissBreach:
    """The DPO concludes that what was raised is not a breach (the reason is on the row)."""

    actor: str


@dataclass
class Scoped:
    """Scope `scope_id` was computed (and adjusted): `people` persons are affected."""

    scope_id: int
    people: int
    actor: str


@dataclass
class Assessed:
    """The risk (a RiskLevel value) and any Art. 34(3) exception (an Exemption value)."""

    risk: str
    exemption: str
    actor: str
    # The rationale (and the exception's reason) were written: the rules want them.
    rationale: bool = True
    exemption_reason: bool = True


@dataclass
class Notified:
    """Notification `notification_id` (a NotificationKind value) was made to the CNIL."""

    notification_id: int
    phase: str
    delay_reasons: bool
    actor: str


@dataclass
class InformPeople:
    """Send the information email to every affected person (the message is on the row)."""

    actor: str


@dataclass
class CloseBreach:
    """Close the breach (the corrective measures are on the row)."""

    actor: str
    measures: bool = True


@dataclass
class BreachStatusView:
    # A BreachStatus value, or "loading" while the breach is read at the start (no dates yet).
    status: str
    aware_at: datetime | None
    notify_by: datetime | None
    overdue: bool
    steps: dict[str, bool | None] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    informing: bool = False
    informed: bool = False
