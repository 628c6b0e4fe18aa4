"""Dossier actions shared by the pages and the API: each one checks access, stages its data
(domain/staged_writes.py) and moves the workflow through an Update that names it. A refusal
leaves the data as it was: what was staged stays inert until swept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from config.settings import Settings
from domain.dossier_stages import OPEN_STAGES, DocumentKind
from domain.intake import CloseRequest, DossierCreate, LegalHoldRequest
from domain.staff_notifications import NotificationKind
from domain.staged_writes import StagedWriteKind
from gateway.start_intents import create_dossier_with_start_intent
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from models.staff import StaffUser
from services.documents import store_document
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.dossiers.intake_requests import (
    dossier_of_request,
    record_request,
    refuse_unconfirmed_second_dossier,
)
from services.dossiers.updates import stage_dossier_text
from services.staff_notifications import notify_assignee
from web.transactions import in_session
from web.workflow_gateway import (
    TemporalUnavailable,
    TransitionRefused,
    query_status,
    send_update,
    start_dossier_workflow,
)
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    LIFT_LEGAL_HOLD_UPDATE,
    PLACE_LEGAL_HOLD_UPDATE,
    CloseDossier,
    DocumentsChanged,
    DossierStatus,
    LegalHoldChange,
)

log = logging.getLogger(__name__)

ALREADY_CLOSED = "Ce dossier est déjà clôturé."
NOT_NOTIFIED = (
    "La pièce est enregistrée ; le suivi du dossier en tiendra compte dès que le moteur de "
    "suivi sera de nouveau joignable."
)

CHANGE_NOT_NOTIFIED = (
    "Le changement est enregistré ; le suivi du dossier en tiendra compte dès que le moteur de "
    "suivi sera de nouveau joignable."
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@dataclass(frozen=True)
class OpenedDossier:
    dossier: Dossier
    # False when this was a retry of a request already served: nothing new was created.
    created: bool


async def open_dossier(
    request: Request, data: DossierCreate, actor: StaffUser, request_key: str | None = None
) -> OpenedDossier:
    """Create the dossier (its workflow intent commits with it), then start the workflow.

    With a `request_key`, a request served before gets its dossier back instead of a second one
    (services/dossiers/intake_requests.py). A person with an open dossier is refused (409)
    unless the second dossier is confirmed. If Temporal is down the dossier is still created:
    the worker's relay starts it later.
    """
    settings = _settings(request)

    def served_before() -> Dossier | None:
        if request_key is None:
            return None
        with session_scope(settings) as session:
            return dossier_of_request(session, settings, actor, request_key, data)

    def create() -> OpenedDossier:
        try:
            with session_scope(settings) as session:
                # Inside the transaction: a request served before, or a twin committed meanwhile,
                # is seen here (SQLite serialises writers), or makes record_request fail below
                # (PostgreSQL).
                if request_key is not None and (
                    twin := dossier_of_request(session, settings, actor, request_key, data)
                ):
                    return OpenedDossier(twin, created=False)
                refuse_unconfirmed_second_dossier(session, settings, actor, data)
                dossier = create_dossier_with_start_intent(session, data, actor, settings)
                if request_key is not None:
                    record_request(session, settings, actor, request_key, data, dossier)
                return OpenedDossier(dossier, created=True)
        except IntegrityError:
            # The same request, retried at the same moment, committed first: take its dossier.
            served = served_before()
            if served is None:
                raise
            return OpenedDossier(served, created=False)

    opened = await run_in_threadpool(create)
    # Also on a retry: the first attempt may have died before starting the workflow.
    await start_dossier_workflow(request, opened.dossier.id)
    return opened


@dataclass
class UploadResult:
    document: Document
    # False when Temporal could not be told: the document is stored all the same.
    workflow_notified: bool
    missing_documents: list[str] | None
    notice: str | None


async def upload_document(
    request: Request,
    viewer: StaffUser,
    dossier_id: str,
    kind: DocumentKind | str,
    upload: UploadFile,
) -> UploadResult:
    settings = _settings(request)
    # One byte over the limit is enough to refuse; never hold more than that in memory.
    data = await upload.read(settings.upload_max_bytes + 1)

    def store() -> Document:
        with session_scope(settings) as session:
            dossier = load_dossier(
                session, viewer, dossier_id, DossierAction.WRITE, "document.upload"
            )
            document = store_document(
                session, dossier, kind, upload.filename, data, viewer, settings
            )
            # In the upload's transaction: the assignee hears of a document someone else added.
            notify_assignee(
                session,
                settings,
                dossier_id=dossier.id,
                kind=NotificationKind.DOCUMENT_RECEIVED,
                source_key=f"document:{document.id}",
                actor=actor_of(viewer),
            )
            return document

    document = await run_in_threadpool(store)
    try:
        missing = await send_update(
            request, dossier_id, DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor_of(viewer))
        )
    except (TemporalUnavailable, TransitionRefused) as exc:
        log.warning("documents_changed not delivered for dossier %s: %s", dossier_id, exc)
        return UploadResult(document, False, None, NOT_NOTIFIED)
    return UploadResult(document, True, list(missing or []), None)


async def documents_changed(request: Request, viewer: StaffUser, dossier_id: str) -> str | None:
    """Tell the workflow the dossier's documents changed; the notice to show when it could not
    be told (the checklist in the database is already right)."""
    try:
        await send_update(
            request, dossier_id, DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor_of(viewer))
        )
    except (TemporalUnavailable, TransitionRefused) as exc:
        log.warning("documents_changed not delivered for dossier %s: %s", dossier_id, exc)
        return CHANGE_NOT_NOTIFIED
    return None


async def close_dossier(
    request: Request, viewer: StaffUser, dossier_id: str, close: CloseRequest
) -> str:
    """Stage the note, then close through the workflow (its validator has the last word)."""
    settings = _settings(request)

    def stage(session: Session) -> str | None:
        dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, "close")
        if dossier.stage not in OPEN_STAGES:
            raise TransitionRefused(ALREADY_CLOSED)
        kind = StagedWriteKind.CLOSURE_NOTE
        return stage_dossier_text(session, settings, viewer, dossier_id, kind, close.note)

    staged_write_id = await in_session(settings, stage)
    closing = CloseDossier(close.outcome.value, actor_of(viewer), staged_write_id)
    return str(await send_update(request, dossier_id, CLOSE_UPDATE, closing))


async def place_legal_hold(
    request: Request, viewer: StaffUser, dossier_id: str, hold: LegalHoldRequest
) -> None:
    settings = _settings(request)
    staged_write_id = await in_session(
        settings,
        stage_dossier_text,
        settings,
        viewer,
        dossier_id,
        StagedWriteKind.LEGAL_HOLD_REASON,
        hold.reason,
    )
    change = LegalHoldChange(actor_of(viewer), staged_write_id)
    await send_update(request, dossier_id, PLACE_LEGAL_HOLD_UPDATE, change)


async def lift_legal_hold(request: Request, viewer: StaffUser, dossier_id: str) -> None:
    settings = _settings(request)
    await in_session(
        settings, _check_access, viewer, dossier_id, DossierAction.LEGAL_HOLD, "legal_hold"
    )
    await send_update(
        request, dossier_id, LIFT_LEGAL_HOLD_UPDATE, LegalHoldChange(actor=actor_of(viewer))
    )


def _check_access(
    session: Session, viewer: StaffUser, dossier_id: str, action: DossierAction, purpose: str
) -> None:
    load_dossier(session, viewer, dossier_id, action, purpose)


async def live_status(request: Request, viewer: StaffUser, dossier_id: str) -> DossierStatus:
    settings = _settings(request)

    await in_session(settings, _check_access, viewer, dossier_id, DossierAction.READ, "status")
    return await query_status(request, dossier_id)
