"""Part 2: latency of the dossier list (page and API) with N dossiers, beside a static file.

The real app runs under uvicorn on a copy of the filled database; one keep-alive client signs in
through the real login form (CSRF token included) and gets an API token, then sends sequential
requests. The endpoints take turns request by request, so a load change on the machine touches
every row of the table alike; warm-up rounds are excluded.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, or_, select
from sqlmodel import col

from bench.console import say
from bench.fill import DATABASE_FILE, VIEWER_EMAIL, VIEWER_PASSWORD, FilledDatabase
from bench.stack import BenchFailure, free_port, start_web, wait_until_serving
from bench.stats import Latency
from config.loading import dev_settings
from domain.dossier_stages import Stage
from models.database import engine_for
from models.dossier import Dossier
from models.staff import StaffUser
from web.staff.dossiers.list_page import PER_PAGE

STATIC_PATH = "/static/app.css"
FILTER_STAGE = Stage.AWAITING_DOCUMENTS
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Endpoint:
    label: str
    example: str
    baseline: bool
    latency: Latency
    response_bytes: int


@dataclass(frozen=True)
class ListLatencyResult:
    database: str
    dossiers: int
    visible_to_viewer: int
    stage_matches: int
    requests: int
    warmup: int
    endpoints: list[Endpoint]


@dataclass(frozen=True)
class Facts:
    visible: int
    stage_matches: int
    references: list[str]


def viewer_facts(database_url: str, sample: int) -> Facts:
    """What the signed-in case worker may see (their own or their team's dossiers)."""
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            viewer = connection.execute(
                select(col(StaffUser.id), col(StaffUser.team)).where(
                    col(StaffUser.email) == VIEWER_EMAIL
                )
            ).one()
            scope = or_(col(Dossier.assignee_id) == viewer.id, col(Dossier.team) == viewer.team)
            counted = select(func.count()).select_from(Dossier)
            visible = connection.execute(counted.where(scope)).scalar_one()
            matches = connection.execute(
                counted.where(scope, col(Dossier.stage) == FILTER_STAGE)
            ).scalar_one()
            references = list(
                connection.execute(select(col(Dossier.reference)).where(scope)).scalars()
            )
    finally:
        engine.dispose()
        engine_for.cache_clear()
    rng = random.Random(sample)
    return Facts(visible, matches, [rng.choice(references) for _ in range(sample)])


def sign_in(http: httpx.Client) -> str:
    """Session cookie through the login form, and a bearer token; returns the token."""
    form = http.get("/login")
    token = _CSRF_FIELD.search(form.text)
    if form.status_code != 200 or token is None:
        raise BenchFailure(f"GET /login: {form.status_code}, no CSRF field found")
    login = http.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "email": VIEWER_EMAIL,
            "password": VIEWER_PASSWORD,
            "next": "/dossiers",
        },
    )
    if login.status_code != 303 or login.headers.get("location") != "/dossiers":
        raise BenchFailure(f"POST /login: {login.status_code}, expected a redirect to /dossiers")
    issued = http.post(
        "/api/v1/auth/token", data={"username": VIEWER_EMAIL, "password": VIEWER_PASSWORD}
    )
    if issued.status_code != 200:
        raise BenchFailure(f"POST /api/v1/auth/token: {issued.status_code} {issued.text}")
    return str(issued.json()["access_token"])


@dataclass
class Probe:
    label: str
    url: Callable[[int], str]
    check: Callable[[httpx.Response], bool]
    bearer: bool = False
    baseline: bool = False


def probes(facts: Facts) -> list[Probe]:
    # The pagination always links the last page: the deepest OFFSET a person reaches in a click.
    last_page = max(1, -(-facts.visible // PER_PAGE))

    def has_reference(response: httpx.Response) -> bool:
        return "CRV-" in response.text

    def found(response: httpx.Response) -> bool:
        return int(response.json()["total"]) >= 1

    def found_reference(response: httpx.Response) -> bool:
        wanted = response.request.url.params["q"]
        return [item["reference"] for item in response.json()["items"]] == [wanted]

    def none_found(response: httpx.Response) -> bool:
        return int(response.json()["total"]) == 0

    def static_ok(response: httpx.Response) -> bool:
        return len(response.content) > 0

    return [
        Probe(f"Baseline: GET {STATIC_PATH}", lambda _: STATIC_PATH, static_ok, baseline=True),
        Probe("GET /dossiers (HTML page 1)", lambda _: "/dossiers", has_reference),
        Probe(
            f"GET /dossiers?page={last_page} (HTML, last page)",
            lambda _: f"/dossiers?page={last_page}",
            has_reference,
        ),
        Probe(
            f"GET /api/v1/dossiers?stage={FILTER_STAGE.value}",
            lambda _: f"/api/v1/dossiers?stage={FILTER_STAGE.value}",
            found,
            bearer=True,
        ),
        Probe(
            "GET /api/v1/dossiers?q=<reference>",
            lambda n: f"/api/v1/dossiers?q={facts.references[n % len(facts.references)]}",
            found_reference,
            bearer=True,
        ),
        # The blind-index lookups (email, last name): a miss costs what a hit costs.
        Probe(
            "GET /api/v1/dossiers?q=<email, no match>",
            lambda n: f"/api/v1/dossiers?q=personne.{n}@exemple.fr",
            none_found,
            bearer=True,
        ),
        Probe(
            "GET /api/v1/dossiers?q=<last name, no match>",
            lambda n: f"/api/v1/dossiers?q=Absent{n}",
            none_found,
            bearer=True,
        ),
    ]


def measure(
    http: httpx.Client, token: str, items: list[Probe], requests: int, warmup: int
) -> list[Endpoint]:
    auth = {"Authorization": f"Bearer {token}"}
    seconds: list[list[float]] = [[] for _ in items]
    sizes = [0 for _ in items]
    for round_number in range(warmup + requests):
        for index, probe in enumerate(items):
            url = probe.url(round_number)
            began = time.perf_counter()
            response = http.get(url, headers=auth if probe.bearer else None)
            elapsed = time.perf_counter() - began
            if response.status_code != 200 or not probe.check(response):
                raise BenchFailure(f"GET {url}: {response.status_code} {response.text[:300]}")
            if round_number >= warmup:
                seconds[index].append(elapsed)
                sizes[index] = len(response.content)
    return [
        Endpoint(probe.label, probe.url(0), probe.baseline, Latency.of_seconds(s), size)
        for probe, s, size in zip(items, seconds, sizes, strict=True)
    ]


def run_list_latency(
    filled: FilledDatabase,
    requests: int,
    warmup: int,
    database_url: str | None = None,
    database_label: str = "SQLite",
) -> ListLatencyResult:
    """Measure on a copy of `filled` (SQLite), or on `database_url` already holding its rows."""
    with tempfile.TemporaryDirectory(prefix="cravelynos-bench-list-") as tmp:
        data_dir = Path(tmp) / "data"
        # A copy: the list writes an audit entry per request, the cache must stay as built.
        shutil.copytree(filled.data_dir, data_dir)
        web_port = free_port()
        settings = dev_settings(
            data_dir=data_dir,
            database_url=database_url or f"sqlite:///{(data_dir / DATABASE_FILE).as_posix()}",
            # No Temporal here: the list does not need it, and the app connects lazily.
            temporal_address=f"127.0.0.1:{free_port()}",
            web_port=web_port,
            public_base_url=f"http://127.0.0.1:{web_port}",
        )
        facts = viewer_facts(settings.database_url, max(requests, 1))
        web = start_web(settings, Path(tmp))
        try:
            wait_until_serving(web, settings.public_base_url)
            with httpx.Client(base_url=settings.public_base_url, timeout=60.0) as http:
                token = sign_in(http)
                say(
                    f"list ({database_label}): {warmup} warm-up + {requests} rounds of "
                    f"{len(probes(facts))} requests"
                )
                endpoints = measure(http, token, probes(facts), requests, warmup)
            web.check_alive()
        finally:
            web.stop()
    return ListLatencyResult(
        database=database_label,
        dossiers=filled.dossiers,
        visible_to_viewer=facts.visible,
        stage_matches=facts.stage_matches,
        requests=requests,
        warmup=warmup,
        endpoints=endpoints,
    )
