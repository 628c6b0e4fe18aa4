"""What may be shared with a creditor, and what each kind of message needs.

A consent names categories (and, for documents, each document one by one); a message may carry
only what a valid consent covers, checked again at the moment it is sent.
"""

from __future__ import annotations

from domain.labelled_enum import LabelledEnum


class ShareCategory(LabelledEnum):
    IDENTITY = "identity", "Votre identité (nom et prénom)"
    CONTACT = "contact", "Vos coordonnées (adresse postale, e-mail, téléphone)"
    BUDGET = "budget", "Votre situation budgétaire (ressources, charges, capacité de remboursement)"
    DEBTS = "debts", "Les dettes concernées auprès de ce créancier (montants, références)"
    DOCUMENTS = "documents", "Certaines de vos pièces justificatives, désignées une par une"


# Addressed to the client ("vous"): their pages, emails and receipt. The consent text itself speaks
# in the client's own voice (consent_text.py); staff pages use the short labels below.
SHARE_CATEGORY_LABELS_FR = ShareCategory.labels()

# Short labels for tables and the ledger.
SHARE_CATEGORY_SHORT_FR: dict[ShareCategory, str] = {
    ShareCategory.IDENTITY: "Identité",
    ShareCategory.CONTACT: "Coordonnées",
    ShareCategory.BUDGET: "Situation budgétaire",
    ShareCategory.DEBTS: "Dettes concernées",
    ShareCategory.DOCUMENTS: "Pièces justificatives",
}


class MessageKind(LabelledEnum):
    """Messages to a creditor."""

    OFFER = "offer", "Proposition de règlement"
    FOLLOW_UP = "follow_up", "Relance"
    INFORMATION = "information", "Informations demandées"
    COUNTER_ACCEPTANCE = "counter_acceptance", "Acceptation de la contre-proposition"
    COUNTER_REFUSAL = "counter_refusal", "Refus de la contre-proposition"
    MANDATE_END = "mandate_end", "Fin du mandat"
    # An agreement the creditor has not confirmed in writing: its terms, and the request.
    CONFIRMATION_REQUEST = "confirmation_request", "Relance pour la confirmation écrite de l'accord"


MESSAGE_KIND_LABELS_FR = MessageKind.labels()

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
