"""Notes and call logs on a dossier: what a case worker may write, checked before anything is
stored. The text is the client's personal data (encrypted under their key by the service)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from domain.input_fields import choice, refuse, required_text
from domain.labelled_enum import LabelledEnum

NOTE_MAX_LENGTH = 5000
CALL_SUMMARY_MAX_LENGTH = 5000
CALL_MAX_MINUTES = 600
# A call typed "now" in a form opened a moment ago is not in the future: the minute typed and
# the server's clock may differ by that much.
FUTURE_TOLERANCE = timedelta(minutes=2)

CALL_IN_FUTURE = "La date de l'appel ne peut pas être dans le futur."
BAD_CALL_MOMENT = "Date et heure de l'appel invalides : par exemple 04/12/2026 à 10:30."
BAD_DURATION = f"Durée en minutes : un nombre entier de 1 à {CALL_MAX_MINUTES}."
CHOOSE_DIRECTION = "Indiquez si l'appel était entrant ou sortant."
CHOOSE_PARTY = "Choisissez avec qui a eu lieu l'appel : le client ou un créancier du dossier."
NOTE_MISSING = "Écrivez le texte de la note."
SUMMARY_MISSING = "Résumez l'appel en quelques mots."


class EntryKind(LabelledEnum):
    NOTE = "note", "Note"
    CALL = "call", "Appel"


class CallDirection(LabelledEnum):
    INBOUND = "inbound", "Appel entrant"
    OUTBOUND = "outbound", "Appel sortant"


# Who the call was with: the client, or one of the dossier's creditors ("creditor:<id>").
CLIENT_PARTY = "client"
CREDITOR_PARTY_PREFIX = "creditor:"


def _party(value: object) -> str:
    if isinstance(value, str) and (
        value == CLIENT_PARTY or value.startswith(CREDITOR_PARTY_PREFIX)
    ):
        return value
    raise refuse(CHOOSE_PARTY)


class NoteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        str, required_text("Note", NOTE_MAX_LENGTH, multiline=True, missing=NOTE_MISSING)
    ]


class CallInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    direction: Annotated[CallDirection, BeforeValidator(choice(CallDirection, CHOOSE_DIRECTION))]
    # Checked against the dossier's creditors by the service.
    party: Annotated[str, BeforeValidator(_party)]
    called_at: datetime
    duration_minutes: int | None = None
    summary: Annotated[
        str,
        required_text(
            "Résumé de l'appel", CALL_SUMMARY_MAX_LENGTH, multiline=True, missing=SUMMARY_MISSING
        ),
    ]


def call_moment_refusal(called_at: datetime, now: datetime) -> str | None:
    """A call is recorded after it happened: never later than now."""
    return CALL_IN_FUTURE if called_at > now + FUTURE_TOLERANCE else None


def duration_refusal(minutes: int | None) -> str | None:
    if minutes is None:
        return None
    return None if 1 <= minutes <= CALL_MAX_MINUTES else BAD_DURATION
