"""The data-subject request scenarios make_histories.py records (read its docstring before
regenerating anything): a request along the DPO's every action, a request filed on the site and
confirmed that goes overdue, and one never confirmed.

Each scenario gets its own database, SMTP catcher and worker on the shared time-skipping server,
and returns the request's history once the workflow has finished.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from make_histories import Saved, replay_settings
from sqlmodel import SQLModel
from support.negotiation import seed_negotiations
from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.stack import free_port, smtp_catcher, wait_for_messages
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.deadline import RequestClock
from domain.privacy.request import Outcome, PauseReason, Right
from gateway.start_intents import record_privacy_request_start_intent
from models.database import engine_for, session_scope
from models.privacy_request import PrivacyRequest
from security.codec import make_data_converter
from services.privacy_requests.notes import write_note
from services.privacy_requests.records import create_public_request
from worker import build_worker
from workflows.privacy_request_messages import (
    CONFIRM_UPDATE,
    DECIDE_UPDATE,
    EXTEND_UPDATE,
    PAUSE_UPDATE,
    RESPOND_UPDATE,
    RESUME_UPDATE,
    ConfirmAddress,
    DecideRight,
    ExtendDeadline,
    PauseClock,
    ResumeClock,
    SendResponse,
)

DPO = "staff:1"


@dataclass
class PrivacyScenario:
    env: WorkflowEnvironment
    client: Client
    settings: Settings

    def note(self, request_id: str, text: str) -> int:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, request_id)
            assert row is not None
            return write_note(session, row, text, DPO, self.settings)

    async def finished(self, handle: WorkflowHandle, name: str, description: str) -> Saved:
        await handle.result()
        return Saved(name, description, await handle.fetch_history())


async def _refused(handle: WorkflowHandle, name: str, arg: object) -> None:
    try:
        await handle.execute_update(name, arg)
    except WorkflowUpdateFailedError:
        return
    raise AssertionError(f"{name} should have been refused")


async def privacy_request_every_action(p: PrivacyScenario) -> list[Saved]:
    seed = seed_negotiations(p.settings)
    dpo = make_dpo(p.settings)
    now = await p.env.get_current_time()
    row = record_privacy_request(
        p.settings, dpo, now, Right.ACCESS, Right.ERASURE, client_id=seed.client_id
    )
    handle = await start_privacy_request(p.client, p.settings, row)
    clock = RequestClock(now)
    await p.env.sleep(clock.reminders()[0] - now + timedelta(minutes=5))
    await wait_for_messages(p.settings, 1)
    await handle.execute_update(PAUSE_UPDATE, PauseClock(PauseReason.IDENTITY.value, DPO))
    await _refused(handle, RESPOND_UPDATE, SendResponse(DPO))
    await p.env.sleep(timedelta(days=3))
    await handle.execute_update(RESUME_UPDATE, ResumeClock(DPO))
    await _refused(handle, EXTEND_UPDATE, ExtendDeadline(1, 0, DPO))
    reason = p.note(row.id, "Votre dossier compte de nombreux échanges à rassembler.")
    await handle.execute_update(EXTEND_UPDATE, ExtendDeadline(1, reason, DPO))
    await handle.execute_update(
        DECIDE_UPDATE, DecideRight(Right.ACCESS.value, Outcome.FULFILLED.value, DPO)
    )
    why = p.note(row.id, "L'historique de négociation est conservé 5 ans (obligation légale).")
    await handle.execute_update(
        DECIDE_UPDATE, DecideRight(Right.ERASURE.value, Outcome.PARTIAL.value, DPO, why)
    )
    await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
    return [
        await p.finished(
            handle,
            "privacy_request_every_action",
            "A client's access and erasure request: D−10 reminder, paused 3 days for an ID "
            "document, an answer refused while paused, resumed, an extension without reason "
            "refused then granted (the person told), access granted, erasure partly refused with "
            "reasons, the answer with the access package's link.",
        )
    ]


async def privacy_request_public_overdue(p: PrivacyScenario) -> list[Saved]:
    with session_scope(p.settings) as session:
        row, _ = create_public_request(
            session, p.settings, [Right.PORTABILITY], "visiteur@example.org", utcnow(), "n1"
        )
        record_privacy_request_start_intent(session, row.id)
    handle = await start_privacy_request(p.client, p.settings, row)
    await wait_for_messages(p.settings, 1)
    await p.env.sleep(timedelta(hours=5))
    await handle.execute_update(CONFIRM_UPDATE, ConfirmAddress())
    await _refused(handle, CONFIRM_UPDATE, ConfirmAddress())
    await p.env.sleep(timedelta(days=33))
    await handle.execute_update(
        DECIDE_UPDATE, DecideRight(Right.PORTABILITY.value, Outcome.FULFILLED.value, DPO)
    )
    await handle.execute_update(RESPOND_UPDATE, SendResponse(DPO))
    return [
        await p.finished(
            handle,
            "privacy_request_public_overdue",
            "Filed on the site, confirmed 5 hours later (a second confirmation refused), left "
            "unanswered: reminders, escalation, overdue; then portability granted and answered.",
        )
    ]


async def privacy_request_unconfirmed(p: PrivacyScenario) -> list[Saved]:
    with session_scope(p.settings) as session:
        row, _ = create_public_request(
            session, p.settings, [Right.ACCESS], "personne@example.org", utcnow(), "n1"
        )
        record_privacy_request_start_intent(session, row.id)
    handle = await start_privacy_request(p.client, p.settings, row)
    await wait_for_messages(p.settings, 1)
    await p.env.sleep(timedelta(hours=49))
    return [
        await p.finished(
            handle,
            "privacy_request_unconfirmed",
            "Filed on the site, never confirmed: discarded after 48 hours.",
        )
    ]


@dataclass(frozen=True)
class PrivacyRecording:
    scenario: Callable[[PrivacyScenario], Awaitable[list[Saved]]]

    @property
    def name(self) -> str:
        return self.scenario.__name__


PRIVACY_SCENARIOS = [
    PrivacyRecording(privacy_request_every_action),
    PrivacyRecording(privacy_request_public_overdue),
    PrivacyRecording(privacy_request_unconfirmed),
]


async def run_privacy_scenario(
    env: WorkflowEnvironment, recording: PrivacyRecording, data_dir: Path
) -> list[Saved]:
    port = free_port()
    settings = replay_settings(data_dir, smtp_port=port, task_queue=f"histories-{data_dir.name}")
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    client = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=make_data_converter(settings),
    )
    with smtp_catcher(settings.mailbox_dir, port):
        async with build_worker(client, settings):
            return await recording.scenario(PrivacyScenario(env, client, settings))
