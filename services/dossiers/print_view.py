"""What the printable dossier shows beyond the dossier page's detail: one line per creditor
negotiation (its state in words, the round, the next deadline; no amount, nothing decrypted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.clock import as_utc
from domain.negotiation.states import NegotiationState
from models.dossier import DossierCreditor
from models.negotiation import Negotiation
from services.effective import effective


@dataclass(frozen=True)
class NegotiationLine:
    number: int
    reference: str
    creditor: str
    state: str
    round: int
    next_deadline: datetime | None
    next_deadline_label: str | None


def negotiation_lines(session: Session, dossier_id: str) -> list[NegotiationLine]:
    """The dossier's negotiations in order; callers check access to the dossier first."""
    rows = session.exec(
        select(Negotiation, DossierCreditor.name)
        .join(DossierCreditor, col(DossierCreditor.id) == Negotiation.dossier_creditor_id)
        .where(Negotiation.dossier_id == dossier_id, effective(Negotiation))
        .order_by(col(Negotiation.number))
    ).all()
    return [
        NegotiationLine(
            number=negotiation.number,
            reference=negotiation.reference,
            creditor=name,
            state=NegotiationState(negotiation.state).label,
            round=negotiation.round,
            next_deadline=(
                None if negotiation.next_deadline is None else as_utc(negotiation.next_deadline)
            ),
            next_deadline_label=negotiation.next_deadline_label,
        )
        for negotiation, name in rows
    ]
