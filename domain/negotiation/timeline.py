"""What a negotiation's workflow writes on the dossier's timeline and shows operators: the kinds
of entries, the names of its client emails, and the wording of the summaries built from data.
Pure, no Temporal.
"""

from __future__ import annotations

from enum import StrEnum

from domain.negotiation.sharing import SHARE_CATEGORY_SHORT_FR, ShareCategory
from domain.negotiation.states import NegotiationState


class EntryKind(StrEnum):
    # Something the case worker must do.
    TASK = "negotiation_task"
    PROGRESS = "negotiation_progress"


EMAIL_LABELS_FR = {
    "negotiation_consent_request": "demande de consentement",
    "negotiation_offer_sent": "offre envoyée",
    "negotiation_counter_offer": "contre-proposition à décider",
    "negotiation_counter_accepted": "reçu de l'acceptation d'une contre-proposition",
    "negotiation_agreement": "accord conclu",
    "negotiation_refused": "refus du créancier",
    "negotiation_no_response": "absence de réponse",
    "negotiation_offer_expired": "offre expirée",
    "negotiation_suspended": "négociation suspendue",
    "negotiation_instalment_missed": "échéance impayée",
    "negotiation_plan_broken": "plan rompu",
    "negotiation_completed": "négociation terminée",
    "negotiation_escalated": "orientation vers un recours",
    "negotiation_closed": "négociation close",
}


def email_label(template: str) -> str:
    return EMAIL_LABELS_FR.get(template, template)


def failure_reason(message: str | None) -> str:
    """Why a message to the creditor failed, inside a sentence: the activity's refusal, else a
    generic reason."""
    return message.rstrip(".") if message else "erreur d'envoi"


def offer_sent_summary(round_number: int, categories: list[str]) -> str:
    """Names the categories of data the offer shared (unknown codes are left out)."""
    shared = ", ".join(
        SHARE_CATEGORY_SHORT_FR[ShareCategory(c)].lower()
        for c in categories
        if c in ShareCategory._value2member_map_
    )
    return f"offre n°{round_number} envoyée (catégories : {shared or 'aucune'})"


def operator_stage(state: NegotiationState) -> str:
    """The CravelynosStage search attribute of a negotiation, e.g.
    temporal workflow list --query 'CravelynosStage="negotiation:no_response"'."""
    return f"negotiation:{state.value}"
