"""GET /metrics for Prometheus, and the request-latency histogram it serves.

Off unless `metrics_token` is set (then 404); the scraper sends it as a Bearer token, compared
in constant time. Labels carry the route TEMPLATE (/dossiers/{dossier_id}), never the raw path,
so no id or personal data reaches a label. The histogram is per process: with several web
processes, each is scraped on its own (or the sums differ per instance).
"""

from __future__ import annotations

import hmac
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.settings import Settings
from models.database import engine_for
from models.outbox import EmailStatus, OutboxEmail

router = APIRouter()

REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "cravelynos_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status class.",
    ("route", "method", "status"),
    registry=REGISTRY,
)
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            REQUEST_SECONDS.labels(
                route_template(scope), scope["method"], f"{status // 100}xx"
            ).observe(time.perf_counter() - started)


def _authorized(request: Request, token: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@router.get("/metrics")
def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not settings.metrics_token:
        return Response(status_code=404)
    if not _authorized(request, settings.metrics_token):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    body = generate_latest(REGISTRY) + _scrape_time_gauges(settings)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _scrape_time_gauges(settings: Settings) -> bytes:
    """Counted from the database at each scrape: the same for every web process."""
    with Session(engine_for(settings.database_url)) as session:
        queued = session.exec(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.status == EmailStatus.QUEUED)
        ).one()
    backlog = GaugeMetricFamily(
        "cravelynos_outbox_backlog", "Emails queued in the outbox, not yet sent.", value=queued
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed([backlog]))
    return generate_latest(registry)


class _Fixed:
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families
