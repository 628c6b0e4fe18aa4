"""The form that records a request received by letter or by email: typed values kept as typed,
validated by the shared PrivacyRequestIn (as the API is).

The moment of receipt is typed as a day and a time in Paris (what the letter's stamp or the
email's header says), turned into an aware moment here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from starlette.datastructures import FormData

from domain.errors import InvalidInput
from domain.french_dates import PARIS
from domain.intake import parse_input
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.request import Channel

# Only what reaches staff; the public form and signed links record their own channel.
STAFF_CHANNELS = (Channel.LETTER, Channel.EMAIL)
FIELD_LABELS = {
    "rights": "Droits demandés",
    "email": "Adresse e-mail de la personne",
    "client_id": "Client",
    "channel": "Reçue par",
    "received_at": "Reçue le",
    "Idempotency-Key": "Formulaire",
}
RECEIPT_MISSING = "Indiquez le jour et l'heure de réception (le cachet ou l'en-tête du courriel)."
RECEIPT_INVALID = "Jour et heure de réception attendus, par exemple 04/12/2026 à 10:30."
MAX_TYPED = 300


@dataclass
class PrivacyRequestForm:
    rights: list[str] = field(default_factory=list)
    email: str = ""
    # Set when the form was opened from a client's dossier (the person is known).
    client_id: str = ""
    channel: str = Channel.LETTER.value
    received_at: str = ""
    request_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @classmethod
    def from_form(cls, form: FormData) -> PrivacyRequestForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value[:MAX_TYPED] if isinstance(value, str) else ""

        rights = [v for v in form.getlist("rights") if isinstance(v, str)][:10]
        return cls(
            rights=[r[:40] for r in rights],
            email=text("email").strip(),
            client_id=text("client_id").strip(),
            channel=text("channel"),
            received_at=text("received_at").strip(),
            request_token=text("request_token") or secrets.token_urlsafe(16),
        )

    def validate(self) -> tuple[PrivacyRequestIn | None, dict[str, str]]:
        errors: dict[str, str] = {}
        received = self._received(errors)
        values = {
            "rights": self.rights,
            "email": self.email or None,
            "client_id": self.client_id or None,
            "channel": self.channel,
            "received_at": received,
        }
        try:
            data = parse_input(PrivacyRequestIn, values)
        except InvalidInput as exc:
            for path, message in exc.errors.items():
                # One message per field, on the field as the form names it.
                errors.setdefault(path.split(".")[0], message)
            return None, errors
        return (data, {}) if not errors else (None, errors)

    def _received(self, errors: dict[str, str]) -> datetime | None:
        if not self.received_at:
            errors["received_at"] = RECEIPT_MISSING
            return None
        try:
            local = datetime.fromisoformat(self.received_at)
        except ValueError:
            errors["received_at"] = RECEIPT_INVALID
            return None
        return local.replace(tzinfo=PARIS) if local.tzinfo is None else local
