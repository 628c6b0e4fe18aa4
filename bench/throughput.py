"""Part 1: dossiers per second end to end, beside a trivial workflow on the same server.

Both loops are closed and use the same N and concurrency C: each of C slots starts one item and
waits for it to be done before the next. A trivial item is done when its workflow returns; a
dossier is done when the SMTP server has received its acknowledgement email, which takes the API
(database write, workflow start), the worker (three activities) and an SMTP delivery.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.testing import WorkflowEnvironment

from bench.console import say
from bench.smtp_counter import ArrivalMailbox
from bench.stack import (
    TEMPORAL_CLI,
    BenchFailure,
    ChildProcess,
    free_port,
    start_web,
    start_worker,
    stdout_to_stderr,
    wait_until_serving,
)
from bench.stats import Latency
from bench.trivial import TRIVIAL_TASK_QUEUE, TRIVIAL_WORKFLOW, TrivialInput
from config.loading import dev_settings
from config.settings import Settings
from domain.workflow_ids import dossier_workflow_id
from models.database import engine_for, session_scope
from models.migrate import upgrade_database
from models.staff import Role
from security.codec import make_data_converter
from services.email_outbox import message_id_for
from services.staff_accounts import create_staff_user
from workflows.plumbing import NEXT_DEADLINE_SEARCH_ATTRIBUTE, STAGE_SEARCH_ATTRIBUTE

ITEM_TIMEOUT_SECONDS = 120.0
STAFF_EMAIL = "debit@cravelynos.example"
STAFF_PASSWORD = "banc d'essai, compte de démonstration"
FIRST_NAMES = ("Jeanne", "Louis", "Camille", "Hugo", "Inès", "Nathan", "Léa", "Karim")
LAST_NAMES = ("Dupont", "Moreau", "Lefèvre", "Garnier", "Benali", "Nguyen", "Roux", "Faure")


@dataclass(frozen=True)
class ThroughputResult:
    count: int
    concurrency: int
    warmup: int
    baseline_per_second: float
    baseline_latency: Latency
    dossiers_per_second: float
    # POST sent to 201 received, and POST sent to acknowledgement email received.
    api_latency: Latency
    email_latency: Latency
    emails_received: int


async def closed_loop(
    count: int, concurrency: int, item: Callable[[int], Awaitable[float]]
) -> tuple[float, list[float]]:
    """Run item(0..count-1) with `concurrency` in flight; (items per second, latencies in s).

    `item` returns the perf_counter() time at which it was done (for a dossier, when the SMTP
    thread accepted the email, which may be a little before the coroutine learns of it).
    """
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(number: int) -> float:
        async with semaphore:
            began = time.perf_counter()
            done = await item(number)
            latencies.append(done - began)
            return done

    if count == 0:
        return 0.0, []
    began = time.perf_counter()
    finished = await asyncio.gather(*(one(n) for n in range(count)))
    return count / (max(finished) - began), latencies


def dossier_payload(tag: str, number: int) -> dict[str, Any]:
    return {
        "first_name": FIRST_NAMES[number % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)],
        "email": f"client.{tag}.{number}@exemple.fr",
        "phone": f"06 {number % 100:02d} 34 56 78",
        "address": "12 rue des Lilas\n75011 Paris",
        "departement": "75",
        "creditors": [
            {"name": "Banque Exemple", "kind": "bank", "account_reference": f"FR76-{number}"},
            {"name": "Énergie Exemple", "kind": "energy"},
        ],
        "expected_documents": ["identity", "income"],
    }


def bench_settings(tmp: Path) -> Settings:
    data_dir = tmp / "data"
    web_port = free_port()
    return dev_settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{(data_dir / 'cravelynos.db').as_posix()}",
        temporal_address=f"127.0.0.1:{free_port()}",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        web_port=web_port,
        public_base_url=f"http://127.0.0.1:{web_port}",
    )


def prepare_database(settings: Settings) -> None:
    upgrade_database(settings)
    with session_scope(settings) as session:
        create_staff_user(
            session,
            email=STAFF_EMAIL,
            display_name="Banc d'essai",
            role=Role.CASE_WORKER,
            team="paris",
            password=STAFF_PASSWORD,
        )
    # The children open their own connections; this process keeps none.
    engine_for(settings.database_url).dispose()


async def api_token(http: httpx.AsyncClient) -> str:
    response = await http.post(
        "/api/v1/auth/token", data={"username": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    if response.status_code != 200:
        raise BenchFailure(f"POST /api/v1/auth/token: {response.status_code} {response.text}")
    return str(response.json()["access_token"])


class DossierDriver:
    """Creates dossiers through the API and awaits their acknowledgement emails."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        mailbox: ArrivalMailbox,
        settings: Settings,
        web: ChildProcess,
        worker: ChildProcess,
    ) -> None:
        self.http = http
        self.mailbox = mailbox
        self.settings = settings
        self.web = web
        self.worker = worker
        self.api_seconds: list[float] = []

    def item(self, tag: str) -> Callable[[int], Awaitable[float]]:
        async def create(number: int) -> float:
            began = time.perf_counter()
            response = await self.http.post("/api/v1/dossiers", json=dossier_payload(tag, number))
            self.api_seconds.append(time.perf_counter() - began)
            if response.status_code != 201:
                raise BenchFailure(f"POST /api/v1/dossiers: {response.status_code} {response.text}")
            workflow_id = dossier_workflow_id(response.json()["id"])
            message_id = message_id_for(f"{workflow_id}:acknowledgement", self.settings)
            try:
                return await self.mailbox.arrival(message_id, ITEM_TIMEOUT_SECONDS)
            except TimeoutError:
                self.web.check_alive()
                self.worker.check_alive()
                raise BenchFailure(
                    f"no acknowledgement email {message_id} for {workflow_id} within "
                    f"{ITEM_TIMEOUT_SECONDS:.0f} s; end of the worker's log:\n"
                    + self.worker.log_tail()
                ) from None

        return create


def trivial_item(client: Client, tag: str) -> Callable[[int], Awaitable[float]]:
    async def run(number: int) -> float:
        await client.execute_workflow(
            TRIVIAL_WORKFLOW,
            TrivialInput(number),
            id=f"bench-trivial-{tag}-{number}",
            task_queue=TRIVIAL_TASK_QUEUE,
            result_type=int,
            execution_timeout=timedelta(seconds=ITEM_TIMEOUT_SECONDS),
        )
        return time.perf_counter()

    return run


@dataclass(frozen=True)
class Baseline:
    per_second: float
    latency: Latency


@dataclass
class LiveStack:
    """One run's servers: Temporal dev server, SMTP counter, worker and web app processes."""

    settings: Settings
    tmp: Path
    client: Client
    mailbox: ArrivalMailbox
    web: ChildProcess
    worker: ChildProcess
    http: httpx.AsyncClient

    def check_alive(self) -> None:
        self.web.check_alive()
        self.worker.check_alive()


@asynccontextmanager
async def live_stack(concurrency: int) -> AsyncIterator[LiveStack]:
    """Everything the workflow parts measure against, shut down on the way out."""
    with tempfile.TemporaryDirectory(prefix="cravelynos-bench-throughput-") as tmp:
        settings = bench_settings(Path(tmp))
        prepare_database(settings)
        say(f"throughput: Temporal dev server persisted to {tmp}/temporal.db")
        with stdout_to_stderr():
            env = await WorkflowEnvironment.start_local(
                ip="127.0.0.1",
                port=int(settings.temporal_address.rsplit(":", 1)[1]),
                dev_server_existing_path=str(TEMPORAL_CLI),
                dev_server_database_filename=str(Path(tmp) / "temporal.db"),
                search_attributes=[
                    SearchAttributeKey.for_keyword(STAGE_SEARCH_ATTRIBUTE),
                    SearchAttributeKey.for_datetime(NEXT_DEADLINE_SEARCH_ATTRIBUTE),
                ],
                data_converter=make_data_converter(settings),
            )
        try:
            with ArrivalMailbox(asyncio.get_running_loop(), settings.smtp_port) as mailbox:
                worker = start_worker(settings, Path(tmp))
                web = start_web(settings, Path(tmp))
                try:
                    await asyncio.to_thread(wait_until_serving, web, settings.public_base_url)
                    limits = httpx.Limits(
                        max_connections=concurrency, max_keepalive_connections=concurrency
                    )
                    async with httpx.AsyncClient(
                        base_url=settings.public_base_url,
                        timeout=ITEM_TIMEOUT_SECONDS,
                        limits=limits,
                    ) as http:
                        http.headers["Authorization"] = f"Bearer {await api_token(http)}"
                        stack = LiveStack(
                            settings, Path(tmp), env.client, mailbox, web, worker, http
                        )
                        yield stack
                        stack.check_alive()
                finally:
                    web.stop()
                    worker.stop()
        finally:
            await env.shutdown()


async def measure_baseline(stack: LiveStack, count: int, concurrency: int, warmup: int) -> Baseline:
    say(f"throughput: baseline, {warmup} warm-up + {count} trivial workflows")
    await closed_loop(warmup, concurrency, trivial_item(stack.client, "warmup"))
    rate, seconds = await closed_loop(count, concurrency, trivial_item(stack.client, "measured"))
    say(f"throughput: baseline {rate:.1f} workflows/s")
    return Baseline(rate, Latency.of_seconds(seconds))


async def measure_dossiers(
    stack: LiveStack, baseline: Baseline, count: int, concurrency: int, warmup: int
) -> ThroughputResult:
    driver = DossierDriver(stack.http, stack.mailbox, stack.settings, stack.web, stack.worker)
    say(f"throughput: {warmup} warm-up + {count} dossiers through the API, C={concurrency}")
    await closed_loop(warmup, concurrency, driver.item("warmup"))
    driver.api_seconds.clear()
    dossier_rate, email_seconds = await closed_loop(count, concurrency, driver.item("run"))
    say(f"throughput: {dossier_rate:.1f} dossiers/s")
    stack.check_alive()
    return ThroughputResult(
        count=count,
        concurrency=concurrency,
        warmup=warmup,
        baseline_per_second=baseline.per_second,
        baseline_latency=baseline.latency,
        dossiers_per_second=dossier_rate,
        api_latency=Latency.of_seconds(driver.api_seconds),
        email_latency=Latency.of_seconds(email_seconds),
        emails_received=stack.mailbox.received,
    )
