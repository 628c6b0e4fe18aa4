"""Who may see and drive data-subject requests (need-to-know; refusals audited).

- the DPO: every request, and the only one who drives them (pause, extend, decide, answer);
- supervisors and case workers: record a request that reached them (a letter, an email), and
  read the requests of their team (to know that a client of theirs asked for erasure);
- ops and admins: nothing (a request is personal data).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlmodel import Session, col

from domain.errors import NotFound
from domain.privacy.request import RequestStatus
from models.privacy_request import PrivacyRequest
from models.staff import Role, StaffUser
from services.dossiers.access import deny

REQUEST_READERS = frozenset({Role.DPO, Role.SUPERVISOR, Role.CASE_WORKER})
REQUEST_NOT_FOUND = "Demande introuvable : elle n'existe pas ou plus."
NO_ACCESS = (
    "Cette demande concerne une autre équipe : accès refusé. La tentative a été enregistrée."
)
DPO_ONLY = (
    "Seul le délégué à la protection des données instruit les demandes d'exercice des droits. "
    "La tentative a été enregistrée."
)
NO_ROLE = (
    "Votre rôle ne donne pas accès aux demandes d'exercice des droits. "
    "La tentative a été enregistrée."
)


def visible_requests(viewer: StaffUser) -> ColumnElement[bool] | None:
    """SQL condition restricting a request query to what the viewer may read (None: all)."""
    if viewer.role == Role.DPO:
        return None
    if viewer.role in REQUEST_READERS:
        return col(PrivacyRequest.team) == viewer.team
    return false()


def require_request_role(session: Session, viewer: StaffUser, purpose: str) -> None:
    if not viewer.active or viewer.role not in REQUEST_READERS:
        deny(session, viewer, "privacy_request", "*", reason=purpose, message=NO_ROLE)


def load_request(
    session: Session, viewer: StaffUser, request_id: str, purpose: str, *, drive: bool = False
) -> PrivacyRequest:
    """The request if the viewer may read it (or, with `drive`, act on it); NotFound or
    AccessDenied (audited) otherwise."""
    require_request_role(session, viewer, purpose)
    found = session.get(PrivacyRequest, request_id) if len(request_id) <= 32 else None
    if found is None or found.status == RequestStatus.UNCONFIRMED.value:
        raise NotFound(REQUEST_NOT_FOUND)
    if viewer.role != Role.DPO and found.team != viewer.team:
        deny(session, viewer, "privacy_request", found.id, reason=purpose, message=NO_ACCESS)
    if drive and viewer.role != Role.DPO:
        deny(session, viewer, "privacy_request", found.id, reason=purpose, message=DPO_ONLY)
    return found
