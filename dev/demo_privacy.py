"""Demo data-subject requests, so the DPO's queue shows each state on first run: one due in a
few days (its reminders already sent), one just received about a demo client, one overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from temporalio.client import Client

from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.request import Channel, Right
from domain.workflow_ids import privacy_request_workflow_id
from gateway.start_intents import record_privacy_request_start_intent, start_pending_intent
from models.client import Client as ClientRow
from models.database import session_scope
from models.dossier import Dossier
from models.privacy_request import PrivacyRequest
from models.staff import StaffUser
from services.privacy_requests.records import create_request

DPO_EMAIL = "dpo@cravelynos.example"
# (days since receipt, rights, channel, address of someone who is not a client, or None for
# the first demo client)
DEMO_REQUESTS: tuple[tuple[int, list[Right], Channel, str | None], ...] = (
    (26, [Right.ACCESS, Right.PORTABILITY], Channel.LETTER, "paul.ancien@example.org"),
    (2, [Right.ERASURE], Channel.EMAIL, None),
    (40, [Right.RECTIFICATION], Channel.EMAIL, "lea.retard@example.org"),
)


async def seed_demo_privacy_requests(settings: Settings, client: Client) -> int:
    """Record the demo requests once (when there are none) and start their workflows."""
    now = utcnow()
    recorded: list[str] = []
    with session_scope(settings) as session:
        if session.exec(select(PrivacyRequest.id)).first() is not None:
            return 0
        dpo = session.exec(select(StaffUser).where(StaffUser.email == DPO_EMAIL)).one()
        first_client = session.exec(
            select(ClientRow.id)
            .join(Dossier, col(Dossier.client_id) == col(ClientRow.id))
            .order_by(col(Dossier.created_at))
        ).first()
        for days_ago, rights, channel, email in DEMO_REQUESTS:
            if email is None and first_client is None:
                continue
            data = PrivacyRequestIn(
                rights=rights,
                email=email,
                client_id=None if email else first_client,
                channel=channel,
                received_at=now - timedelta(days=days_ago, hours=2),
            )
            row = create_request(session, data, dpo, settings, now)
            record_privacy_request_start_intent(session, row.id)
            recorded.append(row.id)
    for request_id in recorded:
        await start_pending_intent(client, privacy_request_workflow_id(request_id), settings)
    return len(recorded)
