"""What may be shared with a creditor, and what each kind of message needs.

A consent names categories (and, for documents, each document one by one); a message may carry
only what a valid consent covers, checked again at the moment it is sent.
"""

from __future__ import annotations

from enum import StrEnum


class ShareCategory(StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    BUDGET = "budget"
    DEBTS = "debts"
    DOCUMENTS = "documents"


# Addressed to the client ("vous"): their pages, emails and receipt. The consent text itself speaks
# in the client's own voice (consent_text.py); staff pages use the short labels below.
SHARE_CATEGORY_LABELS_FR: dict[ShareCategory, str] = {
    ShareCategory.IDENTITY: "Votre identité (nom et prénom)",
    ShareCategory.CONTACT: "Vos coordonnées (adresse postale, e-mail, téléphone)",
    ShareCategory.BUDGET: (
        "Votre situation budgétaire (ressources, charges, capacité de remboursement)"
    ),
    ShareCategory.DEBTS: "Les dettes concernées auprès de ce créancier (montants, références)",
    ShareCategory.DOCUMENTS: "Certaines de vos pièces justificatives, désignées une par une",
}

# Short labels for tables and the ledger.
SHARE_CATEGORY_SHORT_FR: dict[ShareCategory, str] = {
    ShareCategory.IDENTITY: "Identité",
    ShareCategory.CONTACT: "Coordonnées",
    ShareCategory.BUDGET: "Situation budgétaire",
    ShareCategory.DEBTS: "Dettes concernées",
    ShareCategory.DOCUMENTS: "Pièces justificatives",
}


class MessageKind(StrEnum):
    """Messages to a creditor."""

    OFFER = "offer"
    FOLLOW_UP = "follow_up"
    INFORMATION = "information"
    COUNTER_ACCEPTANCE = "counter_acceptance"
    COUNTER_REFUSAL = "counter_refusal"
    MANDATE_END = "mandate_end"
    # An agreement the creditor has not confirmed in writing: its terms, and the request.
    CONFIRMATION_REQUEST = "confirmation_request"


MESSAGE_KIND_LABELS_FR: dict[MessageKind, str] = {
    MessageKind.OFFER: "Proposition de règlement",
    MessageKind.FOLLOW_UP: "Relance",
    MessageKind.INFORMATION: "Informations demandées",
    MessageKind.COUNTER_ACCEPTANCE: "Acceptation de la contre-proposition",
    MessageKind.COUNTER_REFUSAL: "Refus de la contre-proposition",
    MessageKind.MANDATE_END: "Fin du mandat",
    MessageKind.CONFIRMATION_REQUEST: "Relance pour la confirmation écrite de l'accord",
}

# What a message of each kind cannot go without. Other consented categories are added to an
# offer (budget, contact, documents); a message never carries a category outside the consent.
# The end of the mandate names only our negotiation reference: it needs no consent, since its
# purpose is to stop the sharing.
REQUIRED_CATEGORIES: dict[MessageKind, frozenset[ShareCategory]] = {
    MessageKind.OFFER: frozenset({ShareCategory.IDENTITY, ShareCategory.DEBTS}),
    MessageKind.FOLLOW_UP: frozenset({ShareCategory.IDENTITY}),
    MessageKind.INFORMATION: frozenset({ShareCategory.IDENTITY}),
    MessageKind.COUNTER_ACCEPTANCE: frozenset({ShareCategory.IDENTITY, ShareCategory.DEBTS}),
    MessageKind.COUNTER_REFUSAL: frozenset({ShareCategory.IDENTITY}),
    MessageKind.MANDATE_END: frozenset(),
    MessageKind.CONFIRMATION_REQUEST: frozenset({ShareCategory.IDENTITY, ShareCategory.DEBTS}),
}
