"""A breach's timeline: what happened, when, by whom — written by its workflow, once per key."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.breach import BreachEvent

KIND_LABELS = {
    "suspected": "Suspicion signalée : le délégué à la protection des données est prévenu",
    "declared": "Violation déclarée : le délai de 72 heures court",
    "confirmed": "Suspicion confirmée : les 72 heures courent depuis la prise de connaissance",
    "dismissed": "Suspicion écartée : ce n'est pas une violation",
    "scoped": "Portée déterminée",
    "assessed": "Risque évalué",
    "notified": "CNIL notifiée",
    "informing": "Information des personnes lancée",
    "informed": "Information des personnes terminée",
    "closed": "Violation close",
    "alert-24h": "Alerte envoyée : 24 heures écoulées",
    "alert-48h": "Alerte envoyée : 48 heures écoulées",
    "alert-60h": "Alerte envoyée : 60 heures écoulées",
    "alert-70h": "Alerte envoyée : 70 heures écoulées, 2 heures restantes",
    "overdue": "Délai de 72 heures dépassé : alerte à toute l'équipe de direction",
}


def add_event(
    session: Session,
    breach_id: str,
    key: str,
    kind: str,
    actor: str,
    at: datetime,
    detail: dict[str, str | int] | None = None,
) -> bool:
    """Insert the event unless its key is already there; True when inserted now."""
    if session.exec(select(BreachEvent.id).where(BreachEvent.key == key)).first():
        return False
    event = BreachEvent(
        breach_id=breach_id,
        key=key,
        at=at,
        kind=kind,
        actor=actor,
        detail=json.dumps(detail or {}, sort_keys=True),
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # a concurrent attempt of the same activity wrote it first
        return False
    return True


def events_of(session: Session, breach_id: str) -> list[BreachEvent]:
    return list(
        session.exec(
            select(BreachEvent)
            .where(BreachEvent.breach_id == breach_id)
            .order_by(col(BreachEvent.at), col(BreachEvent.id))
        ).all()
    )
