"""Data-subject request actions shared by the pages and the API: each checks access before
anything, stores what the DPO wrote for the person, then asks the request's workflow, whose
validators have the last word (a refused action leaves the request as it was; a note written
for it stays unreferenced, shown nowhere)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput
from domain.privacy.actions import DecideIn, ExtendIn, PauseIn
from domain.privacy.identity import IdentityCheckIn
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.rectification import RectificationIn
from domain.privacy.request import REASON_NEEDED, Outcome, RequestStatus
from gateway.start_intents import record_privacy_request_start_intent
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from models.staff import StaffUser
from services.dossiers.access import actor_of
from services.privacy_requests.access import load_request
from services.privacy_requests.identity import record_identity_check, store_identity_document
from services.privacy_requests.notes import write_note
from services.privacy_requests.records import create_request, request_of_key
from services.privacy_requests.rectification import acknowledge
from services.privacy_requests.rectification import rectify as rectify_detail
from web.transactions import in_session
from web.workflow_gateway import (
    TemporalUnavailable,
    TransitionRefused,
    send_privacy_update,
    start_privacy_request_workflow,
)
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    EXTEND_UPDATE,
    LIFT_RESTRICTION_UPDATE,
    PAUSE_UPDATE,
    RECTIFIED_UPDATE,
    RESPOND_UPDATE,
    RESUME_UPDATE,
    DecideRight,
    ExtendDeadline,
    LiftRestriction,
    PauseClock,
    Rectified,
    ResumeClock,
    SendResponse,
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@dataclass(frozen=True)
class RecordedRequest:
    row: PrivacyRequest
    # False when this was a retry of a creation already served: nothing new was recorded.
    created: bool


async def record_request(
    request: Request, data: PrivacyRequestIn, staff: StaffUser, key: str | None = None
) -> RecordedRequest:
    """Record the request (its workflow intent commits with it), then start its workflow; if
    Temporal is down the worker's relay starts it later."""
    settings = _settings(request)

    def served() -> PrivacyRequest | None:
        if key is None:
            return None
        with session_scope(settings) as session:
            return request_of_key(session, settings, staff, key, data)

    def create() -> RecordedRequest:
        try:
            with session_scope(settings) as session:
                if key is not None and (
                    twin := request_of_key(session, settings, staff, key, data)
                ):
                    return RecordedRequest(twin, created=False)
                row = create_request(session, data, staff, settings, utcnow(), key)
                record_privacy_request_start_intent(session, row.id)
                return RecordedRequest(row, created=True)
        except IntegrityError:
            # The same creation, retried at the same moment, committed first.
            twin = served()
            if twin is None:
                raise
            return RecordedRequest(twin, created=False)

    recorded = await run_in_threadpool(create)
    # Also on a retry: the first attempt may have died before starting the workflow.
    await start_privacy_request_workflow(request, recorded.row.id)
    return recorded


async def _drive(
    request: Request,
    staff: StaffUser,
    request_id: str,
    purpose: str,
    update: str,
    message: Any,
    note: str | None = None,
) -> Any:
    """Check that `staff` may drive the request, store `note` (its id set on `message`), then
    send the update."""
    settings = _settings(request)

    def prepare() -> None:
        with session_scope(settings) as session:
            row = load_request(session, staff, request_id, purpose, drive=True)
            if note is not None:
                message.note_id = write_note(session, row, note, actor_of(staff), settings)

    await run_in_threadpool(prepare)
    return await send_privacy_update(request, request_id, update, message)


async def pause(request: Request, staff: StaffUser, request_id: str, data: PauseIn) -> None:
    message = PauseClock(reason=data.waiting_for.value, actor=actor_of(staff))
    await _drive(request, staff, request_id, "privacy_request.pause", PAUSE_UPDATE, message)


async def resume(request: Request, staff: StaffUser, request_id: str) -> None:
    message = ResumeClock(actor=actor_of(staff))
    await _drive(request, staff, request_id, "privacy_request.resume", RESUME_UPDATE, message)


async def extend(request: Request, staff: StaffUser, request_id: str, data: ExtendIn) -> None:
    message = ExtendDeadline(months=data.months, note_id=0, actor=actor_of(staff))
    await _drive(
        request, staff, request_id, "privacy_request.extend", EXTEND_UPDATE, message, data.reason
    )


async def decide(request: Request, staff: StaffUser, request_id: str, data: DecideIn) -> None:
    if data.decision != Outcome.FULFILLED and not data.reasons:
        await require_driver(request, staff, request_id)
        raise InvalidInput({"reasons": REASON_NEEDED})
    message = DecideRight(
        right=data.right.value, outcome=data.decision.value, actor=actor_of(staff)
    )
    await _drive(
        request, staff, request_id, "privacy_request.decide", DECIDE_UPDATE, message, data.reasons
    )


async def lift_restriction(request: Request, staff: StaffUser, request_id: str) -> None:
    message = LiftRestriction(actor=actor_of(staff))
    await _drive(
        request, staff, request_id, "privacy_request.lift", LIFT_RESTRICTION_UPDATE, message
    )


async def respond(request: Request, staff: StaffUser, request_id: str) -> None:
    message = SendResponse(actor=actor_of(staff))
    await _drive(request, staff, request_id, "privacy_request.respond", RESPOND_UPDATE, message)


async def require_driver(request: Request, staff: StaffUser, request_id: str) -> None:
    """Refuse (403, audited) before showing form errors to someone who may not act at all."""
    settings = _settings(request)

    def check() -> None:
        with session_scope(settings) as session:
            load_request(session, staff, request_id, "privacy_request.act", drive=True)

    await run_in_threadpool(check)


async def upload_identity_document(
    request: Request, staff: StaffUser, request_id: str, upload: UploadFile
) -> None:
    settings = _settings(request)
    # One byte over the limit is enough to refuse; never hold more than that in memory.
    data = await upload.read(settings.upload_max_bytes + 1)
    await in_session(
        settings, store_identity_document, settings, staff, request_id, upload.filename, data,
        utcnow(),
    )  # fmt: skip


async def check_identity(
    request: Request, staff: StaffUser, request_id: str, data: IdentityCheckIn
) -> bool:
    """Record the DPO's conclusion (the documents shredded); a clock paused for the ID
    document runs again. False when the clock could not be told (Temporal down): the
    conclusion stands, the DPO resumes it later."""
    settings = _settings(request)
    row = await in_session(
        settings, record_identity_check, settings, staff, request_id, data, utcnow()
    )
    if row.status != RequestStatus.PAUSED.value:
        return True
    try:
        await resume(request, staff, request_id)
    except (TransitionRefused, TemporalUnavailable):
        return False
    return True


async def rectify(
    request: Request, staff: StaffUser, request_id: str, data: RectificationIn
) -> bool:
    """Correct the detail (written at once), then have the workflow tell the creditors that
    received the old value; False when it could not be told (the DPO sends them later)."""
    settings = _settings(request)
    row = await in_session(settings, rectify_detail, settings, staff, request_id, data, utcnow())
    assert row.id is not None
    return await notify_correction(request, staff, request_id, row.id)


async def notify_correction(
    request: Request, staff: StaffUser, request_id: str, rectification_id: int
) -> bool:
    message = Rectified(rectification_id=rectification_id, actor=actor_of(staff))
    try:
        await send_privacy_update(request, request_id, RECTIFIED_UPDATE, message)
    except (TransitionRefused, TemporalUnavailable):
        return False
    return True


async def acknowledge_notice(
    request: Request, staff: StaffUser, request_id: str, notice_id: int
) -> None:
    settings = _settings(request)
    await in_session(settings, acknowledge, staff, request_id, notice_id, utcnow())
