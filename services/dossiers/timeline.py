"""A dossier's timeline: what happened, in words for the case worker, never personal data."""

from __future__ import annotations

from sqlmodel import Session, select

from models.dossier import TimelineEvent


def add_timeline_event(
    session: Session, dossier_id: str, key: str, kind: str, summary: str, actor: str
) -> None:
    """Add the event unless an event with this key exists (retried activities write once)."""
    if (
        key
        and session.exec(
            select(TimelineEvent.id).where(TimelineEvent.idempotency_key == key)
        ).first()
    ):
        return
    session.add(
        TimelineEvent(
            dossier_id=dossier_id, kind=kind, summary=summary, actor=actor, idempotency_key=key
        )
    )
