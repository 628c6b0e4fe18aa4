"""Who may see and drive breaches (refusals audited):

- the DPO and admins: the register, every breach, and every step;
- every other staff member: raise a suspicion (which the DPO confirms or dismisses), nothing
  more — a breach's file names the people it touches.
"""

from __future__ import annotations

from sqlmodel import Session

from domain.errors import NotFound
from models.breach import Breach
from models.staff import Role, StaffUser
from services.dossiers.access import deny

BREACH_HANDLERS = frozenset({Role.DPO, Role.ADMIN})
BREACH_NOT_FOUND = "Violation introuvable : elle n'existe pas."
HANDLERS_ONLY = (
    "Seuls le délégué à la protection des données et les administrateurs traitent les "
    "violations de données. Vous pouvez en signaler une. La tentative a été enregistrée."
)


def can_handle(viewer: StaffUser) -> bool:
    return viewer.active and viewer.role in BREACH_HANDLERS


def require_handler(
    session: Session, viewer: StaffUser, purpose: str, breach_id: str = "*"
) -> None:
    if not can_handle(viewer):
        deny(session, viewer, "breach", breach_id, reason=purpose, message=HANDLERS_ONLY)


def load_breach(session: Session, viewer: StaffUser, breach_id: str, purpose: str) -> Breach:
    """The breach if the viewer handles breaches; NotFound or AccessDenied (audited)."""
    require_handler(session, viewer, purpose, breach_id[:100])
    found = session.get(Breach, breach_id) if len(breach_id) <= 32 else None
    if found is None:
        raise NotFound(BREACH_NOT_FOUND)
    return found
