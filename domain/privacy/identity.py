"""Checking who makes a data-subject request, proportionately: a person reached through their
own link or address is identified; otherwise the DPO reads an ID document, re-types its key
fields (which shows it was read, and is compared with what the company holds), and decides.
Pure: the rules and their French messages."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict

from domain.budget.amounts import DateField
from domain.input_fields import name_text
from domain.labelled_enum import LabelledEnum


class IdentityStatus(LabelledEnum):
    IDENTIFIED = "identified", "Établie (lien personnel ou adresse confirmée)"
    TO_CHECK = "to_check", "À vérifier"
    VERIFIED = "verified", "Vérifiée sur pièce d'identité"
    NOT_VERIFIED = "not_verified", "Non établie"


class DocumentKind(LabelledEnum):
    ID_CARD = "id_card", "Carte nationale d'identité"
    PASSPORT = "passport", "Passeport"
    RESIDENCE_PERMIT = "residence_permit", "Titre de séjour"
    DRIVING_LICENCE = "driving_licence", "Permis de conduire"


class IdentityDecision(LabelledEnum):
    VERIFIED = "verified", "L'identité est établie"
    NOT_VERIFIED = "not_verified", "L'identité n'est pas établie"


class IdentityCheckIn(BaseModel):
    """What the DPO re-types from the document, and their conclusion."""

    model_config = ConfigDict(extra="forbid")

    document_kind: DocumentKind
    last_name: Annotated[str, name_text("Nom sur la pièce", 100)]
    first_name: Annotated[str, name_text("Prénom sur la pièce", 100)]
    expires_on: DateField
    conclusion: IdentityDecision


NO_DOCUMENT = "Téléversez d'abord la pièce d'identité reçue : la vérification se fait sur pièce."
EXPIRED = "Cette pièce est expirée : elle ne peut pas établir l'identité. Demandez-en une valide."
NAME_MISMATCH = (
    "Le nom retapé ne correspond pas à celui du client : vérifiez votre saisie, ou concluez que "
    "l'identité n'est pas établie."
)
ALREADY_ESTABLISHED = "L'identité de la personne est déjà établie pour cette demande."


def folded(name: str) -> str:
    """A name as documents and records may both spell it: no accents, no case, hyphens and
    apostrophes as spaces ("ÉLODIE-MARIE" is "Élodie Marie")."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(bare.replace("-", " ").replace("'", " ").replace("’", " ").split())


def check_refusal(
    check: IdentityCheckIn,
    today: date,
    *,
    has_document: bool,
    names_on_record: tuple[str, str] | None,
) -> dict[str, str]:
    """Field -> why the decision cannot be recorded (empty when it can). Concluding that the
    identity is not established needs no document (the person may never send one).
    names_on_record: (first name, last name) of the client, when the request is a client's."""
    if check.conclusion != IdentityDecision.VERIFIED:
        return {}
    if not has_document:
        return {"file": NO_DOCUMENT}
    if check.expires_on < today:
        return {"expires_on": EXPIRED}
    if names_on_record is not None:
        first, last = names_on_record
        if folded(check.last_name) != folded(last) or folded(check.first_name) != folded(first):
            return {"last_name": NAME_MISMATCH}
    return {}
