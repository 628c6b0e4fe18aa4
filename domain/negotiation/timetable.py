"""When a negotiation's workflow acts on its own, and the deadline its read model shows: the
reply wait (follow-ups, "no response", or the offer's expiry when it comes first), the client's
decision on a counter-offer, the repayment plan's alerts, the creditor's written confirmation of
an agreement (followed up), and for every other wait who is expected to act and by when.
Pure, no Temporal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from domain.negotiation.lifecycle import CreditorNegotiationState, NegotiationDelays
from domain.negotiation.states import NegotiationState
from domain.negotiation.timing import end_of_day


class ReplyEvent(StrEnum):
    FOLLOW_UP = "follow_up"
    NO_RESPONSE = "no_response"
    OFFER_EXPIRY = "offer_expiry"


class PlanEvent(StrEnum):
    # The eve of a due date (a deadline shown, no action).
    DUE = "due"
    # Unpaid after the grace period: the client is alerted, once.
    MISSED = "missed"
    # Still unpaid: the plan is broken.
    BROKEN = "broken"


class Scheduled(NamedTuple):
    """One event of a timetable; tuples sort by moment, then event, then number."""

    moment: datetime
    event: str
    # The follow-up's or the instalment's number (0 for the others).
    number: int


def reply_events(negotiation: CreditorNegotiationState) -> list[Scheduled]:
    """Follow-ups and "no response" from the start of the wait; the offer's expiry instead,
    when it comes first."""
    delays, base = negotiation.delays, negotiation.wait_started_at
    assert delays is not None and base is not None
    events = [
        Scheduled(base + timedelta(days=days), ReplyEvent.FOLLOW_UP, number)
        for number, days in enumerate(delays.follow_up_days, start=1)
    ]
    no_response = base + timedelta(days=delays.no_response_days)
    expiry = negotiation.offer_expires_at
    if expiry is not None and expiry <= no_response:
        return [e for e in events if e.moment < expiry] + [
            Scheduled(expiry, ReplyEvent.OFFER_EXPIRY, 0)
        ]
    return [*events, Scheduled(no_response, ReplyEvent.NO_RESPONSE, 0)]


def plan_events(negotiation: CreditorNegotiationState, include_due: bool) -> list[Scheduled]:
    """The alerts of every unpaid instalment, earliest first (with their eves: `include_due`)."""
    delays = negotiation.delays
    assert delays is not None
    events: list[Scheduled] = []
    for number, due in enumerate(negotiation.due_dates, start=1):
        if number in negotiation.paid:
            continue
        if include_due:
            events.append(Scheduled(end_of_day(due - timedelta(days=1)), PlanEvent.DUE, number))
        if number not in negotiation.missed_alerted:
            grace = due + timedelta(days=delays.instalment_grace_days)
            events.append(Scheduled(end_of_day(grace), PlanEvent.MISSED, number))
        broken = due + timedelta(days=delays.instalment_broken_after_days)
        events.append(Scheduled(end_of_day(broken), PlanEvent.BROKEN, number))
    return sorted(events)


def next_plan_alert(negotiation: CreditorNegotiationState) -> Scheduled | None:
    events = plan_events(negotiation, include_due=False)
    return events[0] if events else None


def counter_offer_deadline(now: datetime, delays: NegotiationDelays, valid_until: date) -> datetime:
    """The client decides within the settings' delay, and never after the counter-offer's own
    validity."""
    return min(now + timedelta(days=delays.counter_offer_decision_days), end_of_day(valid_until))


REPLY_LABELS_FR = {
    ReplyEvent.NO_RESPONSE: "Sans réponse du créancier : suite à décider",
    ReplyEvent.OFFER_EXPIRY: "Fin de validité de l'offre",
}
PLAN_LABELS_FR = {
    PlanEvent.DUE: "Échéance n°{n} du plan",
    PlanEvent.MISSED: "Échéance n°{n} impayée : fin du délai de grâce",
    PlanEvent.BROKEN: "Échéance n°{n} impayée : plan rompu à cette date",
}
DECISION_LABEL = "Décision du client sur la contre-proposition"


# Days the case worker has to act in a state that waits on them (prepare the offer and choose
# the creditor in the directory, answer the creditor's questions, decide what follows a
# refusal), and the client to answer a consent request.
CASE_WORKER_DAYS = 7
CLIENT_CONSENT_DAYS = 14
# Who each remaining wait is on, and what they are to do.
WAIT_LABELS_FR: dict[NegotiationState, tuple[int, str]] = {
    NegotiationState.CONSENT_PENDING: (
        CLIENT_CONSENT_DAYS,
        "Client : donner ou refuser son consentement (sinon, le relancer)",
    ),
    NegotiationState.READY: (
        CASE_WORKER_DAYS,
        "Conseiller : choisir le créancier dans l'annuaire et envoyer l'offre",
    ),
    NegotiationState.INFORMATION_REQUESTED: (
        CASE_WORKER_DAYS,
        "Conseiller : envoyer au créancier les informations demandées",
    ),
    NegotiationState.REFUSED: (CASE_WORKER_DAYS, "Conseiller : nouvelle offre, recours ou fin"),
    NegotiationState.NO_RESPONSE: (
        CASE_WORKER_DAYS,
        "Conseiller : relancer autrement, nouvelle offre, recours ou fin",
    ),
    NegotiationState.OFFER_EXPIRED: (
        CASE_WORKER_DAYS,
        "Conseiller : nouvelle offre ou fin de la négociation",
    ),
    NegotiationState.SUSPENDED: (
        CLIENT_CONSENT_DAYS,
        "Client : nouveau consentement attendu (sinon, mettre fin à la négociation)",
    ),
}
CONFIRMATION_FOLLOW_UP_LABEL = (
    "Créancier : confirmation écrite de l'accord attendue (relance n°{n} à cette date)"
)
CONFIRMATION_OVERDUE_LABEL = "Créancier : confirmation écrite de l'accord toujours attendue"
# The last event of the confirmation wait: a task, as "no response" is for an offer.
CONFIRMATION_OVERDUE = "confirmation_overdue"


def confirmation_events(negotiation: CreditorNegotiationState) -> list[Scheduled]:
    """An agreement awaiting the creditor's written confirmation: follow-ups from the day it
    was agreed, on the reply wait's days, then the "no response" day (a task)."""
    delays, base = negotiation.delays, negotiation.agreed_at
    assert delays is not None and base is not None
    events = [
        Scheduled(base + timedelta(days=days), ReplyEvent.FOLLOW_UP, number)
        for number, days in enumerate(delays.follow_up_days, start=1)
    ]
    overdue = Scheduled(base + timedelta(days=delays.no_response_days), CONFIRMATION_OVERDUE, 0)
    return [*events, overdue]


def waiting_on(
    negotiation: CreditorNegotiationState, now: datetime
) -> tuple[datetime | None, str | None]:
    """Who a wait that nothing ends on its own is on, and by when (None: no such wait)."""
    state = negotiation.state
    if state == NegotiationState.AGREEMENT_PENDING and negotiation.agreed_at is not None:
        for moment, event, number in confirmation_events(negotiation):
            if moment > now:
                if event == ReplyEvent.FOLLOW_UP:
                    return moment, CONFIRMATION_FOLLOW_UP_LABEL.format(n=number)
                return moment, CONFIRMATION_OVERDUE_LABEL
        return None, CONFIRMATION_OVERDUE_LABEL
    waits = WAIT_LABELS_FR.get(state)
    if waits is None or negotiation.state_since is None:
        return None, None
    days, label = waits
    return negotiation.state_since + timedelta(days=days), label


def next_deadline(
    negotiation: CreditorNegotiationState, now: datetime, *, every_wait: bool = False
) -> tuple[datetime | None, str | None]:
    """The next moment something happens on its own in the current state, and its label;
    with `every_wait`, else who is expected to act, and by when."""
    state = negotiation.state
    if state == NegotiationState.AWAITING_REPLY and negotiation.wait_started_at is not None:
        for moment, event, number in reply_events(negotiation):
            if moment > now:
                label = REPLY_LABELS_FR.get(ReplyEvent(event))
                return moment, label or f"Relance n°{number} du créancier"
    if state == NegotiationState.COUNTER_OFFER and negotiation.decision_deadline is not None:
        return negotiation.decision_deadline, DECISION_LABEL
    if state == NegotiationState.PLAN_RUNNING:
        for moment, event, number in plan_events(negotiation, include_due=True):
            if moment > now:
                return moment, PLAN_LABELS_FR[PlanEvent(event)].format(n=number)
    if every_wait:
        return waiting_on(negotiation, now)
    return None, None
