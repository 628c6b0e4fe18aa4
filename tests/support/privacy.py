"""Data-subject requests for tests: recorded as staff record them, started as the web app starts
them, and read back from the read model and the timeline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from temporalio.client import Client, WorkflowHandle

from config.settings import Settings
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.request import Channel, Right
from domain.workflow_ids import privacy_request_workflow_id
from gateway.start_intents import record_privacy_request_start_intent, start_pending_intent
from models.database import session_scope
from models.privacy_request import PrivacyRequest, PrivacyRequestEvent
from models.staff import Role, StaffUser
from services.privacy_requests.records import create_request
from support.stack import make_staff

PERSON_EMAIL = "ines.moreau@example.org"


def make_dpo(settings: Settings) -> StaffUser:
    return make_staff(settings, "dpo@cravelynos.example", Role.DPO, name="Dominique DPO")


def make_supervisor(settings: Settings, team: str = "paris") -> StaffUser:
    return make_staff(
        settings, f"superviseur.{team}@cravelynos.example", Role.SUPERVISOR, team, "Sacha"
    )


def record_privacy_request(
    settings: Settings,
    staff: StaffUser,
    received_at: datetime,
    *rights: Right,
    email: str | None = PERSON_EMAIL,
    client_id: str | None = None,
) -> PrivacyRequest:
    data = PrivacyRequestIn(
        rights=list(rights) or [Right.ACCESS],
        email=email if client_id is None else None,
        client_id=client_id,
        channel=Channel.LETTER,
        received_at=received_at,
    )
    with session_scope(settings) as session:
        actor = session.get(StaffUser, staff.id)
        assert actor is not None
        row = create_request(session, data, actor, settings, received_at)
        record_privacy_request_start_intent(session, row.id)
        return row


async def start_privacy_request(
    client: Client, settings: Settings, row: PrivacyRequest
) -> WorkflowHandle:
    workflow_id = privacy_request_workflow_id(row.id)
    assert await start_pending_intent(client, workflow_id, settings)
    return client.get_workflow_handle(workflow_id)


def request_row(settings: Settings, request_id: str) -> PrivacyRequest:
    with session_scope(settings) as session:
        row = session.get(PrivacyRequest, request_id)
        assert row is not None
        return row


def events(settings: Settings, request_id: str) -> list[PrivacyRequestEvent]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(PrivacyRequestEvent)
                .where(PrivacyRequestEvent.request_id == request_id)
                .order_by(PrivacyRequestEvent.id)  # type: ignore[arg-type]
            ).all()
        )


def event_kinds(settings: Settings, request_id: str) -> list[str]:
    return [event.kind for event in events(settings, request_id)]
