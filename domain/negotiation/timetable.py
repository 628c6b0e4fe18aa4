"""When a negotiation's workflow acts on its own, and the deadline its read model shows: the
reply wait (follow-ups, "no response", or the offer's expiry when it comes first), the client's
decision on a counter-offer, and the repayment plan's alerts. Pure, no Temporal.
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


def next_deadline(
    negotiation: CreditorNegotiationState, now: datetime
) -> tuple[datetime | None, str | None]:
    """The next moment something happens on its own in the current state, and its label."""
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
    return None, None
