"""The activities the PrivacyRequestWorkflow calls, with their arguments and results: request
ids, codes and dates, never personal data (the activities read that from the database)."""

from dataclasses import dataclass, field
from datetime import datetime

from activities.contracts.refs import ActivityRef


@dataclass
class RequestRef:
    request_id: str


@dataclass
class RequestFacts:
    """What the clock needs: the rights asked (Right values) and the moment of receipt."""

    rights: list[str]
    received_at: datetime
    # Filed on the public form: the clock starts once the person confirms their address.
    awaiting_confirmation: bool = False


@dataclass
class RequestSnapshot:
    """The read model as the workflow leaves it after an event."""

    status: str
    due_at: datetime
    paused_days: int
    extended_months: int
    outcomes: dict[str, str] = field(default_factory=dict)
    answered_at: datetime | None = None


@dataclass
class RequestEvent:
    """One event of the request's timeline (an EventKind value) and the state it leaves; `key`
    makes a retried activity find what it wrote."""

    request_id: str
    key: str
    kind: str
    actor: str
    at: datetime
    snapshot: RequestSnapshot
    detail: dict[str, str | int] = field(default_factory=dict)
    note_id: int | None = None


@dataclass
class RequestNotice:
    """An email about the request: `kind` a NoticeKind value (to staff) or "extension" /
    "response" (to the person); `key` names it for the outbox, one message per recipient."""

    request_id: str
    key: str
    kind: str
    # When the workflow sends it (what "days left" counts from) and the due date it is about.
    at: datetime
    due_at: datetime
    note_id: int | None = None
    # The files the answer links to (access package, portable data): PrivacyDownload ids.
    download_ids: list[str] = field(default_factory=list)


@dataclass
class NoticeOutcome:
    # How many messages left now (0 on a retry that finds them sent, or when nobody can be
    # reached by email: the timeline says so).
    sent: int
    recipients: int


@dataclass
class ConfirmationRecord:
    """The person confirmed their address at `received_at`: the request is received then."""

    request_id: str
    received_at: datetime


@dataclass
class ExportRequest:
    """Make the file of `kind` (an access package, or portable data) for the request."""

    request_id: str
    kind: str


@dataclass
class ExportReady:
    download_id: str
    size_bytes: int


@dataclass
class ErasureRequest:
    """Erase what the plan allows at `at` (the moment the answer was sent)."""

    request_id: str
    at: datetime


@dataclass
class ErasureDone:
    # Everything went (the data key destroyed), or these record groups were withheld.
    complete: bool
    withheld: list[str] = field(default_factory=list)


@dataclass
class RestrictionChange:
    """Restrict (or lift the restriction of) the processing of the request's client's data."""

    request_id: str
    at: datetime
    restricted: bool


@dataclass
class CorrectionNotices:
    """Tell the creditors that received the old value of rectification `rectification_id`."""

    request_id: str
    rectification_id: int


@dataclass
class CorrectionSent:
    # A RectifiableField value; creditors emailed now; those to write to by post.
    field_name: str
    emailed: int
    by_post: int


@dataclass
class NoticesSent:
    """Creditors emailed now; those to write to by post."""

    emailed: int
    by_post: int


LOAD_PRIVACY_REQUEST = ActivityRef[RequestRef, RequestFacts]("load_privacy_request", RequestFacts)
RECORD_PRIVACY_EVENT = ActivityRef[RequestEvent, bool]("record_privacy_event", bool)
SEND_PRIVACY_NOTICE = ActivityRef[RequestNotice, NoticeOutcome](
    "send_privacy_notice", NoticeOutcome
)
PREPARE_PRIVACY_EXPORT = ActivityRef[ExportRequest, ExportReady](
    "prepare_privacy_export", ExportReady
)
RECORD_PRIVACY_CONFIRMATION = ActivityRef[ConfirmationRecord, None](
    "record_privacy_confirmation", type(None)
)
DISCARD_UNCONFIRMED_REQUEST = ActivityRef[RequestRef, None](
    "discard_unconfirmed_request", type(None)
)
ERASE_PERSON_DATA = ActivityRef[ErasureRequest, ErasureDone]("erase_person_data", ErasureDone)
CHANGE_RESTRICTION = ActivityRef[RestrictionChange, bool]("change_restriction", bool)
SEND_CORRECTION_NOTICES = ActivityRef[CorrectionNotices, CorrectionSent](
    "send_correction_notices", CorrectionSent
)
SEND_ERASURE_NOTICES = ActivityRef[RequestRef, NoticesSent]("send_erasure_notices", NoticesSent)
