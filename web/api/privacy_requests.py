"""Data-subject requests (GDPR Art. 15–21) for the DPO: record, list, read, and the actions
that move a request on its 30-day clock (pause, resume, extend, decide, respond)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from domain.clock import utcnow
from domain.input_fields import MAX_PAGE
from domain.privacy.actions import DecideIn, ExtendIn, PauseIn
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.rectification import RectificationIn
from domain.privacy.request import Right
from models.database import session_scope
from services.dossiers.intake_requests import MAX_KEY_LENGTH, check_request_key
from services.privacy_requests.queries import (
    QueueFilter,
    get_request,
    get_request_view,
    list_requests,
    request_view,
)
from services.privacy_requests.views import (
    PrivacyRequestDetail,
    PrivacyRequestPage,
    PrivacyRequestView,
)
from web import privacy_request_actions as actions
from web.auth import ApiStaff
from web.deps import SettingsDep

router = APIRouter(prefix="/privacy-requests", tags=["privacy requests"])


@router.post("", response_model=PrivacyRequestView, status_code=status.HTTP_201_CREATED)
async def record(
    request: Request,
    response: Response,
    staff: ApiStaff,
    data: PrivacyRequestIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=MAX_KEY_LENGTH,
            description=(
                "A key of your choosing, new for each request: a retry with the same key and the "
                "same body returns the request already recorded; the same key with another body "
                "is a 409."
            ),
        ),
    ] = None,
) -> PrivacyRequestView:
    """Record a request as received (`received_at`: when it reached the company, with its UTC
    offset; the clock starts then) and start its workflow. `due_at` is the last second of the
    due day in Paris."""
    key = check_request_key(idempotency_key) if idempotency_key is not None else None
    recorded = await actions.record_request(request, data, staff, key)
    if not recorded.created:
        response.headers["Idempotent-Replayed"] = "true"
    return request_view(recorded.row, utcnow())


@router.get("", response_model=PrivacyRequestPage)
def queue(
    staff: ApiStaff,
    settings: SettingsDep,
    show: QueueFilter = QueueFilter.TO_DO,
    right: Right | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> PrivacyRequestPage:
    """The requests the caller may see, the nearest due date first."""
    with session_scope(settings) as session:
        return list_requests(
            session, staff, utcnow(), show=show, right=right, page=page, per_page=per_page
        )


@router.get("/{request_id}", response_model=PrivacyRequestDetail)
def read(request_id: str, staff: ApiStaff, settings: SettingsDep) -> PrivacyRequestDetail:
    """The request with its timeline and the address it came from; the read is audited."""
    with session_scope(settings) as session:
        return get_request(session, staff, request_id, utcnow(), settings, "consultation via l'API")


def _current(settings: SettingsDep, staff: ApiStaff, request_id: str) -> PrivacyRequestView:
    with session_scope(settings) as session:
        return get_request_view(session, staff, request_id, utcnow())


@router.post("/{request_id}/pause", response_model=PrivacyRequestView)
async def pause(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep, body: PauseIn
) -> PrivacyRequestView:
    """Stop the clock while waiting on the person (an ID document, a clarification); 409 if
    the request is answered, already paused or overdue."""
    await actions.pause(request, staff, request_id, body)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/resume", response_model=PrivacyRequestView)
async def resume(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep
) -> PrivacyRequestView:
    """Start the clock again; the days it stood still are added to the due date."""
    await actions.resume(request, staff, request_id)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/extend", response_model=PrivacyRequestView)
async def extend(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep, body: ExtendIn
) -> PrivacyRequestView:
    """The one extension of one or two months, before the due date, with a reason the person
    receives at once; 409 otherwise."""
    await actions.extend(request, staff, request_id, body)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/decide", response_model=PrivacyRequestView)
async def decide(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep, body: DecideIn
) -> PrivacyRequestView:
    """The outcome of one right of the request; a refusal (whole or partial) with its reasons."""
    await actions.decide(request, staff, request_id, body)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/respond", response_model=PrivacyRequestView)
async def respond(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep
) -> PrivacyRequestView:
    """Send the answer (every right decided, clock running) and close the request."""
    await actions.respond(request, staff, request_id)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/lift-restriction", response_model=PrivacyRequestView)
async def lift_restriction(
    request: Request, request_id: str, staff: ApiStaff, settings: SettingsDep
) -> PrivacyRequestView:
    """End the restriction of processing this request granted: the person is emailed first;
    409 if none is in place."""
    await actions.lift_restriction(request, staff, request_id)
    return _current(settings, staff, request_id)


@router.post("/{request_id}/rectify", response_model=PrivacyRequestView)
async def rectify(
    request: Request,
    request_id: str,
    staff: ApiStaff,
    settings: SettingsDep,
    body: RectificationIn,
    response: Response,
) -> PrivacyRequestView:
    """Correct one of the client's details (checked with its intake rule); the creditors that
    received the old value are emailed. `X-Creditors-Told: false` when they could not be yet
    (Temporal unreachable): the correction stands, tell them from the request's page."""
    told = await actions.rectify(request, staff, request_id, body)
    response.headers["X-Creditors-Told"] = "true" if told else "false"
    return _current(settings, staff, request_id)
