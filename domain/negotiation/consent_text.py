"""The exact text a client is shown when asked to consent, versioned.

The consent row stores the version, the rendered text (encrypted) and its SHA-256, so what the
client agreed to can be shown again word for word, years later. Changing the wording means a
new version: never edit a published one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from domain.negotiation.consent_rules import CONSENT_PURPOSE_LABELS_FR, ConsentPurpose
from domain.negotiation.sharing import ShareCategory

CONSENT_TEXT_VERSION = "consentement-creancier-v1"

# The client speaks ("J'autorise … me concernant"), so every line is in the first person; the
# documents follow their line one by one.
CONSENT_CATEGORY_LINES_FR: dict[ShareCategory, str] = {
    ShareCategory.IDENTITY: "Mon identité (nom et prénom)",
    ShareCategory.CONTACT: "Mes coordonnées (adresse postale, e-mail, téléphone)",
    ShareCategory.BUDGET: (
        "Ma situation budgétaire (ressources, charges, capacité de remboursement)"
    ),
    ShareCategory.DEBTS: "Les dettes concernées auprès de ce créancier (montants, références)",
    ShareCategory.DOCUMENTS: "Les pièces justificatives suivantes :",
}


def consent_text(
    *,
    creditor_name: str,
    categories: Sequence[ShareCategory],
    document_labels: Sequence[str],
    purpose: ConsentPurpose,
    expires_on: str | None,
) -> str:
    """The text of version CONSENT_TEXT_VERSION (plain text, one paragraph per line)."""
    lines = [
        f"J'autorise Cravelynos à transmettre à {creditor_name}, et à lui seul, les informations "
        "suivantes me concernant :",
    ]
    for category in ShareCategory:
        if category not in categories:
            continue
        lines.append(f"- {CONSENT_CATEGORY_LINES_FR[category]}")
        if category == ShareCategory.DOCUMENTS:
            lines.extend(f"    • {label}" for label in document_labels)
    lines.append(f"Finalité : {CONSENT_PURPOSE_LABELS_FR[purpose]}.")
    lines.append(
        "Aucune autre information ne sera transmise à ce créancier sans mon accord. Je peux "
        "retirer ce consentement à tout moment, sans frais ni justification : Cravelynos cessera "
        "alors immédiatement tout échange avec ce créancier et l'informera de la fin du mandat."
    )
    if expires_on:
        lines.append(f"Ce consentement est valable jusqu'au {expires_on}.")
    return "\n".join(lines)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
