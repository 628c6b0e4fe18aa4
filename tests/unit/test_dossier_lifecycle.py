"""The dossier's rules and timetable, without Temporal: what each update may do in each stage,
the French refusal it gets otherwise, and the deadlines the read model shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.dossier_lifecycle import (
    ALREADY_APPROVED,
    ALREADY_CLOSED,
    CLOSED_NO_ANALYSIS,
    CLOSED_NO_NEGOTIATION,
    DOCUMENTS_NOT_COMPLETE,
    HOLD_ALREADY_PLACED,
    HOLD_TOO_LATE,
    NEGOTIATION_ALREADY_RUNNING,
    NO_HOLD_TO_LIFT,
    NO_MORE_DOCUMENTS,
    NOT_NEGOTIATING,
    NOTHING_SUBMITTED,
    SUBMISSION_IN_PROGRESS,
    ApprovalDelays,
    DossierState,
    add_negotiation_refusal,
    approval_refusal,
    close_refusal,
    closing_refusal,
    documents_changed_refusal,
    lift_hold_refusal,
    negotiations_open_refusal,
    new_submission_refusal,
    place_hold_refusal,
    submission_refusal,
)
from domain.dossier_stages import Outcome, Stage
from domain.dossier_timeline import (
    approval_timetable,
    document_reminders,
    email_label,
    retention_deadline,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CHANNELS = frozenset({"client_link", "phone"})


def dossier(stage: Stage = Stage.INTAKE, **changes: object) -> DossierState:
    state = DossierState("d1", stage=stage)
    for name, value in changes.items():
        setattr(state, name, value)
    return state


def test_a_new_dossier_waits_for_its_documents() -> None:
    state = DossierState("d1")
    assert (state.stage, state.submission, state.open, state.closed) == (
        Stage.INTAKE,
        0,
        True,
        False,
    )
    assert state.documents_settled
    state.missing_documents = ["identity"]
    assert not state.documents_settled
    state.closed_at = NOW
    assert state.documents_settled and not state.open and state.analysis_over


def test_a_retention_hop_starts_closed() -> None:
    state = DossierState.in_retention("d1", NOW, documents_deleted=True, legal_hold=False)
    assert (state.stage, state.closed_at, state.documents_deleted) == (Stage.CLOSED, NOW, True)
    assert not state.open


@pytest.mark.parametrize(
    ("stage", "refusal"),
    [
        (Stage.AWAITING_DOCUMENTS, DOCUMENTS_NOT_COMPLETE),
        (Stage.DOCUMENTS_COMPLETE, DOCUMENTS_NOT_COMPLETE),
        (Stage.ANALYSIS, None),
        (Stage.AWAITING_APPROVAL, None),
        (Stage.APPROVED, ALREADY_APPROVED),
        (Stage.NEGOTIATION, ALREADY_APPROVED),
        (Stage.CLOSED, CLOSED_NO_ANALYSIS),
        (Stage.ANONYMISED, CLOSED_NO_ANALYSIS),
    ],
)
def test_the_analysis_is_sent_only_while_it_is_prepared_or_awaits_approval(
    stage: Stage, refusal: str | None
) -> None:
    assert submission_refusal(dossier(stage)) == refusal


def test_a_closure_accepted_first_refuses_the_submission_even_before_the_stage_moves() -> None:
    assert submission_refusal(dossier(Stage.ANALYSIS, closed_at=NOW)) == CLOSED_NO_ANALYSIS


def test_a_second_submission_is_refused_while_one_is_under_way() -> None:
    assert new_submission_refusal(dossier(Stage.ANALYSIS, submitting=True)) == (
        SUBMISSION_IN_PROGRESS
    )
    assert new_submission_refusal(dossier(Stage.ANALYSIS)) is None


def test_only_the_latest_submission_can_be_approved() -> None:
    state = dossier(Stage.AWAITING_APPROVAL, submission=2)
    assert approval_refusal(state, "phone", 2, CHANNELS) is None
    assert approval_refusal(state, "phone", 1, CHANNELS) == (
        "Cette version de l'analyse (n°1) n'est pas la dernière envoyée au client (n°2) : "
        "seule la dernière peut être validée."
    )


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"stage": Stage.ANALYSIS}, NOTHING_SUBMITTED),
        ({"stage": Stage.AWAITING_APPROVAL, "submitting": True}, SUBMISSION_IN_PROGRESS),
        ({"stage": Stage.APPROVED, "approved_submission": 1}, ALREADY_APPROVED),
        ({"stage": Stage.AWAITING_APPROVAL, "closed_at": NOW}, CLOSED_NO_ANALYSIS),
    ],
)
def test_an_approval_is_refused_when_there_is_nothing_to_approve(
    changes: dict[str, Any], refusal: str
) -> None:
    state = dossier(submission=1, **changes)
    assert approval_refusal(state, "client_link", 1, CHANNELS) == refusal


def test_an_approval_through_an_unknown_channel_is_refused_first() -> None:
    state = dossier(Stage.CLOSED, closed_at=NOW)
    assert (
        approval_refusal(state, "pigeon", 1, CHANNELS) == "Canal de validation inconnu : 'pigeon'."
    )


def test_a_negotiation_is_added_once_only_while_negotiating() -> None:
    state = dossier(Stage.NEGOTIATION, negotiations=["n1"])
    assert add_negotiation_refusal(state, "n2") is None
    assert add_negotiation_refusal(state, "n1") == NEGOTIATION_ALREADY_RUNNING
    assert add_negotiation_refusal(dossier(Stage.APPROVED), "n2") == NOT_NEGOTIATING
    assert add_negotiation_refusal(dossier(Stage.CLOSED), "n2") == CLOSED_NO_NEGOTIATION


def test_a_closed_dossier_expects_no_more_documents() -> None:
    assert documents_changed_refusal(dossier(Stage.AWAITING_DOCUMENTS)) is None
    assert documents_changed_refusal(dossier(Stage.CLOSED)) == NO_MORE_DOCUMENTS


def test_closure_needs_a_known_outcome_and_every_negotiation_ended() -> None:
    assert close_refusal(dossier(Stage.ANALYSIS), Outcome.RESOLVED) is None
    assert close_refusal(dossier(Stage.ANALYSIS), "vanished") == (
        "Issue de clôture inconnue : 'vanished'."
    )
    negotiating = dossier(Stage.NEGOTIATION, open_negotiations={"n1", "n2"})
    assert close_refusal(negotiating, Outcome.RESOLVED) == negotiations_open_refusal(2)
    assert negotiations_open_refusal(2).startswith("2 négociations encore en cours")
    assert close_refusal(dossier(Stage.CLOSED, closed_at=NOW), "vanished") == ALREADY_CLOSED


def test_a_closure_whose_turn_comes_after_another_is_refused() -> None:
    # The stage moves to CLOSED only once the closure is recorded; closed_at is set first.
    assert closing_refusal(dossier(Stage.ANALYSIS, closed_at=NOW)) == ALREADY_CLOSED
    assert closing_refusal(dossier(Stage.ANALYSIS)) is None


def test_a_legal_hold_is_placed_once_and_never_while_data_is_being_deleted() -> None:
    assert place_hold_refusal(dossier(Stage.CLOSED)) is None
    assert place_hold_refusal(dossier(Stage.CLOSED, legal_hold=True)) == HOLD_ALREADY_PLACED
    assert place_hold_refusal(dossier(Stage.CLOSED, deleting=True)) == HOLD_TOO_LATE
    assert place_hold_refusal(dossier(Stage.ANONYMISED)) == HOLD_TOO_LATE
    assert lift_hold_refusal(dossier(Stage.CLOSED)) == NO_HOLD_TO_LIFT
    assert lift_hold_refusal(dossier(Stage.CLOSED, legal_hold=True)) is None


def test_document_reminders_count_from_the_opening() -> None:
    assert document_reminders(NOW, [7, 14]) == [
        (1, NOW + timedelta(days=7), "Relance n°1 si des pièces manquent"),
        (2, NOW + timedelta(days=14), "Relance n°2 si des pièces manquent"),
    ]


def test_the_approval_timetable_counts_from_the_submission() -> None:
    reminder_at, task_at = approval_timetable(NOW, ApprovalDelays(reminder_days=5, task_days=10))
    assert (reminder_at, task_at) == (NOW + timedelta(days=5), NOW + timedelta(days=10))


def test_the_retention_deadline_names_what_is_deleted_next() -> None:
    closed = dossier(Stage.CLOSED, closed_at=NOW)
    history, documents, wake = NOW.replace(year=2031), NOW.replace(year=2029), NOW
    assert retention_deadline(closed, history, documents, wake) == (
        documents,
        "Suppression des pièces justificatives",
    )
    assert retention_deadline(closed, history, None, wake) == (
        wake,
        "Pièces conservées : relation contractuelle en cours",
    )
    closed.documents_deleted = True
    assert retention_deadline(closed, history, None, wake) == (
        history,
        "Anonymisation du dossier",
    )
    closed.legal_hold = True
    assert retention_deadline(closed, history, documents, wake) == (
        wake,
        "Conservation pour motif légal : suppression suspendue",
    )


def test_an_email_is_named_on_the_timeline_by_its_template() -> None:
    assert email_label("closure") == "avis de clôture"
    assert email_label("something_new") == "something_new"
