"""Who may see and act on which dossier (need-to-know, no IDOR, refusals audited).

- case workers: dossiers assigned to them or to their team;
- supervisors: every dossier of their team;
- DPO: read every dossier, change none (legal holds excepted);
- ops and admins: no client personal data at all.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col

from domain.errors import AccessDenied, NotFound
from models.dossier import Dossier
from models.staff import Role, StaffUser
from services.audit import append_audit


class DossierAction(StrEnum):
    READ = "read"
    WRITE = "write"
    LEGAL_HOLD = "legal_hold"


DOSSIER_READERS = frozenset({Role.CASE_WORKER, Role.SUPERVISOR, Role.DPO})
DOSSIER_WRITERS = frozenset({Role.CASE_WORKER, Role.SUPERVISOR})

NO_PERSONAL_DATA_MESSAGE = (
    "Votre rôle ne donne pas accès aux données personnelles des clients. "
    "La tentative a été enregistrée."
)
_MESSAGES = {
    DossierAction.READ: "Ce dossier n'est confié ni à vous ni à votre équipe : accès refusé. "
    "La tentative a été enregistrée.",
    DossierAction.WRITE: "Vous ne pouvez pas modifier ce dossier : il n'est confié ni à vous ni à "
    "votre équipe, ou votre rôle permet seulement de le consulter. La tentative a été enregistrée.",
    DossierAction.LEGAL_HOLD: "Seuls un superviseur de l'équipe ou le délégué à la protection des "
    "données peuvent placer ou lever une conservation pour motif légal.",
}
DOSSIER_NOT_FOUND = "Dossier introuvable : il n'existe pas ou plus."


def actor_of(staff: StaffUser) -> str:
    return f"staff:{staff.id}"


def _in_scope(viewer: StaffUser, dossier: Dossier) -> bool:
    if viewer.role == Role.CASE_WORKER:
        return dossier.assignee_id == viewer.id or dossier.team == viewer.team
    if viewer.role == Role.SUPERVISOR:
        return dossier.team == viewer.team
    return viewer.role == Role.DPO


def can_access(
    viewer: StaffUser, dossier: Dossier, action: DossierAction = DossierAction.READ
) -> bool:
    if not viewer.active or viewer.role not in DOSSIER_READERS:
        return False
    if action == DossierAction.READ:
        return _in_scope(viewer, dossier)
    if action == DossierAction.WRITE:
        return viewer.role in DOSSIER_WRITERS and _in_scope(viewer, dossier)
    if viewer.role == Role.DPO:
        return True
    return viewer.role == Role.SUPERVISOR and dossier.team == viewer.team


def visible_dossiers(viewer: StaffUser) -> ColumnElement[bool] | None:
    """SQL condition restricting a dossier query to what the viewer may read (None: all)."""
    if viewer.role == Role.DPO:
        return None
    if viewer.role == Role.SUPERVISOR:
        return col(Dossier.team) == viewer.team
    if viewer.role == Role.CASE_WORKER:
        return or_(col(Dossier.assignee_id) == viewer.id, col(Dossier.team) == viewer.team)
    return false()


def deny(
    session: Session,
    viewer: StaffUser,
    object_type: str,
    object_id: str,
    *,
    reason: str,
    message: str,
) -> NoReturn:
    """Audit the refusal, commit it so the caller's rollback keeps it, and raise AccessDenied.

    Access is checked before anything is written, so the commit carries only this entry.
    """
    append_audit(
        session,
        actor_of(viewer),
        "access.denied",
        object_type,
        object_id,
        reason=reason[:200],
        detail={"role": str(viewer.role)},
    )
    session.commit()
    raise AccessDenied(message)


def require_personal_data_role(session: Session, viewer: StaffUser, purpose: str) -> None:
    if not viewer.active or viewer.role not in DOSSIER_READERS:
        deny(session, viewer, "dossier", "*", reason=purpose, message=NO_PERSONAL_DATA_MESSAGE)


def load_dossier(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    action: DossierAction,
    purpose: str,
) -> Dossier:
    """The dossier if the viewer may perform `action` on it; NotFound or AccessDenied otherwise."""
    require_personal_data_role(session, viewer, purpose)
    dossier = session.get(Dossier, dossier_id) if len(dossier_id) <= 32 else None
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    if not can_access(viewer, dossier, action):
        deny(
            session,
            viewer,
            "dossier",
            dossier.id,
            reason=f"{action.value}: {purpose}",
            message=_MESSAGES[action],
        )
    return dossier
