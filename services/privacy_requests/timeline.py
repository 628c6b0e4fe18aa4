"""A request's timeline: what happened, in French, written once per event by the workflow's
activity together with the read model (status, due date, outcomes) it leaves behind."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from domain.labelled_enum import LabelledEnum
from models.privacy_request import PrivacyRequest, PrivacyRequestEvent


class EventKind(LabelledEnum):
    RECEIVED = "received", "Demande reçue, délai de réponse ouvert"
    PAUSED = "paused", "Délai suspendu"
    RESUMED = "resumed", "Délai repris"
    EXTENDED = "extended", "Délai prolongé"
    DECIDED = "decided", "Décision sur un droit"
    ANSWERED = "answered", "Réponse envoyée à la personne"
    REMINDER = "reminder", "Rappel envoyé au délégué à la protection des données"
    ESCALATION = "escalation", "Échéance aujourd'hui : superviseur prévenu"
    OVERDUE = "overdue", "Délai dépassé"
    RECTIFIED = "rectified", "Donnée rectifiée, créanciers concernés prévenus"
    ERASURE_NOTIFIED = "erasure_notified", "Créanciers destinataires invités à effacer"
    RESTRICTED = "restricted", "Traitement limité : les données sont seulement conservées"
    RESTRICTION_LIFTED = "restriction_lifted", "Limitation levée, la personne prévenue"


def add_event(
    session: Session,
    request_id: str,
    key: str,
    kind: EventKind,
    actor: str,
    at: datetime,
    detail: dict[str, str | int] | None = None,
    note_id: int | None = None,
) -> bool:
    """Insert the event unless its key is already there; True when inserted now."""
    if session.exec(select(PrivacyRequestEvent.id).where(PrivacyRequestEvent.key == key)).first():
        return False
    event = PrivacyRequestEvent(
        request_id=request_id,
        key=key,
        at=at,
        kind=kind.value,
        actor=actor,
        detail=json.dumps(detail or {}, sort_keys=True),
        note_id=note_id,
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # a concurrent attempt of the same activity wrote it first
        return False
    return True


def events_of(session: Session, request: PrivacyRequest) -> list[PrivacyRequestEvent]:
    return list(
        session.exec(
            select(PrivacyRequestEvent)
            .where(PrivacyRequestEvent.request_id == request.id)
            .order_by(PrivacyRequestEvent.at, PrivacyRequestEvent.id)  # type: ignore[arg-type]
        ).all()
    )
