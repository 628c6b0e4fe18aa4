"""The PrivacyRequestWorkflow's name, input, updates and query: the contract the web app relies
on. Codes and opaque identifiers only: what the DPO writes for the person (an extension's
reason, a refusal's reasons) is a note row the web app stores first; updates name it by id.
Actors are "staff:<id>"."""

from dataclasses import dataclass, field
from datetime import datetime

PRIVACY_REQUEST_WORKFLOW = "PrivacyRequestWorkflow"

PAUSE_UPDATE = "pause_clock"
RESUME_UPDATE = "resume_clock"
EXTEND_UPDATE = "extend_deadline"
DECIDE_UPDATE = "decide_right"
RESPOND_UPDATE = "send_response"
CONFIRM_UPDATE = "confirm_address"
LIFT_RESTRICTION_UPDATE = "lift_restriction"
RECTIFIED_UPDATE = "rectified"
PRIVACY_STATUS_QUERY = "privacy_request_status"


@dataclass
class PrivacyRequestInput:
    request_id: str


@dataclass
class ConfirmAddress:
    """The person opened the link sent to the address they gave and confirmed the request."""


@dataclass
class PauseClock:
    """The company waits on the person (a PauseReason value: an ID document, a clarification)."""

    reason: str
    actor: str


@dataclass
class ResumeClock:
    """What the company waited for arrived (or the wait is over): the clock runs again."""

    actor: str


@dataclass
class ExtendDeadline:
    """One extension of `months` (1 or 2), for the reason written in note `note_id`."""

    months: int
    note_id: int
    actor: str


@dataclass
class DecideRight:
    """The DPO's outcome (an Outcome value) for one right (a Right value) of the request; a
    refusal, whole or partial, names the note with its reasons."""

    right: str
    outcome: str
    actor: str
    note_id: int | None = None


@dataclass
class SendResponse:
    """Every right is decided: the answer goes to the person and the request closes."""

    actor: str


@dataclass
class Rectified:
    """A detail was corrected (row `rectification_id`, written by the web app): the creditors
    that received the old value are told."""

    rectification_id: int
    actor: str


@dataclass
class LiftRestriction:
    """End the restriction granted by this request: the person is told first."""

    actor: str


@dataclass
class PrivacyRequestStatus:
    status: str
    due_at: datetime
    overdue: bool
    paused_days: int
    extended_months: int
    outcomes: dict[str, str] = field(default_factory=dict)
    # Keys of the notices sent so far (domain/privacy/notices.py).
    notices_done: list[str] = field(default_factory=list)
    # A restriction granted by this request holds (the workflow waits for it to be lifted).
    restricting: bool = False
