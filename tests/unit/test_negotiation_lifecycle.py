"""A creditor negotiation's rules without Temporal: its transitions, what each request may do in
each state (and the French refusal otherwise), its timetables and the deadline it shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.negotiation.lifecycle import CreditorNegotiationState, NegotiationDelays
from domain.negotiation.refusals import (
    ALREADY_DECIDED,
    COUNTER_ALREADY_PAST,
    COUNTER_NOT_FOUND,
    COUNTER_REQUIRED,
    DECISION_TOO_LATE,
    ENDED,
    NOT_OUR_DRAFT,
    NOT_THE_COUNTER,
    NOT_THE_REQUEST,
    NOTHING_TO_REVOKE,
    OFFER_IN_THE_PAST,
    ONLY_CLIENT,
    PAID_ON_FUTURE,
    PAID_ON_INVALID,
    SEND_IN_PROGRESS,
    agreement_refusal,
    client_decision_refusal,
    consent_decision_refusal,
    counter_offer_refusal,
    draft_refusal,
    end_refusal,
    escalation_refusal,
    information_refusal,
    instalment_refusal,
    not_now,
    reply_refusal,
    revocation_refusal,
    send_offer_refusal,
)
from domain.negotiation.states import NegotiationState as S
from domain.negotiation.states import OfferStatus
from domain.negotiation.timeline import failure_reason, offer_sent_summary, operator_stage
from domain.negotiation.timetable import (
    PlanEvent,
    ReplyEvent,
    counter_offer_deadline,
    next_deadline,
    next_plan_alert,
    plan_events,
    reply_events,
)
from domain.negotiation.timing import end_of_day

# Noon in Paris (winter): 11:00 UTC.
NOW = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
DELAYS = NegotiationDelays(
    follow_up_days=(7, 14),
    no_response_days=30,
    counter_offer_decision_days=10,
    instalment_grace_days=5,
    instalment_broken_after_days=30,
)


def negotiation(state: S = S.READY, **changes: object) -> CreditorNegotiationState:
    result = CreditorNegotiationState("n1", "d1", state=state, delays=DELAYS)
    for name, value in changes.items():
        setattr(result, name, value)
    return result


# ----- transitions ----------------------------------------------------------------------------


def test_every_move_bumps_the_epoch_the_waits_watch() -> None:
    n = negotiation(S.CONSENT_PENDING)
    n.give_consent("c1")
    assert (n.state, n.epoch, n.consent_id, n.consent_given) == (S.READY, 1, "c1", True)
    assert "c1" in n.decided_consents
    assert n.is_current(1) and not n.is_current(0)


def test_a_consent_given_while_negotiating_changes_only_the_consent() -> None:
    n = negotiation(S.INFORMATION_REQUESTED, consent_id="c1", consent_given=True)
    n.give_consent("c2")
    assert (n.state, n.epoch, n.consent_id) == (S.INFORMATION_REQUESTED, 0, "c2")


def test_during_a_withdrawal_a_running_step_may_only_end_the_negotiation() -> None:
    n = negotiation(S.AWAITING_REPLY, consent_given=True)
    n.suspend()
    n.revoking += 1
    assert (n.state, n.consent_given, n.is_current(n.epoch)) == (S.SUSPENDED, False, False)
    n.move_to(S.AGREEMENT_PENDING)
    assert n.state == S.SUSPENDED
    n.move_to(S.ABANDONED)
    assert n.state == S.ABANDONED and n.ended


def test_an_offer_sent_starts_a_reply_wait() -> None:
    n = negotiation(accepted_offer_id="old")
    expires = end_of_day(date(2026, 3, 31))
    n.offer_sent("o1", 1, expires)
    n.start_reply_wait(NOW)
    assert (n.state, n.round, n.offer_id, n.offer_pending) == (S.AWAITING_REPLY, 1, "o1", True)
    assert (n.offer_expires_at, n.accepted_offer_id, n.wait, n.wait_started_at) == (
        expires,
        None,
        1,
        NOW,
    )


def test_the_last_instalment_paid_completes_the_plan() -> None:
    n = negotiation(S.AGREEMENT_PENDING)
    n.plan_confirmed([date(2026, 4, 1), date(2026, 5, 1)])
    assert n.state == S.PLAN_RUNNING and n.unpaid_instalments == [1, 2]
    epoch = n.epoch
    assert n.instalment_paid(2) is False
    assert (n.state, n.epoch, n.unpaid_instalments) == (S.PLAN_RUNNING, epoch + 1, [1])
    assert n.instalment_paid(1) is True
    assert n.state == S.COMPLETED


def test_an_agreement_without_instalments_completes_at_once() -> None:
    n = negotiation(S.AGREEMENT_PENDING)
    n.plan_confirmed([])
    assert n.state == S.COMPLETED


# ----- refusals -------------------------------------------------------------------------------


def test_an_ended_negotiation_refuses_everything() -> None:
    ended = negotiation(S.COMPLETED)
    assert send_offer_refusal(ended) == ENDED
    assert reply_refusal(ended, "accepted", None) == ENDED
    assert consent_decision_refusal(ended, "c9") == ENDED
    assert end_refusal(ended, "abandoned") == ENDED


def test_an_offer_is_sent_only_when_the_case_worker_decides_and_one_at_a_time() -> None:
    assert send_offer_refusal(negotiation(S.NO_RESPONSE)) is None
    assert send_offer_refusal(negotiation(S.READY, sending=True)) == SEND_IN_PROGRESS
    assert send_offer_refusal(negotiation(S.AWAITING_REPLY)) == (
        "Impossible d'envoyer une offre : la négociation est à l'état « Réponse du créancier "
        "attendue »."
    )


def test_only_our_draft_for_the_next_round_and_still_valid_is_sent() -> None:
    n = negotiation(round=1)
    today = date(2026, 3, 2)
    later = date(2026, 3, 31)
    assert draft_refusal(n, "us", "draft", 2, later, today) is None
    assert draft_refusal(n, "creditor", "draft", 2, later, today) == NOT_OUR_DRAFT
    assert draft_refusal(n, "us", "sent", 2, later, today) == NOT_OUR_DRAFT
    assert draft_refusal(n, "us", "draft", 3, later, today) == (
        "Cette offre est prévue pour le tour n°3 : le prochain tour est le n°2."
    )
    assert draft_refusal(n, "us", "draft", 2, today, today) == OFFER_IN_THE_PAST


def test_a_reply_needs_a_known_kind_a_counter_offer_its_terms_and_an_offer_out() -> None:
    assert reply_refusal(negotiation(S.AWAITING_REPLY), "accepted", None) is None
    # A late reply after "no response" still counts.
    assert reply_refusal(negotiation(S.NO_RESPONSE), "refused", None) is None
    assert reply_refusal(negotiation(S.AWAITING_REPLY), "maybe", None) == (
        "Type de réponse inconnu : 'maybe'."
    )
    assert reply_refusal(negotiation(S.AWAITING_REPLY), "counter_offer", None) == COUNTER_REQUIRED
    assert reply_refusal(negotiation(S.READY), "accepted", None) == not_now(
        "d'enregistrer une réponse du créancier", S.READY
    )


def test_a_counter_offer_must_come_from_the_creditor_still_open_and_in_time() -> None:
    later = NOW + timedelta(days=3)
    assert counter_offer_refusal("creditor", "draft", later, NOW) is None
    assert counter_offer_refusal("us", "draft", later, NOW) == COUNTER_NOT_FOUND
    assert counter_offer_refusal("creditor", OfferStatus.LAPSED, later, NOW) == COUNTER_NOT_FOUND
    assert counter_offer_refusal("creditor", "draft", NOW, NOW) == COUNTER_ALREADY_PAST


def test_the_client_decides_on_the_pending_counter_offer_before_its_deadline() -> None:
    n = negotiation(S.COUNTER_OFFER, counter_offer_id="k1", decision_deadline=NOW)
    before = NOW - timedelta(minutes=1)
    assert client_decision_refusal(n, "client:7", "k1", before) is None
    assert client_decision_refusal(n, "staff:3", "k1", before) == ONLY_CLIENT
    assert client_decision_refusal(n, "client:7", "k2", before) == NOT_THE_COUNTER
    assert client_decision_refusal(n, "client:7", "k1", NOW) == DECISION_TOO_LATE


def test_information_goes_to_the_request_that_awaits_it() -> None:
    n = negotiation(S.INFORMATION_REQUESTED, information_reply_id="r1")
    assert information_refusal(n, "r1") is None
    assert information_refusal(n, "r2") == NOT_THE_REQUEST
    n.sending = True
    assert information_refusal(n, "r1") == SEND_IN_PROGRESS
    assert information_refusal(n, "r1", sending=False) is None


def test_consent_decisions_are_recorded_once_and_only_a_given_consent_is_withdrawn() -> None:
    n = negotiation(S.CONSENT_PENDING, decided_consents={"c1"})
    assert consent_decision_refusal(n, "c1") == ALREADY_DECIDED
    assert consent_decision_refusal(n, "c2") is None
    assert revocation_refusal(n) == NOTHING_TO_REVOKE
    assert revocation_refusal(negotiation(consent_given=True)) is None


def test_an_agreement_is_confirmed_only_when_pending() -> None:
    assert agreement_refusal(negotiation(S.AGREEMENT_PENDING)) is None
    assert agreement_refusal(negotiation(S.READY)) == not_now("de confirmer un accord", S.READY)


def test_a_payment_is_for_an_unpaid_instalment_of_the_plan_on_a_plausible_day() -> None:
    n = negotiation(
        S.PLAN_RUNNING,
        due_dates=[date(2026, 3, 1), date(2026, 4, 1)],
        paid={1},
        agreed_at=datetime(2026, 2, 10, 9, 0, tzinfo=UTC),
    )
    assert instalment_refusal(n, 2, None, NOW) is None
    assert instalment_refusal(n, 2, "2026-03-02", NOW) is None
    assert instalment_refusal(n, 3, None, NOW) == "L'échéance n°3 n'existe pas dans ce plan."
    assert instalment_refusal(n, 1, None, NOW) == (
        "L'échéance n°1 est déjà enregistrée comme payée."
    )
    assert instalment_refusal(n, 2, "2 mars", NOW) == PAID_ON_INVALID
    assert instalment_refusal(n, 2, "2026-03-03", NOW) == PAID_ON_FUTURE
    assert instalment_refusal(n, 2, "2026-02-09", NOW) == (
        "La date de paiement ne peut pas précéder l'accord, conclu le 10 février 2026."
    )


def test_an_escalation_needs_a_known_route_and_a_state_that_allows_it() -> None:
    assert escalation_refusal(negotiation(S.SUSPENDED), "ombudsman") is None
    assert escalation_refusal(negotiation(S.AWAITING_REPLY), "banque_de_france") is None
    assert (
        escalation_refusal(negotiation(S.READY), "court") == "Voie de recours inconnue : 'court'."
    )
    assert escalation_refusal(negotiation(S.COUNTER_OFFER), "ombudsman") == not_now(
        "d'orienter vers un recours", S.COUNTER_OFFER
    )
    assert end_refusal(negotiation(S.READY), "gone") == "Issue inconnue : 'gone'."


# ----- timetables -----------------------------------------------------------------------------


def test_the_reply_wait_follows_up_then_gives_up() -> None:
    n = negotiation(S.AWAITING_REPLY, wait_started_at=NOW)
    assert reply_events(n) == [
        (NOW + timedelta(days=7), ReplyEvent.FOLLOW_UP, 1),
        (NOW + timedelta(days=14), ReplyEvent.FOLLOW_UP, 2),
        (NOW + timedelta(days=30), ReplyEvent.NO_RESPONSE, 0),
    ]


def test_an_offer_expiring_first_replaces_the_later_events() -> None:
    expiry = NOW + timedelta(days=10)
    n = negotiation(S.AWAITING_REPLY, wait_started_at=NOW, offer_expires_at=expiry)
    assert reply_events(n) == [
        (NOW + timedelta(days=7), ReplyEvent.FOLLOW_UP, 1),
        (expiry, ReplyEvent.OFFER_EXPIRY, 0),
    ]


def test_the_plan_alerts_each_unpaid_instalment_once() -> None:
    due = date(2026, 4, 1)
    n = negotiation(S.PLAN_RUNNING, due_dates=[date(2026, 3, 1), due], paid={1})
    assert plan_events(n, include_due=True) == [
        (end_of_day(date(2026, 3, 31)), PlanEvent.DUE, 2),
        (end_of_day(date(2026, 4, 6)), PlanEvent.MISSED, 2),
        (end_of_day(date(2026, 5, 1)), PlanEvent.BROKEN, 2),
    ]
    n.missed_alerted.add(2)
    assert next_plan_alert(n) == (end_of_day(date(2026, 5, 1)), PlanEvent.BROKEN, 2)
    n.paid.add(2)
    assert next_plan_alert(n) is None


def test_a_counter_offer_is_decided_within_the_delay_and_its_own_validity() -> None:
    assert counter_offer_deadline(NOW, DELAYS, date(2026, 12, 31)) == NOW + timedelta(days=10)
    assert counter_offer_deadline(NOW, DELAYS, date(2026, 3, 5)) == end_of_day(date(2026, 3, 5))


@pytest.mark.parametrize(
    ("state", "changes", "expected"),
    [
        (
            S.AWAITING_REPLY,
            {"wait_started_at": NOW},
            (NOW + timedelta(days=7), "Relance n°1 du créancier"),
        ),
        (
            S.AWAITING_REPLY,
            {"wait_started_at": NOW - timedelta(days=20)},
            (NOW + timedelta(days=10), "Sans réponse du créancier : suite à décider"),
        ),
        (
            S.COUNTER_OFFER,
            {"decision_deadline": NOW},
            (NOW, "Décision du client sur la contre-proposition"),
        ),
        (
            S.PLAN_RUNNING,
            {"due_dates": [date(2026, 3, 10)]},
            (end_of_day(date(2026, 3, 9)), "Échéance n°1 du plan"),
        ),
        (S.READY, {}, (None, None)),
    ],
)
def test_the_next_deadline_shows_what_happens_next_on_its_own(
    state: S, changes: dict[str, object], expected: tuple[datetime | None, str | None]
) -> None:
    assert next_deadline(negotiation(state, **changes), NOW) == expected


def test_the_timeline_wording() -> None:
    assert offer_sent_summary(2, []) == "offre n°2 envoyée (catégories : aucune)"
    assert "inconnue" not in offer_sent_summary(1, ["inconnue"])
    assert failure_reason("Adresse refusée.") == "Adresse refusée"
    assert failure_reason(None) == "erreur d'envoi"
    assert operator_stage(S.NO_RESPONSE) == "negotiation:no_response"
