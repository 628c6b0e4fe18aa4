"""The rules of a data-subject request, and how one is typed in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidInput
from domain.intake import parse_input
from domain.privacy.deadline import RequestClock
from domain.privacy.intake import FUTURE, NO_RIGHT, WHOSE, PrivacyRequestIn, receipt_refusal
from domain.privacy.request import (
    ANSWERED,
    REASON_NEEDED,
    Outcome,
    PauseReason,
    PrivacyRequestState,
    RequestStatus,
    Right,
)

RECEIVED = datetime(2026, 1, 5, 9, tzinfo=UTC)  # due 4 February 2026


def state(*rights: Right) -> PrivacyRequestState:
    return PrivacyRequestState("r1", list(rights or (Right.ACCESS,)), RequestClock(RECEIVED))


def at(day: int, month: int = 1, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_a_pause_adds_back_the_days_it_lasted() -> None:
    request = state()
    assert request.pause_refusal(at(12)) is None
    request.paused(PauseReason.IDENTITY, at(12))  # Monday
    assert request.status == RequestStatus.PAUSED
    assert request.pause_refusal(at(13)) is not None  # already paused
    assert request.resumed(at(14, hour=15)) == 2  # Wednesday
    assert request.clock.due_on.isoformat() == "2026-02-06"
    assert request.resume_refusal() == "Le délai n'est pas suspendu."
    # Paused and resumed the same day: nothing added back.
    request.paused(PauseReason.CLARIFICATION, at(20, hour=8))
    assert request.resumed(at(20, hour=17)) == 0
    assert [p[3] for p in request.pauses] == [2, 0]


def test_no_pause_once_overdue_and_no_answer_while_paused() -> None:
    request = state()
    assert request.pause_refusal(at(5, month=2)) == (
        "Le délai est dépassé : il ne peut plus être suspendu."
    )
    request.decided(Right.ACCESS, Outcome.FULFILLED)
    request.paused(PauseReason.CLARIFICATION, at(10))
    assert request.answer_refusal() == "Le délai est suspendu : reprenez-le avant de répondre."


def test_each_right_is_decided_before_the_answer() -> None:
    request = state(Right.ACCESS, Right.ERASURE)
    assert request.decision_refusal(Right.PORTABILITY, Outcome.FULFILLED, False) == (
        "Cette demande ne porte pas sur le droit à la portabilité."
    )
    # A refusal, whole or partial, states its reasons.
    assert request.decision_refusal(Right.ERASURE, Outcome.PARTIAL, False) == REASON_NEEDED
    assert request.decision_refusal(Right.ERASURE, Outcome.PARTIAL, True) is None
    request.decided(Right.ACCESS, Outcome.FULFILLED)
    assert request.answer_refusal() == (
        "Décidez d'abord de chaque droit demandé : Droit à l'effacement."
    )
    request.decided(Right.ERASURE, Outcome.PARTIAL)
    assert request.answer_refusal() is None
    request.answered()
    assert request.answer_refusal() == ANSWERED
    assert request.decision_refusal(Right.ACCESS, Outcome.FULFILLED, False) == ANSWERED
    assert request.pause_refusal(at(10)) == ANSWERED
    assert request.extension_refusal(1, "motif", at(10)) == ANSWERED


def test_the_extension_rules_apply_to_the_request() -> None:
    request = state()
    assert request.extension_refusal(2, "", at(10)) is not None
    assert request.extension_refusal(2, "Demande complexe", at(5, month=2)) is not None
    assert request.extension_refusal(2, "Demande complexe", at(10)) is None
    request.extended(2, "Demande complexe", at(10))
    assert request.clock.due_on.isoformat() == "2026-04-07"  # 4 April Sat, 6 Easter Monday


def test_a_request_is_typed_in_with_its_rights_person_channel_and_receipt() -> None:
    typed = parse_input(
        PrivacyRequestIn,
        {
            "rights": ["access", "erasure", "access"],
            "email": " Jeanne.Dupont@Exemple.fr ",
            "channel": "letter",
            "received_at": "2026-12-02T09:15:00+01:00",
        },
    )
    assert typed.rights == [Right.ACCESS, Right.ERASURE]
    assert typed.email == "Jeanne.Dupont@exemple.fr"
    assert receipt_refusal(typed.received_at, datetime(2026, 12, 4, tzinfo=UTC)) is None
    assert receipt_refusal(typed.received_at, datetime(2026, 12, 1, tzinfo=UTC)) == FUTURE


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"rights": []}, "rights", NO_RIGHT),
        ({"rights": ["forget"]}, "rights.0", "Droit inconnu"),
        ({"channel": "fax"}, "channel", "Canal inconnu"),
        ({"received_at": "2026-12-02T09:15:00"}, "received_at", "fuseau"),
        ({"received_at": "hier"}, "received_at", "fuseau"),
        ({"client_id": "c1"}, "email", WHOSE),
        ({"email": None}, "email", WHOSE),
        ({"email": "pas-une-adresse"}, "email", "Adresse e-mail invalide"),
    ],
)
def test_bad_input_names_the_field(values: dict[str, object], field: str, message: str) -> None:
    base: dict[str, object] = {
        "rights": ["access"],
        "email": "jeanne@exemple.fr",
        "channel": "email",
        "received_at": "2026-12-02T09:15:00+01:00",
    }
    with pytest.raises(InvalidInput) as refused:
        parse_input(PrivacyRequestIn, base | values)
    assert message in refused.value.errors[field], refused.value.errors
