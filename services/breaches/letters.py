"""A letter for a person the information email could not reach (no usable address, or refused
by the relay): the same information, printed to post. Reading it is an audited read of the
client's data (their name and postal address)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import NotFound
from domain.french_dates import french_date
from models.breach import BreachAffected
from models.staff import StaffUser
from rendering.pdf import render_pdf
from services.breaches.access import load_breach
from services.breaches.information import information_context
from services.breaches.queries import OTHER_CHANNEL, other_channel
from services.dossiers.access import actor_of

TEMPLATE = "report/breach_letter.html"
PERSON_NOT_FOUND = "Personne introuvable parmi celles à joindre par courrier pour cette violation."


def letter_file(
    session: Session, staff: StaffUser, breach_id: str, affected_id: int, settings: Settings
) -> tuple[str, bytes]:
    row = load_breach(session, staff, breach_id, "breach.letter")
    affected = session.get(BreachAffected, affected_id)
    if affected is None or affected.breach_id != row.id or affected.delivery not in OTHER_CHANNEL:
        raise NotFound(PERSON_NOT_FOUND)
    (person,) = other_channel(session, row, settings, actor_of(staff), affected_id)
    context: dict[str, Any] = {
        **information_context(row, affected.data_categories, settings),
        "name": person.name,
        "address_lines": [line for line in person.address.splitlines() if line.strip()],
        "today": french_date(utcnow()),
    }
    return f"courrier-{row.reference}-{affected_id}.pdf", render_pdf(TEMPLATE, {"l": context})
