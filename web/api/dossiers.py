"""Dossiers: list and search, create, read, close, legal hold, timeline, live status."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from domain.dossier_stages import Stage
from domain.input_fields import MAX_PAGE, MAX_ROW_ID
from domain.intake import CloseRequest, DossierCreate, LegalHoldRequest
from models.database import session_scope
from services.dossiers.intake_requests import MAX_KEY_LENGTH, check_request_key
from services.dossiers.queries import get_dossier_detail, get_timeline, list_dossiers
from services.dossiers.views import DossierDetail, DossierPage, TimelineEntry
from web import dossier_actions
from web.api.schemas import DossierCreated, LegalHoldResult, LiveStatus, StageResult
from web.auth import ApiStaff
from web.deps import SettingsDep

router = APIRouter(prefix="/dossiers", tags=["dossiers"])


@router.get("", response_model=DossierPage)
def search_dossiers(
    staff: ApiStaff,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            max_length=200,
            description=(
                "Mots entiers du nom ou du prénom du client (accents et majuscules ignorés), "
                "téléphone (tout format), e-mail complet, référence ou partie de référence, "
                "nom d'un créancier du dossier ; chaque mot doit correspondre"
            ),
        ),
    ] = "",
    stage: Stage | None = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DossierPage:
    """Dossiers the caller may see, newest first."""
    with session_scope(settings) as session:
        return list_dossiers(
            session,
            staff,
            q=q,
            stage=stage.value if stage else None,
            assignee_id=assignee_id,
            page=page,
            per_page=per_page,
            settings=settings,
        )


@router.post("", response_model=DossierCreated, status_code=status.HTTP_201_CREATED)
async def create(
    request: Request,
    response: Response,
    staff: ApiStaff,
    data: DossierCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=MAX_KEY_LENGTH,
            description=(
                "A key of your choosing, new for each dossier: a retry with the same key and "
                "the same body (after a timeout, a lost answer) returns the dossier already "
                "created instead of a second one; the same key with another body is a 409."
            ),
        ),
    ] = None,
) -> DossierCreated:
    """Open a dossier for a new client and start its workflow. 409 on `email` if the person
    already has an open dossier, unless `confirm_second_dossier` is true."""
    key = check_request_key(idempotency_key) if idempotency_key is not None else None
    opened = await dossier_actions.open_dossier(request, data, staff, key)
    if not opened.created:
        response.headers["Idempotent-Replayed"] = "true"
    dossier = opened.dossier
    return DossierCreated(
        id=dossier.id, reference=dossier.reference, workflow_id=dossier.workflow_id
    )


@router.get("/{dossier_id}", response_model=DossierDetail)
def read(
    dossier_id: str,
    staff: ApiStaff,
    settings: SettingsDep,
    reason: Annotated[
        str, Query(max_length=200, description="Pourquoi ce dossier est consulté (journal d'audit)")
    ] = "consultation via l'API",
) -> DossierDetail:
    """The dossier with its client's data decrypted; the read is audited."""
    with session_scope(settings) as session:
        return get_dossier_detail(
            session, staff, dossier_id, reason or "consultation via l'API", settings
        )


@router.post("/{dossier_id}/close", response_model=StageResult)
async def close(
    request: Request, dossier_id: str, staff: ApiStaff, body: CloseRequest
) -> StageResult:
    """Close with an outcome; 409 if the dossier's stage does not allow it."""
    stage = await dossier_actions.close_dossier(request, staff, dossier_id, body)
    return StageResult(stage=stage)


@router.post("/{dossier_id}/legal-hold", response_model=LegalHoldResult)
async def place_legal_hold(
    request: Request, dossier_id: str, staff: ApiStaff, body: LegalHoldRequest
) -> LegalHoldResult:
    """Suspend retention deletions (supervisor of the team, or DPO)."""
    await dossier_actions.place_legal_hold(request, staff, dossier_id, body)
    return LegalHoldResult(legal_hold=True)


@router.delete("/{dossier_id}/legal-hold", response_model=LegalHoldResult)
async def lift_legal_hold(request: Request, dossier_id: str, staff: ApiStaff) -> LegalHoldResult:
    await dossier_actions.lift_legal_hold(request, staff, dossier_id)
    return LegalHoldResult(legal_hold=False)


@router.get("/{dossier_id}/timeline", response_model=list[TimelineEntry])
def timeline(dossier_id: str, staff: ApiStaff, settings: SettingsDep) -> list[TimelineEntry]:
    with session_scope(settings) as session:
        return get_timeline(session, staff, dossier_id, settings)


@router.get("/{dossier_id}/status", response_model=LiveStatus)
async def live_status(request: Request, dossier_id: str, staff: ApiStaff) -> LiveStatus:
    """What the dossier's workflow says right now (503 if Temporal cannot be reached)."""
    found = await dossier_actions.live_status(request, staff, dossier_id)
    return LiveStatus(**asdict(found))
