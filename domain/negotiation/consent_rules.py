"""Whether a consent covers what a message would carry, at a given moment. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from domain.french_text import counted
from domain.labelled_enum import LabelledEnum
from domain.negotiation.sharing import SHARE_CATEGORY_SHORT_FR, ShareCategory


class ConsentStatus(LabelledEnum):
    PENDING = "pending", "En attente de la décision du client"
    GIVEN = "given", "Donné"
    REFUSED = "refused", "Refusé"
    REVOKED = "revoked", "Retiré"
    # Replaced by a newer request (e.g. extended to a category a creditor asked for).
    SUPERSEDED = "superseded", "Remplacé par une nouvelle demande"


CONSENT_STATUS_LABELS_FR = ConsentStatus.labels()


class ConsentMethod(LabelledEnum):
    SIGNED_LINK = "signed_link", "par le lien sécurisé envoyé par e-mail"
    CLIENT_SPACE = "client_space", "dans l'espace client"
    PAPER = "paper", "sur papier signé, numérisé par le conseiller"


CONSENT_METHOD_LABELS_FR = ConsentMethod.labels()


class ConsentPurpose(LabelledEnum):
    DEBT_NEGOTIATION = (
        "debt_negotiation",
        (
            "négocier en votre nom un accord de remboursement des dettes concernées auprès de ce "
            "créancier, et en suivre l'exécution"
        ),
    )


CONSENT_PURPOSE_LABELS_FR = ConsentPurpose.labels()


@dataclass(frozen=True)
class ConsentSnapshot:
    """What the database says of a consent, as the check needs it."""

    status: ConsentStatus
    categories: frozenset[ShareCategory]
    document_ids: frozenset[str] = field(default_factory=frozenset)
    expires_at: datetime | None = None


def consent_refusal(
    consent: ConsentSnapshot | None,
    categories: Iterable[ShareCategory],
    document_ids: Iterable[str] = (),
    *,
    now: datetime,
) -> str | None:
    """Why this consent does not allow sending these categories and documents now (French,
    for the case worker), or None when it does. `now` and `expires_at` are both aware."""
    if consent is None or consent.status == ConsentStatus.PENDING:
        return "Le client n'a pas encore donné son consentement pour ce créancier."
    if consent.status == ConsentStatus.REFUSED:
        return "Le client a refusé de partager ses données avec ce créancier."
    if consent.status == ConsentStatus.REVOKED:
        return "Le client a retiré son consentement : plus rien ne peut être envoyé à ce créancier."
    if consent.status != ConsentStatus.GIVEN:
        return "Le consentement de ce créancier a été remplacé par une demande plus récente."
    if consent.expires_at is not None and now >= consent.expires_at:
        return "Le consentement du client pour ce créancier a expiré."
    missing = [c for c in ShareCategory if c in set(categories) and c not in consent.categories]
    if missing:
        names = ", ".join(SHARE_CATEGORY_SHORT_FR[c] for c in missing)
        return f"Le consentement du client ne couvre pas : {names}."
    extra_documents = set(document_ids) - consent.document_ids
    if extra_documents:
        return (
            f"{counted(len(extra_documents), 'pièce ne figure', 'pièces ne figurent')} pas dans "
            "le consentement du client : elles ne peuvent pas être envoyées."
        )
    return None
