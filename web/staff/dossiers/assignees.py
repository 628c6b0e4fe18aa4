"""Who a dossier can be assigned to, for the assignee selects of the list and the new form."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.staff import Role, StaffUser
from services.dossiers.access import DOSSIER_WRITERS


def assignee_choices(session: Session, viewer: StaffUser) -> list[tuple[str, str]]:
    """(id, name) of active case workers and supervisors the viewer works with.

    Same team as the viewer, as `create_dossier` requires; the DPO, who reads every team's
    dossiers, gets everyone.
    """
    query = select(StaffUser.id, StaffUser.display_name).where(
        col(StaffUser.active).is_(True), col(StaffUser.role).in_(list(DOSSIER_WRITERS))
    )
    if viewer.role != Role.DPO:
        query = query.where(StaffUser.team == viewer.team)
    rows = session.exec(query.order_by(col(StaffUser.display_name), col(StaffUser.id))).all()
    return [(str(staff_id), name) for staff_id, name in rows]
