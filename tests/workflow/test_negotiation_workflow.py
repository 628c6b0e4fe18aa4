"""One creditor negotiation on the time-skipping server, with the real activities, a real SQLite
database and a real SMTP server: what reaches the creditor and the client, what the read model
says, and that a refused step changes nothing.

The negotiation is started on its own here (the dossier starts it as a child: see
test_negotiation_dossier.py). Delays are the defaults: follow-ups at D+15 and D+30, no response
at D+45, 10 days for the client's decision, instalment grace 5 days, plan broken at due + 30.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from support.analysis import finish_workflow
from support.negotiation import (
    creditor_email,
    draft_offer,
    give_consent,
    record_reply_row,
    seed_negotiations,
)
from support.negotiation_driver import (
    consent,
    consent_given,
    delivered,
    instalments,
    ledger,
    mail_to,
    negotiation_row,
    offer,
    own_test_server,
    reaches,
    refusal,
    reply,
    revoke,
    send_offer,
    start_negotiation,
    status,
    timeline,
    today,
    update,
    wait_delivered,
)
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.staff_notifications import deliver_staff_emails
from config.settings import Settings
from domain.negotiation.refusals import (
    NOT_THE_COUNTER,
    NOTHING_TO_REVOKE,
    OFFER_IN_THE_PAST,
    ONLY_CLIENT,
)
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState as S
from models.client import Client as ClientRow
from models.database import session_scope
from models.dossier_note import StaffNotification
from security.datakeys import ClientCipher
from worker import build_worker
from workflows.negotiation_messages import (
    CLIENT_DECISION_UPDATE,
    CONFIRM_AGREEMENT_UPDATE,
    CONSENT_DECIDED_UPDATE,
    CONSENT_REVOKED_UPDATE,
    ESCALATE_UPDATE,
    RECORD_INSTALMENT_UPDATE,
    RECORD_REPLY_UPDATE,
    SEND_OFFER_UPDATE,
    ClientDecision,
    ConfirmAgreement,
    ConsentDecided,
    ConsentRevoked,
    Escalate,
    InstalmentPaid,
    RecordReply,
    SendOffer,
)


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """This module's own server (see own_test_server); wf_client connects to it."""
    async with own_test_server() as env:
        yield env


CLIENT = "client@example.org"
CASE_WORKER = "conseillere@cravelynos.example"
CREDITOR = creditor_email(1)


def _notified(settings: Settings) -> list[tuple[int, str]]:
    """The staff notifications written, oldest first: (staff id, kind)."""
    with session_scope(settings) as session:
        rows = session.exec(select(StaffNotification).order_by(col(StaffNotification.id))).all()
        return [(row.staff_id, row.kind) for row in rows]


def _kinds(settings: Settings, negotiation_id: str) -> list[str]:
    return [entry.message_kind for entry in ledger(settings, negotiation_id)]


def _summaries(settings: Settings, negotiation_id: str) -> list[str]:
    return [event.summary for event in timeline(settings, negotiation_id)]


async def _counter_offer(
    handle: WorkflowHandle,
    env: WorkflowEnvironment,
    settings: Settings,
    seed: Any,
    *,
    round: int,
    valid_days: int = 30,
) -> str:
    """The creditor's counter-offer (its row, then the reply naming it)."""
    day = await today(env)
    counter_id = draft_offer(
        settings,
        seed.negotiation_ids[0],
        round=round,
        made_by="creditor",
        amount="1500.00",
        instalments=3,
        instalment_amount="500.00",
        valid_until=day + timedelta(days=valid_days),
        first_due_date=day + timedelta(days=25),
    )
    assert (
        await reply(
            handle, settings, seed, "counter_offer", round=round, counter_offer_id=counter_id
        )
        == S.COUNTER_OFFER
    )
    return counter_id


@pytest.mark.parametrize("cache", [None, 0], ids=["cached", "max_cached_workflows=0"])
async def test_counter_offer_refused_then_accepted_by_the_client_never_by_staff(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings, cache: int | None
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    options = {} if cache is None else {"max_cached_workflows": cache}
    async with build_worker(wf_client, wf_settings, **options):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await consent(handle, wf_settings, seed)
        first = await send_offer(handle, time_env, wf_settings, seed)
        counter = await _counter_offer(handle, time_env, wf_settings, seed, round=1)
        current = await status(handle)
        assert current.counter_offer_id == counter and current.decision_deadline is not None
        assert current.next_deadline == current.decision_deadline
        now = await time_env.get_current_time()
        assert timedelta(days=9, hours=23) < current.decision_deadline - now <= timedelta(days=10)
        assert offer(wf_settings, first).status == "countered"
        # The client is asked to decide through the signed link (and not told any figure).
        assert await wait_delivered(wf_settings, CLIENT, 4) == [
            "negotiation_consent_request",
            "negotiation_consent_receipt",
            "negotiation_offer_sent",
            "negotiation_counter_offer",
        ]

        # Only the client decides on a counter-offer, and only on the one pending.
        staff = ClientDecision(counter, True, seed.actor)
        assert await refusal(handle, CLIENT_DECISION_UPDATE, staff) == ONLY_CLIENT
        other = ClientDecision(first, True, seed.client_actor)
        assert await refusal(handle, CLIENT_DECISION_UPDATE, other) == NOT_THE_COUNTER
        assert (await status(handle)).state == S.COUNTER_OFFER
        assert offer(wf_settings, counter).client_decision is None

        # Refused by the client: the creditor is told, the case worker may make a new round.
        no = ClientDecision(counter, False, seed.client_actor)
        assert await update(handle, CLIENT_DECISION_UPDATE, no) == S.READY
        refused_counter = offer(wf_settings, counter)
        assert (refused_counter.status, refused_counter.client_decision) == ("refused", "refused")
        assert _notified(wf_settings)[-1] == (seed.staff_id, "counter_offer_refused")
        second = await send_offer(handle, time_env, wf_settings, seed, round=2, amount="1350.00")
        counter2 = await _counter_offer(handle, time_env, wf_settings, seed, round=2)
        yes = ClientDecision(counter2, True, seed.client_actor)
        assert await update(handle, CLIENT_DECISION_UPDATE, yes) == S.AGREEMENT_PENDING
        assert offer(wf_settings, counter2).status == "accepted"
        assert [kind for _, kind in _notified(wf_settings)][-2:] == [
            "counter_offer_refused",
            "counter_offer_accepted",
        ]
        assert offer(wf_settings, second).status == "countered"
        assert _kinds(wf_settings, seed.negotiation_ids[0]) == [
            "offer",
            "counter_refusal",
            "offer",
            "counter_acceptance",
        ]
        assert len(await wait_delivered(wf_settings, CREDITOR, 4)) == 4

        # The written confirmation: the schedule is the accepted counter-offer's.
        confirm = ConfirmAgreement(actor=seed.actor)
        assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
        rows = instalments(wf_settings, seed.negotiation_ids[0])
        day = await today(time_env)
        assert [row.due_date for row in rows][0] == day + timedelta(days=25)
        assert len(rows) == 3 and all(row.offer_id == counter2 for row in rows)
        with session_scope(wf_settings) as session:
            client_row = session.get(ClientRow, seed.client_id)
            assert client_row is not None
            cipher = ClientCipher.for_client(client_row, wf_settings)
        assert {
            cipher.decrypt("repayment_instalment", "amount", row.id or 0, row.amount_enc)
            for row in rows
        } == {"500.00"}
        assert (await status(handle)).unpaid_instalments == [1, 2, 3]
        assert negotiation_row(wf_settings, seed.negotiation_ids[0]).round == 2
        await finish_workflow(wf_client, handle)


async def test_no_response_after_two_follow_ups_then_escalation(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        assert (await reaches(handle, S.READY)).consent_given  # Found among its facts.
        await send_offer(handle, time_env, wf_settings, seed, valid_days=90)
        assert (await status(handle)).next_deadline_label == "Relance n°1 du créancier"
        await time_env.sleep(timedelta(days=14))
        assert await wait_delivered(wf_settings, CREDITOR, 1) == ["creditor_offer"]
        await time_env.sleep(timedelta(days=1, hours=1))
        assert await wait_delivered(wf_settings, CREDITOR, 2) == [
            "creditor_offer",
            "creditor_follow_up",
        ]
        await time_env.sleep(timedelta(days=15))
        assert len(await wait_delivered(wf_settings, CREDITOR, 3)) == 3
        assert (await status(handle)).state == S.AWAITING_REPLY
        await time_env.sleep(timedelta(days=15))
        await reaches(handle, S.NO_RESPONSE)
        assert (await wait_delivered(wf_settings, CLIENT, 2))[-1] == "negotiation_no_response"
        assert _kinds(wf_settings, seed.negotiation_ids[0]) == ["offer", "follow_up", "follow_up"]
        # The case worker is told once, in the app and by email (dossier reference only).
        assert _notified(wf_settings) == [
            (seed.staff_id, "consent_given"),  # the client's, before the offer
            (seed.staff_id, "creditor_no_response"),
        ]
        assert await deliver_staff_emails(wf_settings) == 2
        told = mail_to(wf_settings, CASE_WORKER)[-1]
        assert seed.reference in told.subject and "n'a pas répondu" in told.subject
        assert "Jeanne" not in told.text
        summaries = _summaries(wf_settings, seed.negotiation_ids[0])
        assert "Créancier n°1 : relance n°1 envoyée au créancier" in summaries
        assert "Créancier n°1 : relance n°2 envoyée au créancier" in summaries
        assert any("aucune réponse du créancier" in s for s in summaries)

        route = Escalate(route="ombudsman", actor=seed.actor)
        assert await update(handle, ESCALATE_UPDATE, route) == S.ESCALATED
        assert await handle.result() == S.ESCALATED
        row = negotiation_row(wf_settings, seed.negotiation_ids[0])
        assert (row.state, row.escalation_route) == ("escalated", "ombudsman")
        assert row.ended_at is not None and row.next_deadline is None
        assert await wait_delivered(wf_settings, CLIENT, 3) == [
            "negotiation_offer_sent",
            "negotiation_no_response",
            "negotiation_escalated",
        ]


async def test_revocation_during_the_reply_wait_suspends_at_once_and_stops_the_follow_ups(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        consent_id = await consent(handle, wf_settings, seed)
        ours = await send_offer(handle, time_env, wf_settings, seed)
        await time_env.sleep(timedelta(days=5))

        assert await revoke(handle, wf_settings, seed, consent_id) == S.SUSPENDED
        assert offer(wf_settings, ours).status == "withdrawn"  # Void: pages must not say "sent".
        current = await status(handle)
        assert (current.state, current.consent_given) == (S.SUSPENDED, False)
        # No reply timer runs; the wait is on the client, and says so.
        assert (current.next_deadline_label or "").startswith("Client : nouveau consentement")
        assert negotiation_row(wf_settings, seed.negotiation_ids[0]).state == S.SUSPENDED
        # The creditor is told the mandate ended; the client that the negotiation is suspended.
        assert await wait_delivered(wf_settings, CREDITOR, 2) == [
            "creditor_offer",
            "creditor_mandate_end",
        ]
        assert await wait_delivered(wf_settings, CLIENT, 4) == [
            "negotiation_consent_request",
            "negotiation_consent_receipt",
            "negotiation_offer_sent",
            "negotiation_suspended",
        ]
        again = ConsentRevoked(consent_id, seed.client_actor)
        assert await refusal(handle, CONSENT_REVOKED_UPDATE, again) == NOTHING_TO_REVOKE

        # Past every reply timer: no follow-up, no "no response".
        await time_env.sleep(timedelta(days=50))
        assert (await status(handle)).state == S.SUSPENDED
        assert len(delivered(wf_settings, CREDITOR)) == 2
        assert _kinds(wf_settings, seed.negotiation_ids[0]) == ["offer", "mandate_end"]
        assert not any("relance" in s for s in _summaries(wf_settings, seed.negotiation_ids[0]))

        # A consent given again resumes at READY, for a new round.
        new_consent = give_consent(
            wf_settings, seed.negotiation_ids[0], [ShareCategory.IDENTITY, ShareCategory.DEBTS]
        )
        decided = ConsentDecided(new_consent, True, seed.client_actor)
        assert await update(handle, CONSENT_DECIDED_UPDATE, decided) == S.READY
        await finish_workflow(wf_client, handle)


async def test_offer_expiry_and_a_late_counter_offer_that_lapses_without_decision(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.READY)
        ours = await send_offer(handle, time_env, wf_settings, seed, valid_days=10)
        assert (await status(handle)).next_deadline_label == "Fin de validité de l'offre"
        await time_env.sleep(timedelta(days=11))
        await reaches(handle, S.OFFER_EXPIRED)
        assert offer(wf_settings, ours).status == "expired"
        # Expiry (D+10) came before the first follow-up (D+15): none was sent.
        assert delivered(wf_settings, CREDITOR) == ["creditor_offer"]
        assert (await wait_delivered(wf_settings, CLIENT, 2))[-1] == "negotiation_offer_expired"

        # A late reply still counts; the client's decision window then runs out.
        counter = await _counter_offer(handle, time_env, wf_settings, seed, round=1)
        await time_env.sleep(timedelta(days=10, hours=1))
        await reaches(handle, S.OFFER_EXPIRED)
        assert offer(wf_settings, counter).status == "lapsed"
        assert offer(wf_settings, counter).client_decision is None
        late = ClientDecision(counter, True, seed.client_actor)
        assert "Impossible de décider" in await refusal(handle, CLIENT_DECISION_UPDATE, late)
        assert await wait_delivered(wf_settings, CLIENT, 4) == [
            "negotiation_offer_sent",
            "negotiation_offer_expired",
            "negotiation_counter_offer",
            "negotiation_offer_expired",
        ]
        await finish_workflow(wf_client, handle)


async def test_broken_repayment_plan(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.READY)
        await send_offer(handle, time_env, wf_settings, seed, instalments=2, first_due_days=20)
        assert await reply(handle, wf_settings, seed, "accepted") == S.AGREEMENT_PENDING
        confirm = ConfirmAgreement(actor=seed.actor)
        assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
        assert (await status(handle)).next_deadline_label == "Échéance n°1 du plan"

        # Due at D+20; unpaid at the end of D+25 (grace): one alert.
        await time_env.sleep(timedelta(days=24))
        assert (await status(handle)).state == S.PLAN_RUNNING
        assert "negotiation_instalment_missed" not in delivered(wf_settings, CLIENT)
        await time_env.sleep(timedelta(days=2, hours=1))
        assert await wait_delivered(wf_settings, CLIENT, 3) == [
            "negotiation_offer_sent",
            "negotiation_agreement",
            "negotiation_instalment_missed",
        ]
        assert any(
            e.kind == "negotiation_task" and "échéance n°1 non payée" in e.summary
            for e in timeline(wf_settings, seed.negotiation_ids[0])
        )
        # Still unpaid at D+50 (due + 30): the plan is broken.
        await time_env.sleep(timedelta(days=25))
        await reaches(handle, S.BROKEN)
        # Instalment 2 (due D+50) is not past its grace yet: still one alert only.
        assert (await wait_delivered(wf_settings, CLIENT, 4))[2:] == [
            "negotiation_instalment_missed",
            "negotiation_plan_broken",
        ]
        paid = InstalmentPaid(number=1, actor=seed.actor)
        assert "Impossible d'enregistrer un paiement" in await refusal(
            handle, RECORD_INSTALMENT_UPDATE, paid
        )
        assert all(row.paid_at is None for row in instalments(wf_settings, seed.negotiation_ids[0]))
        await finish_workflow(wf_client, handle)


async def test_a_step_refused_in_the_wrong_state_changes_nothing(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=2)
    consent_given(wf_settings, seed, 0)
    # The second creditor may know who the client is, not which debts: no offer can go.
    give_consent(wf_settings, seed.negotiation_ids[1], [ShareCategory.IDENTITY])
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed, 0)
        await reaches(handle, S.READY)
        first_id = seed.negotiation_ids[0]
        events_before = len(timeline(wf_settings, first_id))

        reply_id = record_reply_row(wf_settings, first_id, "accepted")
        accepted = RecordReply(reply_id, "accepted", seed.actor)
        message = await refusal(handle, RECORD_REPLY_UPDATE, accepted)
        assert message == (
            "Impossible d'enregistrer une réponse du créancier : la négociation est à l'état "
            "« Prête : offre à préparer »."
        )
        confirm = ConfirmAgreement(actor=seed.actor)
        assert "Impossible de confirmer" in await refusal(handle, CONFIRM_AGREEMENT_UPDATE, confirm)

        day = await today(time_env)
        stale = draft_offer(wf_settings, first_id, valid_until=day)
        assert await refusal(handle, SEND_OFFER_UPDATE, SendOffer(stale, seed.actor)) == (
            OFFER_IN_THE_PAST
        )
        early = draft_offer(wf_settings, first_id, round=2, valid_until=day + timedelta(days=9))
        assert "prochain tour est le n°1" in await refusal(
            handle, SEND_OFFER_UPDATE, SendOffer(early, seed.actor)
        )

        current = await status(handle)
        assert (current.state, current.round, current.current_offer_id) == (S.READY, 0, None)
        assert {offer(wf_settings, o).status for o in (stale, early)} == {"draft"}
        assert len(timeline(wf_settings, first_id)) == events_before
        assert negotiation_row(wf_settings, first_id).state == S.READY

        # The activity's consent check refuses the offer: the update fails with its reason.
        other = await start_negotiation(wf_client, wf_settings, seed, 1)
        await reaches(other, S.READY)
        second_id = seed.negotiation_ids[1]
        draft = draft_offer(wf_settings, second_id, valid_until=day + timedelta(days=30))
        message = await refusal(other, SEND_OFFER_UPDATE, SendOffer(draft, seed.actor))
        assert message == "Le consentement du client ne couvre pas : Dettes concernées."
        assert (await status(other)).state == S.READY
        assert offer(wf_settings, draft).status == "draft"
        assert (
            ledger(wf_settings, second_id) == [] and delivered(wf_settings, creditor_email(2)) == []
        )

        for running in (handle, other):
            await finish_workflow(wf_client, running)


async def test_an_unknown_reply_kind_or_a_counter_offer_without_terms_is_refused(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.READY)
        ours = await send_offer(handle, time_env, wf_settings, seed)
        for bad, expected in [
            (RecordReply("r1", "maybe", seed.actor), "Type de réponse inconnu : 'maybe'."),
            (
                RecordReply("r2", "counter_offer", seed.actor),
                "Une contre-proposition doit être enregistrée avec ses conditions.",
            ),
        ]:
            assert await refusal(handle, RECORD_REPLY_UPDATE, bad) == expected
        # A counter-offer naming one of our own offers is refused by the handler.
        wrong = RecordReply("r3", "counter_offer", seed.actor, counter_offer_id=ours)
        assert "ne vient pas du créancier" in await refusal(handle, RECORD_REPLY_UPDATE, wrong)
        assert (await status(handle)).state == S.AWAITING_REPLY
        assert offer(wf_settings, ours).status == "sent"
        decision = ClientDecision(ours, True, seed.client_actor)
        assert "Impossible de décider" in await refusal(handle, CLIENT_DECISION_UPDATE, decision)
        await finish_workflow(wf_client, handle)


async def test_an_agreement_awaiting_written_confirmation_is_followed_up(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    negotiation_id = seed.negotiation_ids[0]
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.READY)
        assert (await status(handle)).next_deadline_label == (
            "Conseiller : choisir le créancier dans l'annuaire et envoyer l'offre"
        )
        await send_offer(handle, time_env, wf_settings, seed)
        assert await reply(handle, wf_settings, seed, "accepted") == S.AGREEMENT_PENDING
        waiting = await status(handle)
        assert waiting.next_deadline is not None
        assert waiting.next_deadline_label == (
            "Créancier : confirmation écrite de l'accord attendue (relance n°1 à cette date)"
        )

        # D+15 and D+30: the creditor is asked for it, with the agreed terms; D+45: the case
        # worker is told it is overdue.
        await time_env.sleep(timedelta(days=15, hours=1))
        await time_env.sleep(timedelta(days=15))
        await time_env.sleep(timedelta(days=15))
        summaries = _summaries(wf_settings, negotiation_id)
        follow_ups = [s for s in summaries if "confirmation écrite de l'accord" in s]
        assert len(follow_ups) == 3, summaries
        assert "relance n°1 envoyée au créancier" in follow_ups[0], follow_ups
        assert "relance n°2 envoyée au créancier" in follow_ups[1], follow_ups
        assert "mettre fin" in follow_ups[2]
        sent = await wait_delivered(wf_settings, CREDITOR, 3)
        assert sent == ["creditor_offer"] + ["creditor_confirmation_request"] * 2, sent
        assert (await status(handle)).state == S.AGREEMENT_PENDING

        # The confirmation ends the wait: the plan's deadlines take over.
        confirm = ConfirmAgreement(actor=seed.actor)
        assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
        await finish_workflow(wf_client, handle)
