"""The states of one creditor negotiation, their French labels, and which of them end it.

The workflow owns the current state; the `negotiation` row mirrors it for the pages.
"""

from __future__ import annotations

from enum import StrEnum


class NegotiationState(StrEnum):
    CONSENT_PENDING = "consent_pending"
    READY = "ready"
    OFFER_SENT = "offer_sent"
    AWAITING_REPLY = "awaiting_reply"
    COUNTER_OFFER = "counter_offer"
    INFORMATION_REQUESTED = "information_requested"
    REFUSED = "refused"
    NO_RESPONSE = "no_response"
    OFFER_EXPIRED = "offer_expired"
    AGREEMENT_PENDING = "agreement_pending"
    PLAN_RUNNING = "plan_running"
    BROKEN = "broken"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    ESCALATED = "escalated"
    CLOSED_UNRESOLVED = "closed_unresolved"
    ABANDONED = "abandoned"


NEGOTIATION_STATE_LABELS_FR: dict[NegotiationState, str] = {
    NegotiationState.CONSENT_PENDING: "Consentement du client attendu",
    NegotiationState.READY: "Prête : offre à préparer",
    NegotiationState.OFFER_SENT: "Offre envoyée",
    NegotiationState.AWAITING_REPLY: "Réponse du créancier attendue",
    NegotiationState.COUNTER_OFFER: "Contre-proposition : décision du client attendue",
    NegotiationState.INFORMATION_REQUESTED: "Informations demandées par le créancier",
    NegotiationState.REFUSED: "Offre refusée par le créancier",
    NegotiationState.NO_RESPONSE: "Sans réponse du créancier",
    NegotiationState.OFFER_EXPIRED: "Offre arrivée à expiration",
    NegotiationState.AGREEMENT_PENDING: "Accord en attente de confirmation écrite",
    NegotiationState.PLAN_RUNNING: "Plan de remboursement en cours",
    NegotiationState.BROKEN: "Plan de remboursement rompu",
    NegotiationState.SUSPENDED: "Suspendue : consentement retiré",
    NegotiationState.COMPLETED: "Terminée : accord exécuté",
    NegotiationState.ESCALATED: "Terminée : orientée vers un recours",
    NegotiationState.CLOSED_UNRESOLVED: "Terminée sans accord",
    NegotiationState.ABANDONED: "Abandonnée",
}

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


class ReplyKind(StrEnum):
    ACCEPTED = "accepted"
    COUNTER_OFFER = "counter_offer"
    INFORMATION_REQUESTED = "information_requested"
    REFUSED = "refused"


REPLY_KIND_LABELS_FR: dict[ReplyKind, str] = {
    ReplyKind.ACCEPTED: "Offre acceptée",
    ReplyKind.COUNTER_OFFER: "Contre-proposition",
    ReplyKind.INFORMATION_REQUESTED: "Demande d'informations",
    ReplyKind.REFUSED: "Refus",
}


class OfferType(StrEnum):
    PAYMENT_PLAN = "payment_plan"
    REMISSION = "remission"
    MORATORIUM = "moratorium"
    FEE_WAIVER = "fee_waiver"
    INTEREST_FREEZE = "interest_freeze"


OFFER_TYPE_LABELS_FR: dict[OfferType, str] = {
    OfferType.PAYMENT_PLAN: "Échéancier de remboursement",
    OfferType.REMISSION: "Remise de dette",
    OfferType.MORATORIUM: "Moratoire (report des paiements)",
    OfferType.FEE_WAIVER: "Abandon des frais et pénalités",
    OfferType.INTEREST_FREEZE: "Gel des intérêts",
}


class OfferParty(StrEnum):
    US = "us"
    CREDITOR = "creditor"


OFFER_PARTY_LABELS_FR: dict[OfferParty, str] = {
    OfferParty.US: "Cravelynos (pour le client)",
    OfferParty.CREDITOR: "Le créancier",
}


class EscalationRoute(StrEnum):
    OMBUDSMAN = "ombudsman"
    BANQUE_DE_FRANCE = "banque_de_france"


ESCALATION_LABELS_FR: dict[EscalationRoute, str] = {
    EscalationRoute.OMBUDSMAN: "Saisine du médiateur du créancier",
    EscalationRoute.BANQUE_DE_FRANCE: "Dépôt d'un dossier de surendettement à la Banque de France",
}


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
