"""Part 6: searching people among N dossiers (names without accents, a phone typed another way,
a reference's last digits, a creditor), through the real list page and API, beside a static file.

Same setup as the list latency (bench/list_latency.py): the real app under uvicorn on a copy of
the filled database (bench/fill.py writes the search index as intake does), one keep-alive client
signed in through the login form, endpoints taking turns request by request, warm-up excluded.
The phones and references searched are those of dossiers the case worker may see, read (and
decrypted) before the measure.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from bench.console import say
from bench.fill import DATABASE_FILE, VIEWER_EMAIL, FilledDatabase
from bench.list_latency import STATIC_PATH, Endpoint, Probe, measure, sign_in
from bench.stack import free_port, start_web, wait_until_serving
from config.loading import dev_settings
from config.settings import Settings
from domain.search_terms import fold
from models.client import Client
from models.database import engine_for
from models.dossier import Dossier
from models.staff import StaffUser
from security.datakeys import ClientCipher

NAME = "lefevre"  # typed without its accent: the clients are "Lefèvre"
FIRST_AND_LAST = "jeanne lefevre"
# Every creditor of the fill is "... Exemple": one word of this matches every dossier.
CREDITOR = "energie exemple"


@dataclass(frozen=True)
class SearchLatencyResult:
    database: str
    dossiers: int
    visible_to_viewer: int
    name_matches: int
    requests: int
    warmup: int
    endpoints: list[Endpoint]


@dataclass(frozen=True)
class Sample:
    dossier_id: str
    reference: str
    # The phone as a person types it, not as stored: "+33 6 12 34 56 78" for "+33612345678"
    # (not "06 ...": dialled from France, 06 39 is Mayotte's +262 639, which the fill's random
    # numbers ignore).
    phone_typed: str


def _typed(e164: str) -> str:
    national = e164.removeprefix("+33")
    return "+33 " + national[0] + " " + " ".join(national[i : i + 2] for i in range(1, 9, 2))


def viewer_samples(settings: Settings, size: int) -> tuple[int, list[Sample]]:
    """How many dossiers the case worker sees, and `size` of them picked at random."""
    engine = engine_for(settings.database_url)
    try:
        with Session(engine) as session:
            viewer = session.execute(
                select(col(StaffUser.id), col(StaffUser.team)).where(
                    col(StaffUser.email) == VIEWER_EMAIL
                )
            ).one()
            scope = or_(col(Dossier.assignee_id) == viewer.id, col(Dossier.team) == viewer.team)
            visible = session.execute(
                select(func.count()).select_from(Dossier).where(scope)
            ).scalar_one()
            rows = session.execute(
                select(col(Dossier.id), col(Dossier.reference), Client)
                .join(Client, col(Client.id) == col(Dossier.client_id))
                .where(scope)
                .order_by(func.random())
                .limit(size)
            ).all()
            samples = []
            for dossier_id, reference, client in rows:
                cipher = ClientCipher.for_client(client, settings)
                phone = cipher.decrypt("client", "phone", client.id, client.phone_enc) or ""
                samples.append(Sample(dossier_id, reference, _typed(phone)))
    finally:
        engine.dispose()
        engine_for.cache_clear()
    return visible, samples


def probes(samples: list[Sample]) -> list[Probe]:
    def sample(n: int) -> Sample:
        return samples[n % len(samples)]

    expected = {s.phone_typed: s.dossier_id for s in samples}
    expected.update({s.reference[-6:]: s.dossier_id for s in samples})

    def page_names_lefevre(response: httpx.Response) -> bool:
        return "Lefèvre" in response.text and "CRV-" in response.text

    def all_lefevre(response: httpx.Response) -> bool:
        items = response.json()["items"]
        return bool(items) and all("lefevre" in fold(i["client_name"]) for i in items)

    def all_jeanne_lefevre(response: httpx.Response) -> bool:
        items = response.json()["items"]
        return bool(items) and all(
            fold(i["client_name"]) == "jeanne lefevre" for i in response.json()["items"]
        )

    def the_sample(response: httpx.Response) -> bool:
        wanted = expected[response.request.url.params["q"]]
        return wanted in [i["id"] for i in response.json()["items"]]

    def some(response: httpx.Response) -> bool:
        return int(response.json()["total"]) >= 1

    def none_found(response: httpx.Response) -> bool:
        return int(response.json()["total"]) == 0

    def static_ok(response: httpx.Response) -> bool:
        return len(response.content) > 0

    api = "/api/v1/dossiers"
    return [
        Probe(f"Baseline: GET {STATIC_PATH}", lambda _: STATIC_PATH, static_ok, baseline=True),
        Probe(f"GET /dossiers?q={NAME} (HTML page 1)", lambda _: f"/dossiers?q={NAME}",
              page_names_lefevre),
        Probe(f"GET {api}?q={NAME}", lambda _: f"{api}?q={NAME}", all_lefevre, bearer=True),
        Probe(f"GET {api}?q={FIRST_AND_LAST}", lambda _: f"{api}?q={FIRST_AND_LAST}",
              all_jeanne_lefevre, bearer=True),
        Probe(f"GET {api}?q=<phone typed +33 6 xx xx xx xx>",
              lambda n: f"{api}?{urlencode({'q': sample(n).phone_typed})}",
              the_sample, bearer=True),
        Probe(f"GET {api}?q=<last 6 digits of a reference>",
              lambda n: f"{api}?q={sample(n).reference[-6:]}",
              the_sample, bearer=True),
        Probe(f"GET {api}?q={CREDITOR} (creditor)", lambda _: f"{api}?q={CREDITOR}", some,
              bearer=True),
        Probe(f"GET {api}?q=<name, no match>", lambda n: f"{api}?q=absentnom{n}", none_found,
              bearer=True),
    ]  # fmt: skip


def _name_matches(http: httpx.Client, token: str) -> int:
    response = http.get(
        "/api/v1/dossiers", params={"q": NAME}, headers={"Authorization": f"Bearer {token}"}
    )
    return int(response.json()["total"])


def run_search_latency(filled: FilledDatabase, requests: int, warmup: int) -> SearchLatencyResult:
    """Measure on a copy of `filled` (SQLite)."""
    with tempfile.TemporaryDirectory(prefix="cravelynos-bench-search-") as tmp:
        data_dir = Path(tmp) / "data"
        # A copy: the list writes an audit entry per request, the cache must stay as built.
        shutil.copytree(filled.data_dir, data_dir)
        web_port = free_port()
        settings = dev_settings(
            data_dir=data_dir,
            database_url=f"sqlite:///{(data_dir / DATABASE_FILE).as_posix()}",
            temporal_address=f"127.0.0.1:{free_port()}",
            web_port=web_port,
            public_base_url=f"http://127.0.0.1:{web_port}",
        )
        visible, samples = viewer_samples(settings, max(requests, 1))
        random.Random(requests).shuffle(samples)
        web = start_web(settings, Path(tmp))
        try:
            wait_until_serving(web, settings.public_base_url)
            with httpx.Client(base_url=settings.public_base_url, timeout=60.0) as http:
                token = sign_in(http)
                matches = _name_matches(http, token)
                items = probes(samples)
                say(f"search: {warmup} warm-up + {requests} rounds of {len(items)} requests")
                endpoints = measure(http, token, items, requests, warmup)
            web.check_alive()
        finally:
            web.stop()
    return SearchLatencyResult(
        database="SQLite",
        dossiers=filled.dossiers,
        visible_to_viewer=visible,
        name_matches=matches,
        requests=requests,
        warmup=warmup,
        endpoints=endpoints,
    )
