"""GET /privacy-requests/{id}: a request with its clock, its outcomes, its timeline and, for the
DPO, the actions that move it. Opening it is an audited read (it shows the person's address)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.deadline import MAX_EXTENSION_MONTHS
from domain.privacy.identity import DocumentKind, IdentityDecision, IdentityStatus
from domain.privacy.rectification import RectifiableField
from domain.privacy.request import Outcome, PauseReason, RequestStatus
from models.database import session_scope
from models.dossier import Dossier
from models.privacy_request import PrivacyIdentityDocument
from models.staff import Role, StaffUser
from services.dossiers.access import can_access
from services.privacy_requests.identity import pending_documents
from services.privacy_requests.queries import get_request
from services.privacy_requests.rectification import RectificationView, rectifications_of
from services.privacy_requests.views import PrivacyRequestDetail
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.ui.rendering import render

router = APIRouter()
ACTION_LABELS = {
    "field": "Donnée à corriger",
    "new_value": "Nouvelle valeur",
    "justification": "Motif de la rectification",
    "conclusion": "Conclusion",
    "notice_id": "Créancier",
    "file": "Pièce d'identité",
    "document_kind": "Nature de la pièce",
    "last_name": "Nom sur la pièce",
    "first_name": "Prénom sur la pièce",
    "expires_on": "Date d'expiration",
    "waiting_for": "Ce que vous attendez de la personne",
    "months": "Durée de la prolongation",
    "reason": "Motif de la prolongation",
    "right": "Droit",
    "decision": "Décision",
    "reasons": "Motifs",
}


def _load(
    settings: Settings, staff: StaffUser, request_id: str
) -> tuple[
    PrivacyRequestDetail,
    Dossier | None,
    dict[str, str],
    list[PrivacyIdentityDocument],
    list[RectificationView],
]:
    with session_scope(settings) as session:
        detail = get_request(session, staff, request_id, utcnow(), settings)
        staff_ids = {
            int(e.actor.removeprefix("staff:"))
            for e in detail.events
            if e.actor.startswith("staff:")
        }
        names = {
            f"staff:{member.id}": member.display_name
            for member in session.exec(
                select(StaffUser).where(col(StaffUser.id).in_(staff_ids))
            ).all()
        }
        dossier = None
        if detail.client_id is not None:
            dossiers = session.exec(
                select(Dossier)
                .where(Dossier.client_id == detail.client_id)
                .order_by(col(Dossier.created_at).desc())
            ).all()
            dossier = next((d for d in dossiers if can_access(staff, d)), None)
        documents = pending_documents(session, detail.id) if staff.role == Role.DPO else []
        corrections = rectifications_of(session, detail.id)
        return detail, dossier, names, documents, corrections


async def request_page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    request_id: str,
    *,
    status_code: int = status.HTTP_200_OK,
    **state: Any,
) -> HTMLResponse:
    """The page; `state` says which action panel is open, what was typed and why it failed."""
    loaded = await run_in_threadpool(_load, settings, staff, request_id)
    detail, dossier, names, documents, corrections = loaded
    decided = set(detail.outcomes)
    context: dict[str, Any] = {
        "nav": "privacy",
        "r": detail,
        "dossier": dossier,
        "can_drive": staff.role == Role.DPO and detail.status != RequestStatus.ANSWERED,
        "is_dpo": staff.role == Role.DPO,
        "undecided": [right for right in detail.rights if right not in decided],
        "pause_options": [(p.value, label) for p, label in PauseReason.labels().items()],
        "month_options": [(str(n), f"{n} mois") for n in range(1, MAX_EXTENSION_MONTHS + 1)],
        "decision_options": [(o.value, label) for o, label in Outcome.labels().items()],
        "right_options": [(r.value, r.label) for r in detail.rights],
        "action_error": None,
        "action_panel": None,
        "typed": {},
        "errors": {},
        "action_labels": ACTION_LABELS,
        "actor_names": names,
        "identity_documents": documents,
        "rectifications": corrections,
        "rectifiable_options": [(f.value, label) for f, label in RectifiableField.labels().items()],
        "identity_labels": IdentityStatus.labels(),
        "document_kind_options": [(k.value, label) for k, label in DocumentKind.labels().items()],
        "identity_decision_options": [
            (d.value, label) for d, label in IdentityDecision.labels().items()
        ],
    }
    context.update(state)
    return render(
        request, "web/privacy/detail.html", context, status_code=status_code, settings=settings
    )


@router.get("/privacy-requests/{request_id}", response_class=HTMLResponse)
async def privacy_request_page(
    request: Request, request_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    return await request_page(request, settings, staff, request_id)
