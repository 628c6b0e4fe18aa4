"""The new-dossier HTML form: typed values kept as typed, validated by the shared DossierCreate.

Field names follow the error paths of `validation_errors` ("email", "creditors.0.name"), so an
error lands next to the field it is about. Creditor rows left blank are ignored; when rows are
skipped, errors on the remaining ones are mapped back to the row the person filled in.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.contact_fields import ContactChannel
from domain.dossier_stages import DocumentKind
from domain.input_fields import REQUIRED_MESSAGE
from domain.intake import DossierCreate, validation_errors

DEFAULT_CREDITOR_ROWS = 3
MAX_CREDITOR_ROWS = 30
_TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "address", "departement")
_CREDITOR_FIELD = re.compile(r"^creditors\.(\d{1,2})\.(name|kind|account_reference)$", re.ASCII)
_CREDITOR_ERROR = re.compile(r"^creditors\.(\d+)\.(.+)$", re.ASCII)

FIELD_LABELS: dict[str, str] = {
    "first_name": "Prénom",
    "last_name": "Nom de famille",
    "email": "Adresse e-mail",
    "phone": "Téléphone",
    "address": "Adresse postale",
    "departement": "Département",
    "preferred_channel": "Moyen de contact préféré",
    "progress_emails": "Suivi par e-mail",
    "marketing_emails": "Informations et offres",
    "creditors": "Créanciers",
    "expected_documents": "Pièces attendues",
    "assignee_id": "Conseiller",
    "confirm_second_dossier": "Second dossier",
    "__all__": "Formulaire",
}
CHOOSE_CREDITOR_KIND = "Choisissez le type de ce créancier."
_CREDITOR_LABELS = {
    "name": "nom",
    "kind": "type",
    "account_reference": "n° de contrat ou de compte",
}


@dataclass
class CreditorRow:
    name: str = ""
    kind: str = ""
    account_reference: str = ""

    @property
    def blank(self) -> bool:
        # A row with only its type chosen is a creditor started, not an empty row.
        return not (self.name.strip() or self.kind.strip() or self.account_reference.strip())


@dataclass
class DossierForm:
    """What the form shows: on a refused submission, exactly what was typed."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    departement: str = ""
    preferred_channel: str = ContactChannel.EMAIL.value
    progress_emails: bool = True
    marketing_emails: bool = False
    creditors: list[CreditorRow] = field(
        default_factory=lambda: [CreditorRow() for _ in range(DEFAULT_CREDITOR_ROWS)]
    )
    expected_documents: list[str] = field(
        default_factory=lambda: [DocumentKind.IDENTITY.value, DocumentKind.INCOME.value]
    )
    assignee_id: str = ""
    confirm_second_dossier: bool = False
    # Names this intake: the same form sent twice (a double click, a reload) opens one dossier.
    request_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @classmethod
    def from_form(cls, form: FormData) -> DossierForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value if isinstance(value, str) else ""

        rows: dict[int, CreditorRow] = {}
        for key in form:
            match = _CREDITOR_FIELD.match(key)
            if match and int(match.group(1)) < MAX_CREDITOR_ROWS:
                row = rows.setdefault(int(match.group(1)), CreditorRow())
                setattr(row, match.group(2), text(key))
        creditors = [rows.get(i, CreditorRow()) for i in range(max(rows, default=-1) + 1)]
        creditors += [CreditorRow() for _ in range(DEFAULT_CREDITOR_ROWS - len(creditors))]
        return cls(
            **{name: text(name) for name in _TEXT_FIELDS},
            preferred_channel=text("preferred_channel"),
            # An unticked checkbox sends nothing: absence means "no".
            progress_emails="progress_emails" in form,
            marketing_emails="marketing_emails" in form,
            creditors=creditors,
            expected_documents=[
                v for v in form.getlist("expected_documents") if isinstance(v, str)
            ],
            assignee_id=text("assignee_id"),
            confirm_second_dossier="confirm_second_dossier" in form,
            request_token=text("request_token") or secrets.token_urlsafe(16),
        )

    def filled_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.creditors) if not row.blank]

    def payload(self) -> dict[str, Any]:
        rows = self.filled_rows()
        return {
            **{name: getattr(self, name) for name in _TEXT_FIELDS},
            "preferred_channel": self.preferred_channel,
            "progress_emails": self.progress_emails,
            "marketing_emails": self.marketing_emails,
            "creditors": [self._creditor_payload(self.creditors[i]) for i in rows],
            "expected_documents": self.expected_documents,
            "assignee_id": self.assignee_id or None,
            "confirm_second_dossier": self.confirm_second_dossier,
        }

    @staticmethod
    def _creditor_payload(row: CreditorRow) -> dict[str, str | None]:
        payload: dict[str, str | None] = {
            "name": row.name,
            "account_reference": row.account_reference or None,
        }
        # An unchosen type is left out, so that it is reported as missing rather than unknown.
        if row.kind:
            payload["kind"] = row.kind
        return payload

    def validate(self) -> tuple[DossierCreate | None, dict[str, str]]:
        """The validated model, or the errors keyed by the names of the fields on the page."""
        try:
            return DossierCreate.model_validate(self.payload()), {}
        except ValidationError as exc:
            return None, self.page_errors(validation_errors(exc))

    def page_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Map error paths of the compacted creditor list back to the rows on the page."""
        rows = self.filled_rows()
        result: dict[str, str] = {}
        for path, message in errors.items():
            match = _CREDITOR_ERROR.match(path)
            if match and int(match.group(1)) < len(rows):
                path = f"creditors.{rows[int(match.group(1))]}.{match.group(2)}"
                if match.group(2) == "kind" and message == REQUIRED_MESSAGE:
                    message = CHOOSE_CREDITOR_KIND
            elif path.startswith("expected_documents."):
                path = "expected_documents"
            result.setdefault(path, message)
        return result


def error_summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    """(field, text) lines of the summary on top of the form, each naming its field.

    The field's label is put in front unless the message already starts with it.
    """
    lines: list[tuple[str, str]] = []
    for path, message in errors.items():
        match = _CREDITOR_ERROR.match(path)
        if match:
            part = _CREDITOR_LABELS.get(match.group(2), match.group(2))
            label = f"Créancier {int(match.group(1)) + 1} ({part})"
        else:
            label = FIELD_LABELS.get(path, "Formulaire")
        named = message.casefold().startswith(label.casefold())
        lines.append((path, message if named else f"{label} : {message}"))
    return lines
