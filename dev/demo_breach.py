"""A demo breach suspicion, so the DPO's register shows the first step on first run: raised a
few hours ago by the demo case worker, waiting for the DPO to confirm or dismiss it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from temporalio.client import Client

from config.settings import Settings
from domain.breach.inputs import SuspicionIn
from domain.breach.rules import Nature
from domain.clock import utcnow
from domain.workflow_ids import breach_workflow_id
from gateway.start_intents import record_breach_start_intent, start_pending_intent
from models.breach import Breach
from models.database import session_scope
from models.staff import StaffUser
from services.breaches.records import raise_suspicion
from services.dossiers.access import actor_of

RAISED_BY = "demo@cravelynos.example"
DESCRIPTION = (
    "En envoyant un relevé de situation, j'ai choisi le mauvais destinataire dans la liste : "
    "le courriel est parti chez un autre client. Il a répondu qu'il l'avait supprimé."
)


async def seed_demo_breach(settings: Settings, client: Client) -> int:
    """Raise the demo suspicion once (when there is no breach) and start its workflow."""
    now = utcnow()
    with session_scope(settings) as session:
        if session.exec(select(Breach.id)).first() is not None:
            return 0
        staff = session.exec(select(StaffUser).where(StaffUser.email == RAISED_BY)).one()
        data = SuspicionIn(
            description=DESCRIPTION,
            nature=Nature.CONFIDENTIALITY,
            noticed_at=now - timedelta(hours=3),
        )
        row = raise_suspicion(session, data, actor_of(staff), settings, now)
        record_breach_start_intent(session, row.id)
        breach_id = row.id
    await start_pending_intent(client, breach_workflow_id(breach_id), settings)
    return 1
