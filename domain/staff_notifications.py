"""What a case worker is told about their dossiers, by code: the words are written here, never
stored, so a notification row holds ids and codes only."""

from __future__ import annotations

from domain.labelled_enum import LabelledEnum


class NotificationKind(LabelledEnum):
    ANALYSIS_APPROVED = "analysis_approved", "Le client a validé l'analyse budgétaire"
    CONSENT_GIVEN = "consent_given", "Le client a donné son consentement pour un créancier"
    CONSENT_REFUSED = "consent_refused", "Le client a refusé son consentement pour un créancier"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Le client a retiré son consentement pour un créancier"
    COUNTER_OFFER_ACCEPTED = "counter_offer_accepted", "Le client accepte une contre-proposition"
    COUNTER_OFFER_REFUSED = "counter_offer_refused", "Le client refuse une contre-proposition"
    DOCUMENT_RECEIVED = "document_received", "Une pièce justificative a été déposée"
    CREDITOR_NO_RESPONSE = (
        "creditor_no_response",
        "Un créancier n'a pas répondu dans le délai : suite à décider",
    )


def notification_label(kind: str) -> str:
    """The words of a stored code; a code this version does not know reads as a generic line."""
    try:
        return NotificationKind(kind).label
    except ValueError:
        return "Nouvel événement sur le dossier"
