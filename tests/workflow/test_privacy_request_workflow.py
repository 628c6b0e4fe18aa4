"""PrivacyRequestWorkflow on the time-skipping server, with a real SQLite database and SMTP
server: the clock's notices at their exact moments, a pause, an extension, the answer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support.privacy import (
    PERSON_EMAIL,
    event_kinds,
    events,
    make_dpo,
    make_supervisor,
    record_privacy_request,
    request_row,
    start_privacy_request,
)
from support.search_attributes import search_attributes
from support.stack import received, wait_for_messages
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.clock import as_utc
from domain.french_dates import french_date
from domain.privacy.deadline import RequestClock, paris_day
from domain.privacy.request import Outcome, PauseReason, Right
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from services.privacy_requests.notes import write_note
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    EXTEND_UPDATE,
    PAUSE_UPDATE,
    PRIVACY_STATUS_QUERY,
    RESPOND_UPDATE,
    RESUME_UPDATE,
    DecideRight,
    ExtendDeadline,
    PauseClock,
    PrivacyRequestStatus,
    ResumeClock,
    SendResponse,
)

DPO = "staff:1"


async def _status(handle: WorkflowHandle) -> PrivacyRequestStatus:
    return await handle.query(PRIVACY_STATUS_QUERY, result_type=PrivacyRequestStatus)


async def _skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


async def _stage(client: Client, handle: WorkflowHandle) -> str | None:
    return (await search_attributes(client, handle))[0]


def _note(settings: Settings, request_id: str, text: str) -> int:
    with session_scope(settings) as session:
        row = session.get(PrivacyRequest, request_id)
        assert row is not None
        return write_note(session, row, text, DPO, settings)


def _event_at(settings: Settings, request_id: str, kind: str) -> list[datetime]:
    return [as_utc(e.at) for e in events(settings, request_id) if e.kind == kind]


@pytest.mark.parametrize("max_cached_workflows", [1000, 0], ids=["cached", "no-cache"])
async def test_reminders_escalation_and_overdue_at_their_exact_moments(
    time_env: WorkflowEnvironment,
    wf_client: Client,
    wf_settings: Settings,
    max_cached_workflows: int,
) -> None:
    dpo = make_dpo(wf_settings)
    make_supervisor(wf_settings, "paris")
    make_supervisor(wf_settings, "lyon")  # another team's: never told
    now = await time_env.get_current_time()
    row = record_privacy_request(wf_settings, dpo, now, Right.ACCESS)
    clock = RequestClock(now)
    first, second, last = clock.reminders()
    async with build_worker(wf_client, wf_settings, max_cached_workflows=max_cached_workflows):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        assert (await _status(handle)).due_at == clock.due_at
        assert await _stage(wf_client, handle) == "privacy:open"

        await _skip_to(time_env, first - timedelta(minutes=1))
        assert "reminder" not in event_kinds(wf_settings, row.id)
        await _skip_to(time_env, first + timedelta(minutes=1))
        await wait_for_messages(wf_settings, 1)
        (reminded,) = _event_at(wf_settings, row.id, "reminder")
        assert abs(reminded - first) < timedelta(seconds=5)
        (mail,) = received(wf_settings)
        assert mail.recipients == ["dpo@cravelynos.example"]
        assert (
            mail.subject == f"Demande {row.reference} : réponse due le {french_date(clock.due_at)}"
        )
        assert "il reste 10 jours" in mail.text

        await _skip_to(time_env, last + timedelta(minutes=1))
        await wait_for_messages(wf_settings, 3)
        reminders = _event_at(wf_settings, row.id, "reminder")
        assert [
            abs(a - b) < timedelta(seconds=5)
            for a, b in zip(reminders, [first, second, last], strict=True)
        ] == [True] * 3

        await _skip_to(time_env, clock.escalation_at() + timedelta(minutes=1))
        messages = await wait_for_messages(wf_settings, 5)
        escalation = [m for m in messages if "échéance aujourd'hui" in m.subject]
        assert sorted(r for m in escalation for r in m.recipients) == [
            "dpo@cravelynos.example",
            "superviseur.paris@cravelynos.example",
        ]
        assert not (await _status(handle)).overdue

        # The due day's last second is still on time; the next one is late.
        await _skip_to(time_env, clock.due_at - timedelta(seconds=30))
        assert not (await _status(handle)).overdue
        await _skip_to(time_env, clock.due_at + timedelta(minutes=1))
        await wait_for_messages(wf_settings, 7)
        (overdue_at,) = _event_at(wf_settings, row.id, "overdue")
        assert abs(overdue_at - (clock.due_at + timedelta(seconds=1))) < timedelta(seconds=5)
        assert (await _status(handle)).overdue
        assert await _stage(wf_client, handle) == "privacy:overdue"
        assert request_row(wf_settings, row.id).status == "open"

        # Overdue is no reason to stop: the DPO still answers, and the request closes.
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.ACCESS.value, Outcome.FULFILLED.value, DPO)
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        await handle.result()
        assert await _stage(wf_client, handle) == "privacy:answered"
        answer = [m for m in received(wf_settings) if m.recipients == [PERSON_EMAIL]]
        assert len(answer) == 1 and "Droit d'accès : satisfait" in answer[0].text
        assert request_row(wf_settings, row.id).answered_at is not None
        assert len(received(wf_settings)) == 8  # nothing sent twice, nothing after the answer


async def test_a_request_recorded_late_sends_only_the_latest_reminder_due(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dpo = make_dpo(wf_settings)
    now = await time_env.get_current_time()
    # Received by letter 26 days ago, typed in today: D−10 and D−5 have passed.
    received_at = now - timedelta(days=26)
    row = record_privacy_request(wf_settings, dpo, received_at, Right.ERASURE)
    clock = RequestClock(received_at)
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        await wait_for_messages(wf_settings, 1)
        status = await _status(handle)
        assert len(received(wf_settings)) == 1
        assert _event_at(wf_settings, row.id, "reminder") != []
        days_left = (clock.due_on - paris_day(now)).days
        assert f"il reste {days_left} jour" in received(wf_settings)[0].text
        assert len(status.notices_done) == 2  # one sent, one passed over
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.ERASURE.value, Outcome.FULFILLED.value, DPO)
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        await handle.result()


async def test_a_pause_adds_its_days_back_and_an_extension_is_told_to_the_person(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dpo = make_dpo(wf_settings)
    now = await time_env.get_current_time()
    row = record_privacy_request(wf_settings, dpo, now, Right.ACCESS, Right.ERASURE)
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        initial_due = (await _status(handle)).due_at
        await time_env.sleep(timedelta(days=3))
        await handle.execute_update(PAUSE_UPDATE, PauseClock(PauseReason.IDENTITY.value, DPO))
        assert request_row(wf_settings, row.id).status == "paused"
        assert await _stage(wf_client, handle) == "privacy:paused"
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        assert "suspendu" in str(refused.value.cause)

        # Four days waiting on the person, across where D−10 would have fallen: no reminder.
        await time_env.sleep(timedelta(days=4))
        await handle.execute_update(RESUME_UPDATE, ResumeClock(DPO))
        status = await _status(handle)
        assert status.paused_days == 4
        assert RequestClock(now, paused_days=4).due_at == status.due_at
        assert paris_day(status.due_at) > paris_day(initial_due)
        assert as_utc(request_row(wf_settings, row.id).due_at) == status.due_at

        # An extension needs its reason; with it, the person is told at once, reason included.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(EXTEND_UPDATE, ExtendDeadline(2, 0, DPO))
        assert "motif" in str(refused.value.cause)
        reason = "Votre dossier compte 14 000 courriels à examiner un par un."
        note_id = _note(wf_settings, row.id, reason)
        await handle.execute_update(EXTEND_UPDATE, ExtendDeadline(2, note_id, DPO))
        extended = await _status(handle)
        assert extended.extended_months == 2
        assert extended.due_at == RequestClock(now, 4).extended(2, "x", now).due_at
        (told,) = await wait_for_messages(wf_settings, 1)
        assert told.recipients == [PERSON_EMAIL]
        assert reason in told.text and french_date(extended.due_at) in told.text
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(EXTEND_UPDATE, ExtendDeadline(1, note_id, DPO))
        assert "une seule prolongation" in str(refused.value.cause)

        # Each right gets its own outcome; a refusal carries its reasons to the person.
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.ACCESS.value, Outcome.FULFILLED.value, DPO)
        )
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        assert "Droit à l'effacement" in str(refused.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                DECIDE_UPDATE, DecideRight(Right.ERASURE.value, Outcome.PARTIAL.value, DPO)
            )
        assert "motifs" in str(refused.value.cause)
        why = "L'historique de négociation est conservé 5 ans (obligation légale)."
        await handle.execute_update(
            DECIDE_UPDATE,
            DecideRight(
                Right.ERASURE.value, Outcome.PARTIAL.value, DPO, _note(wf_settings, row.id, why)
            ),
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        await handle.result()
        answer = (await wait_for_messages(wf_settings, 2))[-1]
        assert why in answer.text and "CNIL" in answer.text and "tribunal" in answer.text
    assert event_kinds(wf_settings, row.id) == [
        "received",
        "paused",
        "resumed",
        "extended",
        "decided",
        "decided",
        "answered",
    ]


async def test_no_extension_once_the_due_date_has_passed(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dpo = make_dpo(wf_settings)
    now = await time_env.get_current_time()
    row = record_privacy_request(wf_settings, dpo, now, Right.RECTIFICATION)
    clock = RequestClock(now)
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        await _skip_to(time_env, clock.due_at + timedelta(hours=1))
        note_id = _note(wf_settings, row.id, "Trop tard.")
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(EXTEND_UPDATE, ExtendDeadline(1, note_id, DPO))
        assert "avant l'échéance" in str(refused.value.cause)
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(PAUSE_UPDATE, PauseClock(PauseReason.IDENTITY.value, DPO))
        status = await _status(handle)
        assert status.overdue and status.extended_months == 0
        assert "extended" not in event_kinds(wf_settings, row.id)
        # Terminated workflows stall the test server's time skipping: answer it instead.
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.RECTIFICATION.value, Outcome.FULFILLED.value, DPO)
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
        await handle.result()
