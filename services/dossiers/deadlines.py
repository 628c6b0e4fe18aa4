"""The dossier's next deadline while it is in negotiation: the earliest of its negotiations'.

The DossierWorkflow does not know its negotiations' timers (each child keeps its own), so the
dossier row's `next_deadline` is derived here, from the negotiation rows, whenever one of them
or the dossier's own progress is recorded (both activities call this in their transaction).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.dossier_stages import Stage
from models.dossier import Dossier
from models.negotiation import Negotiation
from services.effective import effective

LABEL_LENGTH = 120


def refresh_dossier_deadline(session: Session, dossier_id: str) -> None:
    """Set the dossier's deadline to its open negotiations' earliest ("Créancier n°N : …"), or
    clear it; only while the dossier is in the NEGOTIATION stage."""
    # Lock the dossier row first (PostgreSQL; SQLite serialises writers anyway): two
    # negotiations recording at once then each see the other's committed deadline.
    session.exec(select(Dossier.id).where(Dossier.id == dossier_id).with_for_update()).first()
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or dossier.stage != Stage.NEGOTIATION or dossier.closed_at is not None:
        return
    earliest = session.exec(
        select(Negotiation.number, Negotiation.next_deadline, Negotiation.next_deadline_label)
        .where(Negotiation.dossier_id == dossier_id, effective(Negotiation))
        .where(col(Negotiation.ended_at).is_(None))
        .where(col(Negotiation.next_deadline).is_not(None))
        .order_by(col(Negotiation.next_deadline), col(Negotiation.number))
    ).first()
    if earliest is None:
        dossier.next_deadline, dossier.next_deadline_label = None, None
    else:
        number, deadline, label = earliest
        dossier.next_deadline = deadline
        dossier.next_deadline_label = f"Créancier n°{number} : {label or 'échéance'}"[:LABEL_LENGTH]
    session.add(dossier)
