"""What the budget pages share: the dossier heading, access checks, the page layout context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from config.settings import Settings
from domain.dossier_stages import OPEN_STAGES, Stage
from domain.errors import NotFound
from models.client import Client
from models.database import session_scope
from models.staff import Role, StaffUser
from services.budget.store import BudgetStatus, budget_status
from services.dossiers.access import DossierAction, can_access, load_dossier
from web.ui.rendering import render

# Who may view and edit the commissions' forfaits (no personal data on that page).
ALLOWANCE_EDITORS = (Role.ADMIN, Role.SUPERVISOR)


@dataclass(frozen=True)
class BudgetHeading:
    """The dossier as the budget pages name it: no personal data, no figure."""

    id: str
    reference: str
    stage: Stage
    departement: str
    can_write: bool
    status: BudgetStatus

    @property
    def open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def editable_stage(self) -> bool:
        """Open and not yet approved by the client (what they approved stays as approved)."""
        return self.open and self.stage != Stage.APPROVED


def load_heading(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    action: DossierAction = DossierAction.READ,
    purpose: str = "budget",
) -> BudgetHeading:
    """Access-checked (NotFound, AccessDenied audited) before anything else is read."""
    dossier = load_dossier(session, viewer, dossier_id, action, purpose)
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    return BudgetHeading(
        id=dossier.id,
        reference=dossier.reference,
        stage=dossier.stage,
        departement=client.departement,
        can_write=can_access(viewer, dossier, DossierAction.WRITE),
        status=budget_status(session, dossier.id),
    )


def heading_of(
    settings: Settings,
    viewer: StaffUser,
    dossier_id: str,
    action: DossierAction = DossierAction.READ,
) -> BudgetHeading:
    with session_scope(settings) as session:
        return load_heading(session, viewer, dossier_id, action)


def budget_page(
    request: Request,
    settings: Settings,
    template: str,
    heading: BudgetHeading,
    context: dict[str, Any],
    *,
    tab: str,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    staff = getattr(request.state, "staff", None)
    full = {
        "nav": "dossiers",
        "dossier": heading,
        "tab": tab,
        "can_edit_allowances": staff is not None and staff.role in ALLOWANCE_EDITORS,
        **context,
    }
    return render(request, template, full, status_code=status_code, settings=settings)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status.HTTP_303_SEE_OTHER)
