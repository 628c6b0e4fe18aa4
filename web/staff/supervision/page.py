"""/supervision: the SLA board (database), workflow health (Temporal) and the email outbox, for
ops, supervisors, the DPO and admins.

No audit entry per view: the page shows references, workflow ids, template codes, dates and
counts only, never a person's data (an activity's failure message, which might hold some, is
shown only to the roles the payload codec decodes for, as the Temporal Web UI would show it).
If Temporal does not answer within a few seconds, the rest of the page is still served."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from domain.clock import utcnow
from models.database import session_scope
from models.staff import StaffUser
from services.supervision.outbox import OutboxHealth, outbox_health
from services.supervision.sla import SUPERVISION_ROLES, SlaBoard, sla_board
from web.auth import require_role
from web.codec import CODEC_ROLES
from web.deps import SettingsDep
from web.staff.supervision.temporal_health import WorkflowHealth, workflow_health
from web.ui.rendering import render
from web.workflow_gateway import connection_of

log = logging.getLogger(__name__)
router = APIRouter()

Supervisor = Annotated[StaffUser, Depends(require_role(*SUPERVISION_ROLES))]
# Connection and every read together: past this, the page says Temporal does not answer.
TEMPORAL_TIMEOUT_SECONDS = 6.0


def _database_reads(settings: Settings, staff: StaffUser) -> tuple[SlaBoard, OutboxHealth]:
    now = utcnow()
    with session_scope(settings) as session:
        return sla_board(session, staff, now), outbox_health(session, now)


async def _temporal(
    request: Request, settings: Settings, staff: StaffUser
) -> WorkflowHealth | None:
    async def read() -> WorkflowHealth:
        client = await connection_of(request).client()
        decode = staff.role in CODEC_ROLES
        return await workflow_health(client, settings.task_queue, utcnow(), decode_failures=decode)

    try:
        return await asyncio.wait_for(read(), TEMPORAL_TIMEOUT_SECONDS)
    except Exception as exc:
        # Unreachable, too slow or refusing: the board says so instead of failing.
        log.warning("supervision: Temporal did not answer: %s", type(exc).__name__)
        return None


@router.get("/supervision", response_class=HTMLResponse)
async def supervision(request: Request, settings: SettingsDep, staff: Supervisor) -> HTMLResponse:
    (board, outbox), health = await asyncio.gather(
        run_in_threadpool(_database_reads, settings, staff), _temporal(request, settings, staff)
    )
    return render(
        request,
        "web/supervision/page.html",
        {
            "nav": "supervision",
            "board": board,
            "outbox": outbox,
            "health": health,
            "show_failures": staff.role in CODEC_ROLES,
            "task_queue": settings.task_queue,
        },
        settings=settings,
    )
