"""Probes for orchestrators: /healthz (the process answers) and /readyz (the database and
Temporal answer). Unauthenticated and free of personal data: they name parts, never values.

Nothing is cached, so an outage shows on the next probe; every check has a short timeout and
every failure is an answer (503), never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from models.database import engine_for
from web.workflow_gateway import connection_of

log = logging.getLogger(__name__)
router = APIRouter()

TEMPORAL_TIMEOUT_SECONDS = 3.0
HEALTH_RPC_TIMEOUT = timedelta(seconds=2)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _database_answers(settings: Settings) -> bool:
    try:
        with engine_for(settings.database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure is "unreachable", reported as such
        log.warning("Readiness: database unreachable: %s", type(exc).__name__)
        return False


async def _temporal_answers(request: Request) -> bool:
    async def check() -> None:
        client = await connection_of(request).client()
        await client.service_client.check_health(timeout=HEALTH_RPC_TIMEOUT)

    try:
        await asyncio.wait_for(check(), TEMPORAL_TIMEOUT_SECONDS)
        return True
    except Exception as exc:  # unreachable, timed out or refusing: all "unreachable"
        log.warning("Readiness: Temporal unreachable: %s", type(exc).__name__)
        return False


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    database, temporal = await asyncio.gather(
        run_in_threadpool(_database_answers, settings), _temporal_answers(request)
    )
    parts = {
        "database": "ok" if database else "unreachable",
        "temporal": "ok" if temporal else "unreachable",
    }
    ready = database and temporal
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **parts},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )
