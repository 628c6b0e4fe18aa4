"""The states of one creditor negotiation, their French labels, and which of them end it.

The workflow owns the current state; the `negotiation` row mirrors it for the pages.
"""

from __future__ import annotations

from enum import StrEnum

from domain.labelled_enum import LabelledEnum


class NegotiationState(LabelledEnum):
    CONSENT_PENDING = "consent_pending", "Consentement du client attendu"
    READY = "ready", "Prête : offre à préparer"
    OFFER_SENT = "offer_sent", "Offre envoyée"
    AWAITING_REPLY = "awaiting_reply", "Réponse du créancier attendue"
    COUNTER_OFFER = "counter_offer", "Contre-proposition : décision du client attendue"
    INFORMATION_REQUESTED = "information_requested", "Informations demandées par le créancier"
    REFUSED = "refused", "Offre refusée par le créancier"
    NO_RESPONSE = "no_response", "Sans réponse du créancier"
    OFFER_EXPIRED = "offer_expired", "Offre arrivée à expiration"
    AGREEMENT_PENDING = "agreement_pending", "Accord en attente de confirmation écrite"
    PLAN_RUNNING = "plan_running", "Plan de remboursement en cours"
    BROKEN = "broken", "Plan de remboursement rompu"
    SUSPENDED = "suspended", "Suspendue : consentement retiré"
    COMPLETED = "completed", "Terminée : accord exécuté"
    ESCALATED = "escalated", "Terminée : orientée vers un recours"
    CLOSED_UNRESOLVED = "closed_unresolved", "Terminée sans accord"
    ABANDONED = "abandoned", "Abandonnée"


NEGOTIATION_STATE_LABELS_FR = NegotiationState.labels()

# Nothing more happens in these: the dossier may close once every negotiation is in one.
ENDED_STATES = frozenset(
    {
        NegotiationState.COMPLETED,
        NegotiationState.ESCALATED,
        NegotiationState.CLOSED_UNRESOLVED,
        NegotiationState.ABANDONED,
    }
)

# The case worker decides the next step: a new offer round, an escalation, or an end.
DECISION_STATES = frozenset(
    {
        NegotiationState.READY,
        NegotiationState.REFUSED,
        NegotiationState.NO_RESPONSE,
        NegotiationState.OFFER_EXPIRED,
        NegotiationState.BROKEN,
    }
)

# A reply from the creditor can be recorded while one of our messages waits for it (a late
# reply after "no response" or an expired offer still counts).
REPLY_STATES = frozenset(
    {
        NegotiationState.OFFER_SENT,
        NegotiationState.AWAITING_REPLY,
        NegotiationState.NO_RESPONSE,
        NegotiationState.OFFER_EXPIRED,
    }
)


class ReplyKind(LabelledEnum):
    ACCEPTED = "accepted", "Offre acceptée"
    COUNTER_OFFER = "counter_offer", "Contre-proposition"
    INFORMATION_REQUESTED = "information_requested", "Demande d'informations"
    REFUSED = "refused", "Refus"


REPLY_KIND_LABELS_FR = ReplyKind.labels()


class OfferType(LabelledEnum):
    PAYMENT_PLAN = "payment_plan", "Échéancier de remboursement"
    REMISSION = "remission", "Remise de dette"
    MORATORIUM = "moratorium", "Moratoire (report des paiements)"
    FEE_WAIVER = "fee_waiver", "Abandon des frais et pénalités"
    INTEREST_FREEZE = "interest_freeze", "Gel des intérêts"


OFFER_TYPE_LABELS_FR = OfferType.labels()


class OfferParty(LabelledEnum):
    US = "us", "Cravelynos (pour le client)"
    CREDITOR = "creditor", "Le créancier"


OFFER_PARTY_LABELS_FR = OfferParty.labels()


class EscalationRoute(LabelledEnum):
    OMBUDSMAN = "ombudsman", "Saisine du médiateur du créancier"
    BANQUE_DE_FRANCE = (
        "banque_de_france",
        "Dépôt d'un dossier de surendettement à la Banque de France",
    )


ESCALATION_LABELS_FR = EscalationRoute.labels()


class EndOutcome(StrEnum):
    """How a case worker ends a negotiation by hand (the reason itself is stored, encrypted)."""

    CLOSED_UNRESOLVED = "closed_unresolved"
    ABANDONED = "abandoned"


class OfferStatus(StrEnum):
    """Where one offer stands (negotiation_offer.status): ours from draft to the creditor's
    answer, the creditor's counter-offer until the client decides."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    COUNTERED = "countered"
    # Our offer's validity ran out unanswered.
    EXPIRED = "expired"
    # A counter-offer the client did not decide on in time, or voided by an end.
    LAPSED = "lapsed"
    # Replaced by our next offer while unanswered, or voided by a consent withdrawal.
    WITHDRAWN = "withdrawn"
