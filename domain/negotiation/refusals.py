"""Whether a request may change a creditor negotiation now, and the French message that refuses
it otherwise (shown to the case worker or the client as is): pure, no Temporal.

A rule returns None when the request may go on. The workflow asks the same rule twice: in the
update's validator, and again once the handler holds the lock, since another update may have
come first.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from domain.french_dates import french_date
from domain.negotiation.lifecycle import CreditorNegotiationState
from domain.negotiation.states import (
    DECISION_STATES,
    NEGOTIATION_STATE_LABELS_FR,
    REPLY_STATES,
    EndOutcome,
    EscalationRoute,
    NegotiationState,
    OfferParty,
    OfferStatus,
    ReplyKind,
)
from domain.negotiation.timing import paris_date

ENDED = "Cette négociation est terminée : plus rien ne peut y être enregistré."
SEND_IN_PROGRESS = (
    "Un envoi au créancier est en cours : patientez quelques instants, puis rechargez la page."
)
ONLY_CLIENT = "Seul le client peut accepter une contre-proposition."
NOTHING_TO_REVOKE = (
    "Aucun consentement donné n'est en cours pour ce créancier : il n'y a rien à retirer."
)
ALREADY_DECIDED = "Cette décision du client est déjà enregistrée."
NOT_OUR_DRAFT = "Cette offre n'est pas un brouillon de notre part : elle ne peut pas être envoyée."
OFFER_IN_THE_PAST = "La date de validité de l'offre est déjà passée."
COUNTER_NOT_FOUND = (
    "La contre-proposition enregistrée est introuvable ou ne vient pas du créancier."
)
COUNTER_REQUIRED = "Une contre-proposition doit être enregistrée avec ses conditions."
COUNTER_ALREADY_PAST = "Cette contre-proposition n'est déjà plus valable : sa date est passée."
NOT_THE_COUNTER = "Cette contre-proposition n'est pas celle qui attend la décision du client."
DECISION_TOO_LATE = "Le délai de décision sur cette contre-proposition est dépassé."
NOT_THE_REQUEST = "Cette demande d'informations n'est pas celle qui attend une réponse."
PAID_ON_INVALID = "La date de paiement n'est pas une date valide (AAAA-MM-JJ)."
PAID_ON_FUTURE = "La date de paiement ne peut pas être dans le futur."

# The actions named in "Impossible <action> : la négociation est à l'état « … »."
SEND_OFFER = "d'envoyer une offre"
RECORD_REPLY = "d'enregistrer une réponse du créancier"
SEND_INFORMATION = "d'envoyer les informations demandées"
DECIDE_COUNTER_OFFER = "de décider d'une contre-proposition"
CONFIRM_AGREEMENT = "de confirmer un accord"
RECORD_PAYMENT = "d'enregistrer un paiement"
ESCALATE = "d'orienter vers un recours"

# A counter-offer already answered or void cannot be put to the client.
SETTLED_OFFER_STATUSES = frozenset(
    {OfferStatus.ACCEPTED, OfferStatus.REFUSED, OfferStatus.LAPSED, OfferStatus.EXPIRED}
)
# Where a case worker may still send the negotiation to a mediator or the Banque de France.
ESCALATION_STATES = DECISION_STATES | {NegotiationState.AWAITING_REPLY, NegotiationState.SUSPENDED}


def not_now(action: str, state: NegotiationState) -> str:
    label = NEGOTIATION_STATE_LABELS_FR[state]
    return f"Impossible {action} : la négociation est à l'état « {label} »."


def ended_refusal(negotiation: CreditorNegotiationState) -> str | None:
    return ENDED if negotiation.ended else None


def state_refusal(
    negotiation: CreditorNegotiationState, allowed: Collection[NegotiationState], action: str
) -> str | None:
    if negotiation.ended:
        return ENDED
    return None if negotiation.state in allowed else not_now(action, negotiation.state)


# ----- consent --------------------------------------------------------------------------------


def consent_decision_refusal(negotiation: CreditorNegotiationState, consent_id: str) -> str | None:
    if consent_id in negotiation.decided_consents:
        return ALREADY_DECIDED
    return ended_refusal(negotiation)


def revocation_refusal(negotiation: CreditorNegotiationState) -> str | None:
    return ended_refusal(negotiation) or (None if negotiation.consent_given else NOTHING_TO_REVOKE)


# ----- offers and replies ---------------------------------------------------------------------


def send_offer_refusal(negotiation: CreditorNegotiationState) -> str | None:
    """An offer to send: also refused while another message is being sent."""
    if negotiation.sending:
        return SEND_IN_PROGRESS
    return offer_round_refusal(negotiation)


def offer_round_refusal(negotiation: CreditorNegotiationState) -> str | None:
    """A new offer round: the case worker decides the next step."""
    return state_refusal(negotiation, DECISION_STATES, SEND_OFFER)


def draft_refusal(
    negotiation: CreditorNegotiationState,
    made_by: str,
    status: str,
    round_number: int,
    valid_until: date,
    today: date,
) -> str | None:
    """Our draft for the next round, still valid (`today` in Paris)."""
    if made_by != OfferParty.US or status != OfferStatus.DRAFT:
        return NOT_OUR_DRAFT
    if round_number != negotiation.round + 1:
        return (
            f"Cette offre est prévue pour le tour n°{round_number} : le prochain tour est le "
            f"n°{negotiation.round + 1}."
        )
    if valid_until <= today:
        return OFFER_IN_THE_PAST
    return None


def reply_refusal(
    negotiation: CreditorNegotiationState, kind: str, counter_offer_id: str | None
) -> str | None:
    if kind not in ReplyKind._value2member_map_:
        return f"Type de réponse inconnu : {kind!r}."
    if kind == ReplyKind.COUNTER_OFFER and not counter_offer_id:
        return COUNTER_REQUIRED
    return state_refusal(negotiation, REPLY_STATES, RECORD_REPLY)


def counter_offer_refusal(
    made_by: str, status: str, decision_deadline: datetime, now: datetime
) -> str | None:
    """The creditor's counter-offer, still open, with time left for the client to decide."""
    if made_by != OfferParty.CREDITOR or status in SETTLED_OFFER_STATUSES:
        return COUNTER_NOT_FOUND
    if decision_deadline <= now:
        return COUNTER_ALREADY_PAST
    return None


def information_refusal(
    negotiation: CreditorNegotiationState, reply_id: str, sending: bool = True
) -> str | None:
    """Answering the information request `reply_id`; `sending`: also refused while another
    message is being sent (not once this one holds the lock)."""
    if sending and negotiation.sending:
        return SEND_IN_PROGRESS
    refusal = state_refusal(negotiation, {NegotiationState.INFORMATION_REQUESTED}, SEND_INFORMATION)
    if refusal:
        return refusal
    return None if reply_id == negotiation.information_reply_id else NOT_THE_REQUEST


def client_decision_refusal(
    negotiation: CreditorNegotiationState, actor: str, offer_id: str, now: datetime
) -> str | None:
    if not actor.startswith("client:"):
        return ONLY_CLIENT
    refusal = state_refusal(negotiation, {NegotiationState.COUNTER_OFFER}, DECIDE_COUNTER_OFFER)
    if refusal:
        return refusal
    if offer_id != negotiation.counter_offer_id:
        return NOT_THE_COUNTER
    if negotiation.decision_deadline is not None and now >= negotiation.decision_deadline:
        return DECISION_TOO_LATE
    return None


# ----- agreement and plan ---------------------------------------------------------------------


def agreement_refusal(negotiation: CreditorNegotiationState) -> str | None:
    return state_refusal(negotiation, {NegotiationState.AGREEMENT_PENDING}, CONFIRM_AGREEMENT)


def instalment_refusal(
    negotiation: CreditorNegotiationState, number: int, paid_on: str | None, now: datetime
) -> str | None:
    """Instalment `number` paid on `paid_on` (ISO date, when known)."""
    refusal = state_refusal(negotiation, {NegotiationState.PLAN_RUNNING}, RECORD_PAYMENT)
    if refusal:
        return refusal
    if not 1 <= number <= len(negotiation.due_dates):
        return f"L'échéance n°{number} n'existe pas dans ce plan."
    if number in negotiation.paid:
        return f"L'échéance n°{number} est déjà enregistrée comme payée."
    return paid_on_refusal(negotiation, paid_on, now)


def paid_on_refusal(
    negotiation: CreditorNegotiationState, paid_on: str | None, now: datetime
) -> str | None:
    """A payment date is a real day, not in the future, not before the agreement (in Paris)."""
    if paid_on is None:
        return None
    try:
        day = date.fromisoformat(paid_on)
    except ValueError:
        return PAID_ON_INVALID
    if day > paris_date(now):
        return PAID_ON_FUTURE
    agreed_at = negotiation.agreed_at
    if agreed_at is not None and day < paris_date(agreed_at):
        return (
            "La date de paiement ne peut pas précéder l'accord, conclu le "
            f"{french_date(agreed_at)}."
        )
    return None


# ----- ends -----------------------------------------------------------------------------------


def escalation_refusal(negotiation: CreditorNegotiationState, route: str) -> str | None:
    if route not in EscalationRoute._value2member_map_:
        return f"Voie de recours inconnue : {route!r}."
    return state_refusal(negotiation, ESCALATION_STATES, ESCALATE)


def end_refusal(negotiation: CreditorNegotiationState, outcome: str) -> str | None:
    if outcome not in EndOutcome._value2member_map_:
        return f"Issue inconnue : {outcome!r}."
    return ended_refusal(negotiation)
