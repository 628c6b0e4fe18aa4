"""What a negotiation learns from the database when the web app's notice never reached it, what
it shows operators and the dossier's list, and the plan's payment dates and alerts.

The web app writes a consent decision or withdrawal first, then tells the workflow; if Temporal
is down at that moment, only the row exists. Here the rows are written exactly as the web app
writes them, and the update is never sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from support.analysis import finish_workflow
from support.db import in_db
from support.negotiation import creditor_email, draft_offer, seed_negotiations
from support.negotiation_driver import (
    OFFER_CATEGORIES,
    consent,
    consent_given,
    delivered,
    instalments,
    ledger,
    offer,
    own_test_server,
    reaches,
    refusal,
    reply,
    send_offer,
    start_negotiation,
    status,
    timeline,
    today,
    update,
    wait_delivered,
)
from support.search_attributes import search_attributes
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.contracts import dossier as dossier_io
from activities.dossier_records import DossierRecordActivities
from config.settings import Settings
from domain.dossier_stages import Stage
from domain.french_dates import PARIS
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.refusals import (
    ALREADY_DECIDED,
    NOTHING_TO_REVOKE,
    PAID_ON_FUTURE,
    PAID_ON_INVALID,
)
from domain.negotiation.states import NegotiationState as S
from models.database import session_scope
from models.dossier import Dossier
from services.negotiations.consents import (
    REVOKED_BY_CLIENT,
    create_consent_request,
    decide_consent,
    revoke_consent,
)
from worker import build_worker
from workflows.negotiation_messages import (
    CONFIRM_AGREEMENT_UPDATE,
    CONSENT_DECIDED_UPDATE,
    CONSENT_REVOKED_UPDATE,
    END_NEGOTIATION_UPDATE,
    RECORD_INSTALMENT_UPDATE,
    ConfirmAgreement,
    ConsentDecided,
    ConsentRevoked,
    EndNegotiation,
    InstalmentPaid,
)


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """This module's own server (see own_test_server); wf_client connects to it."""
    async with own_test_server() as env:
        yield env


CLIENT = "client@example.org"
CREDITOR = creditor_email(1)


def _summaries(settings: Settings, negotiation_id: str) -> list[str]:
    return [event.summary for event in timeline(settings, negotiation_id)]


def _dossier(settings: Settings, dossier_id: str) -> Dossier:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier_id)
        assert row is not None
        return row


async def test_a_consent_given_while_the_notice_was_lost_is_found_within_a_day(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    negotiation_id = seed.negotiation_ids[0]
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.CONSENT_PENDING)
        stage, deadline = await search_attributes(wf_client, handle)
        # The wait is on the client: its deadline is published too.
        assert stage == "negotiation:consent_pending" and deadline is not None
        asked = in_db(
            wf_settings,
            create_consent_request,
            wf_settings,
            negotiation_id=negotiation_id,
            categories=list(OFFER_CATEGORIES),
            document_ids=[],
            expires_at=None,
            actor=seed.actor,
        )
        in_db(
            wf_settings,
            decide_consent,
            wf_settings,
            asked,
            given=True,
            method=ConsentMethod.SIGNED_LINK,
            actor=seed.client_actor,
        )
        # Nothing tells the workflow; less than a day later it still waits.
        await time_env.sleep(timedelta(hours=20))
        assert (await status(handle)).state == S.CONSENT_PENDING
        await time_env.sleep(timedelta(hours=5))
        current = await reaches(handle, S.READY)
        assert (current.consent_id, current.consent_given) == (asked, True)
        # As if the update had come: the receipt, the timeline, the search attribute.
        assert await wait_delivered(wf_settings, CLIENT, 1) == ["negotiation_consent_receipt"]
        assert "Créancier n°1 : consentement donné par le client" in _summaries(
            wf_settings, negotiation_id
        )
        assert (await search_attributes(wf_client, handle))[0] == "negotiation:ready"
        # The notice arriving late changes nothing.
        late = ConsentDecided(asked, True, seed.client_actor)
        assert await refusal(handle, CONSENT_DECIDED_UPDATE, late) == ALREADY_DECIDED

        # Cheap in history: the re-read is a local activity (a marker), the first one found it.
        history = await handle.fetch_history()
        markers = [
            e.marker_recorded_event_attributes.marker_name
            for e in history.events
            if e.HasField("marker_recorded_event_attributes")
        ]
        # Besides the patch markers (versioning), one local activity.
        assert len([name for name in markers if name != "core_patch"]) == 1
        await finish_workflow(wf_client, handle)


async def test_a_withdrawal_whose_notice_was_lost_suspends_at_the_next_follow_up(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    negotiation_id = seed.negotiation_ids[0]
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        consent_id = await consent(handle, wf_settings, seed)
        ours = await send_offer(handle, time_env, wf_settings, seed)
        stage, deadline = await search_attributes(wf_client, handle)
        assert stage == "negotiation:awaiting_reply"
        assert deadline == (await status(handle)).next_deadline is not None
        await time_env.sleep(timedelta(days=5))
        in_db(
            wf_settings,
            revoke_consent,
            wf_settings,
            consent_id,
            actor=seed.client_actor,
            channel=REVOKED_BY_CLIENT,
        )
        assert (await status(handle)).state == S.AWAITING_REPLY  # Not told (yet).

        # The first follow-up (D+15) finds the withdrawal: suspended, no follow-up sent.
        await time_env.sleep(timedelta(days=10, hours=1))
        current = await reaches(handle, S.SUSPENDED)
        assert current.consent_given is False
        assert (current.next_deadline_label or "").startswith("Client : nouveau consentement")
        assert await wait_delivered(wf_settings, CREDITOR, 2) == [
            "creditor_offer",
            "creditor_mandate_end",
        ]
        assert offer(wf_settings, ours).status == "withdrawn"
        stage, deadline = await search_attributes(wf_client, handle)
        assert stage == "negotiation:suspended" and deadline == current.next_deadline
        # Past every reply timer, then the late notice: still one mandate end, one email.
        await time_env.sleep(timedelta(days=40))
        late = ConsentRevoked(consent_id, seed.client_actor)
        assert await refusal(handle, CONSENT_REVOKED_UPDATE, late) == NOTHING_TO_REVOKE
        assert [e.message_kind for e in ledger(wf_settings, negotiation_id)] == [
            "offer",
            "mandate_end",
        ]
        assert delivered(wf_settings, CREDITOR) == ["creditor_offer", "creditor_mandate_end"]
        mail = await wait_delivered(wf_settings, CLIENT, 4)
        assert mail.count("negotiation_suspended") == 1, mail
        summaries = _summaries(wf_settings, negotiation_id)
        assert not any("relance" in s for s in summaries), summaries
        assert sum("consentement retiré" in s for s in summaries) == 1
        await finish_workflow(wf_client, handle)


async def test_a_withdrawal_told_by_the_web_app_withdraws_the_pending_counter_offer(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        consent_id = await consent(handle, wf_settings, seed)
        ours = await send_offer(handle, time_env, wf_settings, seed)
        day = await today(time_env)
        counter = draft_offer(
            wf_settings,
            seed.negotiation_ids[0],
            made_by="creditor",
            valid_until=day + timedelta(days=30),
            first_due_date=day + timedelta(days=25),
        )
        state = await reply(handle, wf_settings, seed, "counter_offer", counter_offer_id=counter)
        assert state == S.COUNTER_OFFER
        in_db(
            wf_settings,
            revoke_consent,
            wf_settings,
            consent_id,
            actor=seed.client_actor,
            channel=REVOKED_BY_CLIENT,
        )
        revoked = ConsentRevoked(consent_id, seed.client_actor)
        assert await update(handle, CONSENT_REVOKED_UPDATE, revoked) == S.SUSPENDED
        assert offer(wf_settings, counter).status == "withdrawn"
        assert offer(wf_settings, ours).status == "countered"  # Answered: not ours to void.
        await finish_workflow(wf_client, handle)


async def test_the_dossier_row_shows_its_negotiations_earliest_deadline(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=2)
    consent_given(wf_settings, seed, 0)
    consent_given(wf_settings, seed, 1)
    async with build_worker(wf_client, wf_settings):
        first = await start_negotiation(wf_client, wf_settings, seed, 0)
        second = await start_negotiation(wf_client, wf_settings, seed, 1)
        for handle in (first, second):
            await reaches(handle, S.READY)
        row = _dossier(wf_settings, seed.dossier_id)
        # Both offers are the case worker's to send: the row says who and by when.
        assert row.stage == Stage.NEGOTIATION and row.next_deadline is not None
        assert (row.next_deadline_label or "").endswith(
            " : Conseiller : choisir le créancier dans l'annuaire et envoyer l'offre"
        )
        await send_offer(second, time_env, wf_settings, seed, 1)
        await time_env.sleep(timedelta(days=3))
        await send_offer(first, time_env, wf_settings, seed, 0)
        # The second creditor's follow-up comes first (its offer left 3 days earlier).
        row = _dossier(wf_settings, seed.dossier_id)
        second_due = (await status(second)).next_deadline
        assert second_due is not None and row.next_deadline == second_due
        assert row.next_deadline_label == "Créancier n°2 : Relance n°1 du créancier"

        # The dossier workflow's own progress in this stage does not wipe it.
        DossierRecordActivities(wf_settings).record_progress(
            dossier_io.ProgressRecord(
                dossier_id=seed.dossier_id,
                event_key="test:negotiation_added",
                stage=Stage.NEGOTIATION.value,
                event_kind="negotiation_added",
                summary="Négociation ajoutée",
            )
        )
        assert _dossier(wf_settings, seed.dossier_id).next_deadline == second_due

        # Once the second has ended, the first one's deadline; none when both have.
        end = EndNegotiation(outcome="abandoned", actor=seed.actor)
        await update(second, END_NEGOTIATION_UPDATE, end)
        row = _dossier(wf_settings, seed.dossier_id)
        assert row.next_deadline == (await status(first)).next_deadline
        assert row.next_deadline_label == "Créancier n°1 : Relance n°1 du créancier"
        await update(first, END_NEGOTIATION_UPDATE, end)
        row = _dossier(wf_settings, seed.dossier_id)
        assert (row.next_deadline, row.next_deadline_label) == (None, None)
        for handle in (first, second):
            assert await handle.result() == S.ABANDONED


async def test_a_payment_recorded_on_its_date_and_the_missed_alert_time(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1)
    consent_given(wf_settings, seed)
    negotiation_id = seed.negotiation_ids[0]
    async with build_worker(wf_client, wf_settings):
        handle = await start_negotiation(wf_client, wf_settings, seed)
        await reaches(handle, S.READY)
        await send_offer(handle, time_env, wf_settings, seed, instalments=3, first_due_days=10)
        agreed = await today(time_env)
        assert await reply(handle, wf_settings, seed, "accepted") == S.AGREEMENT_PENDING
        await time_env.sleep(timedelta(days=2))
        confirm = ConfirmAgreement(actor=seed.actor)
        assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING

        # A date in the future, before the agreement, or not a date: refused, nothing paid.
        now = await today(time_env)
        for bad, expected in [
            ((now + timedelta(days=1)).isoformat(), PAID_ON_FUTURE),
            ((agreed - timedelta(days=1)).isoformat(), "ne peut pas précéder l'accord"),
            ("le 3 mars", PAID_ON_INVALID),
        ]:
            paid = InstalmentPaid(1, seed.actor, paid_on=bad)
            assert expected in await refusal(handle, RECORD_INSTALMENT_UPDATE, paid)
        assert all(row.paid_at is None for row in instalments(wf_settings, negotiation_id))

        # Paid the day after the agreement: recorded at noon, Paris time, that day.
        paid_day = agreed + timedelta(days=1)
        paid = InstalmentPaid(1, seed.actor, paid_on=paid_day.isoformat())
        assert await update(handle, RECORD_INSTALMENT_UPDATE, paid) == S.PLAN_RUNNING
        rows = instalments(wf_settings, negotiation_id)
        noon_paris = datetime.combine(paid_day, time(12), tzinfo=PARIS).astimezone(UTC)
        assert rows[0].paid_at is not None
        assert rows[0].paid_at.replace(tzinfo=UTC) == noon_paris
        assert rows[0].missed_alerted_at is None

        # Instalment 2 (due a month after the first) unpaid past its grace: alert, time kept.
        await time_env.sleep(timedelta(days=45))
        assert (await wait_delivered(wf_settings, CLIENT, 3))[-1] == (
            "negotiation_instalment_missed"
        )
        rows = instalments(wf_settings, negotiation_id)
        assert rows[1].missed_alerted_at is not None and rows[2].missed_alerted_at is None
        alerted = rows[1].missed_alerted_at.replace(tzinfo=UTC)
        grace_end = datetime.combine(
            rows[1].due_date + timedelta(days=6), time(0), tzinfo=PARIS
        ).astimezone(UTC)
        assert grace_end <= alerted < grace_end + timedelta(hours=1)
        assert (await search_attributes(wf_client, handle))[0] == "negotiation:plan_running"
        await finish_workflow(wf_client, handle)
