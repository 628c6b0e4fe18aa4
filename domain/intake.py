"""What a case worker submits: new dossier, closure, legal hold — validated with French messages.

The same models serve the HTML forms and the JSON API, so both refuse the same input with the
same words. Errors are keyed by field path ("email", "creditors.0.name").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.breach.rules import RATIONALE_NEEDED
from domain.contact_fields import (
    DEPARTEMENT_INPUT,
    EMAIL_INPUT,
    PHONE_INPUT,
    ContactChannel,
)
from domain.dossier_stages import (
    CLIENT_DOCUMENT_KINDS,
    CreditorKind,
    DocumentKind,
    Outcome,
)
from domain.errors import InvalidInput
from domain.input_fields import (
    ERROR_TYPE,
    MAX_ROW_ID,
    REQUIRED_MESSAGE,
    name_text,
    optional_text,
    refuse,
    required_text,
)

MAX_CREDITORS = 30
MISSING_MESSAGES = {
    "creditors": "Indiquez au moins un créancier.",
    "expected_documents": "Cochez au moins une pièce attendue.",
    # A breach's risk level stands only with its rationale (domain/breach/rules.py).
    "rationale": RATIONALE_NEEDED,
}


class CreditorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, name_text("Nom du créancier", 120)]
    kind: CreditorKind
    account_reference: Annotated[str | None, optional_text("N° de contrat ou de compte", 60)] = None


class DossierCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Annotated[str, name_text("Prénom", 100)]
    last_name: Annotated[str, name_text("Nom de famille", 100)]
    email: Annotated[str, EMAIL_INPUT]
    phone: Annotated[str, PHONE_INPUT]
    address: Annotated[str, required_text("Adresse postale", 300, multiline=True)]
    departement: Annotated[str, DEPARTEMENT_INPUT]
    preferred_channel: ContactChannel = ContactChannel.EMAIL
    progress_emails: bool = True
    marketing_emails: bool = False
    creditors: list[CreditorIn] = Field(
        json_schema_extra={"minItems": 1, "maxItems": MAX_CREDITORS}
    )
    # The schema lists the kinds a client sends (the analysis report is produced here).
    expected_documents: list[DocumentKind] = Field(
        json_schema_extra={
            "minItems": 1,
            "items": {"type": "string", "enum": [kind.value for kind in CLIENT_DOCUMENT_KINDS]},
        }
    )
    # An active case worker or supervisor of the creator's team; none: the creator.
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    # The person already has an open dossier: the case worker confirms a second one is wanted.
    confirm_second_dossier: bool = False

    @field_validator("creditors")
    @classmethod
    def _some_creditors(cls, value: list[CreditorIn]) -> list[CreditorIn]:
        if not value:
            raise refuse(MISSING_MESSAGES["creditors"])
        if len(value) > MAX_CREDITORS:
            raise refuse(f"{MAX_CREDITORS} créanciers au maximum par dossier.")
        return value

    @field_validator("expected_documents")
    @classmethod
    def _some_documents(cls, value: list[DocumentKind]) -> list[DocumentKind]:
        if not value:
            raise refuse(MISSING_MESSAGES["expected_documents"])
        if any(kind not in CLIENT_DOCUMENT_KINDS for kind in value):
            raise refuse("Le rapport d'analyse est produit par Cravelynos : ne le demandez pas.")
        return list(dict.fromkeys(value))


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    note: Annotated[str | None, optional_text("Note de clôture", 2000, multiline=True)] = None


class LegalHoldRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, required_text("Motif de la conservation", 500, multiline=True)]


class ClientDetailsEdit(BaseModel):
    """A client's contact details as their case worker corrects them: each checked by the rule
    it was typed under at intake."""

    model_config = ConfigDict(extra="forbid")

    first_name: Annotated[str, name_text("Prénom", 100)]
    last_name: Annotated[str, name_text("Nom de famille", 100)]
    email: Annotated[str, EMAIL_INPUT]
    phone: Annotated[str, PHONE_INPUT]
    address: Annotated[str, required_text("Adresse postale", 300, multiline=True)]
    departement: Annotated[str, DEPARTEMENT_INPUT]
    preferred_channel: ContactChannel
    reason: Annotated[str | None, optional_text("Motif de la correction", 500, multiline=True)] = (
        None
    )


class DocumentRemovalRequest(BaseModel):
    """Why a supporting document is removed or replaced (kept encrypted, never in clear)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, required_text("Motif", 300, multiline=True)]


_ENUM_MESSAGES: tuple[tuple[Callable[[str], bool], str], ...] = (
    (lambda f: f.startswith("creditors.") and f.endswith(".kind"), "Type de créancier inconnu."),
    (lambda f: f.startswith("expected_documents") or f == "kind", "Type de pièce inconnu."),
    (lambda f: f == "preferred_channel", "Moyen de contact inconnu : e-mail, téléphone, courrier."),
    (lambda f: f == "outcome", "Issue de clôture inconnue."),
    (lambda f: f == "stage", "Étape inconnue."),
    (
        lambda f: f.startswith("rights") or f == "right",
        "Droit inconnu : access, rectification, erasure, portability, objection, restriction.",
    ),
    (lambda f: f == "channel", "Canal inconnu : public_form, signed_link, letter, email."),
    (lambda f: f == "decision", "Décision inconnue : fulfilled, partial, refused."),
    (lambda f: f == "waiting_for", "Motif inconnu : identity, clarification."),
    (lambda f: f == "nature", "Nature inconnue : confidentiality, integrity, availability."),
    (lambda f: f == "risk", "Niveau de risque inconnu : none, risk, high."),
    (
        lambda f: f == "exemption",
        "Exception inconnue : none, encrypted, mitigated, disproportionate.",
    ),
    (lambda f: f == "phase", "Notification inconnue : initial, complementary."),
    (lambda f: f == "source", "Origine inconnue : account, tables, documents, backup."),
)
DATETIME_MESSAGE = (
    "Date et heure avec leur fuseau attendues, par exemple 2026-12-04T10:30:00+01:00."
)
_GENERIC_MESSAGES = {
    "string_type": "Texte attendu.",
    "bool_type": "Valeur attendue : oui ou non.",
    "bool_parsing": "Valeur attendue : oui ou non.",
    "int_type": "Nombre entier attendu.",
    "int_parsing": "Nombre entier attendu.",
    "int_from_float": "Nombre entier attendu.",
    "list_type": "Liste attendue.",
    "dict_type": "Objet attendu.",
    "model_type": "Objet attendu.",
    "model_attributes_type": "Objet attendu.",
    "extra_forbidden": "Champ non attendu.",
    "json_invalid": "Le contenu envoyé n'est pas du JSON valide.",
    "literal_error": "Valeur non reconnue.",
    "uuid_parsing": "Identifiant invalide.",
    "timezone_aware": DATETIME_MESSAGE,
    "datetime_type": DATETIME_MESSAGE,
    "datetime_parsing": DATETIME_MESSAGE,
    "datetime_from_date_parsing": DATETIME_MESSAGE,
}
# Where FastAPI puts the part of the request an error is about.
_REQUEST_PARTS = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_path(loc: Sequence[int | str]) -> str:
    parts = list(loc)
    if parts and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    return ".".join(str(part) for part in parts)


def translate_error(error: Mapping[str, Any]) -> str:
    """A French message for one pydantic error (as given by ValidationError.errors())."""
    kind = error.get("type", "")
    field = field_path(error.get("loc", ()))
    ctx = error.get("ctx") or {}
    if kind == ERROR_TYPE:
        return str(error.get("msg", ""))
    # An explicit null (e.g. an unchosen option) is a missing value, not a wrong one.
    if kind == "missing" or ("input" in error and error["input"] is None):
        return MISSING_MESSAGES.get(field, REQUIRED_MESSAGE)
    if kind == "enum":
        return next((msg for match, msg in _ENUM_MESSAGES if match(field)), "Valeur non reconnue.")
    if kind == "string_too_long":
        return f"{ctx.get('max_length')} caractères au maximum."
    if kind == "string_too_short":
        return REQUIRED_MESSAGE
    if kind == "greater_than_equal":
        return f"La valeur doit être au moins {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"La valeur doit être au plus {ctx.get('le')}."
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return _GENERIC_MESSAGES.get(kind, "Valeur invalide.")


def field_errors(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Field path -> French message, the first error of each field."""
    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(field_path(error.get("loc", ())) or "__all__", translate_error(error))
    return result


def validation_errors(exc: ValidationError) -> dict[str, str]:
    return field_errors(exc.errors())


M = TypeVar("M", bound=BaseModel)


def parse_input(model: type[M], values: Mapping[str, Any]) -> M:
    """The model from what was typed, or InvalidInput with each field's French message."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc)) from None
