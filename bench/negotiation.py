"""Part 1b: first offers sent to creditors, beside the trivial workflow on the same server.

N negotiations wait in READY with the client's consent given and a drafted offer (seeded through
the app's stores, workflows started by the bench: in the product the dossier starts them as its
children). Each item is the case worker's `send_offer` update, C in flight (closed loop as for
dossiers). The update returns once the offer email was accepted by the SMTP server (consent
re-checked right before, sharing ledger written with it), the offer marked sent, the progress
recorded and the client's "offer sent" email delivered: its latency is what the case worker
waits for after confirming the offer's preview.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel import col, func, select
from temporalio.client import Client

from bench.console import say
from bench.negotiation_seed import (
    SeededNegotiation,
    draft_first_offer,
    seed_directory,
    seed_ready_negotiation,
)
from bench.stack import BenchFailure
from bench.stats import Latency
from bench.throughput import (
    ITEM_TIMEOUT_SECONDS,
    STAFF_EMAIL,
    Baseline,
    LiveStack,
    closed_loop,
)
from domain.negotiation.sharing import MessageKind
from domain.negotiation.states import NegotiationState
from domain.workflow_ids import negotiation_workflow_id
from models.database import session_scope
from models.negotiation import Negotiation, SharingLedgerEntry
from models.staff import StaffUser
from services.email_outbox import message_id_for
from services.negotiations.store import Staged
from workflows.negotiation_messages import (
    NEGOTIATION_WORKFLOW,
    SEND_OFFER_UPDATE,
    NegotiationInput,
    SendOffer,
)

READY_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class NegotiationResult:
    count: int
    concurrency: int
    warmup: int
    baseline_per_second: float
    baseline_latency: Latency
    offers_per_second: float
    # Update sent to update returned (the offer email accepted by the SMTP server before).
    update_latency: Latency
    # Update sent to the offer email accepted by the SMTP server.
    email_latency: Latency
    # From the first measured update sent to the last measured offer email received.
    all_emails_seconds: float
    offer_emails_received: int
    seed_seconds: float


@dataclass(frozen=True)
class ReadyOffer:
    negotiation: SeededNegotiation
    offer: Staged

    @property
    def offer_id(self) -> str:
        return self.offer.row_id

    @property
    def workflow_id(self) -> str:
        return negotiation_workflow_id(self.negotiation.negotiation_id)


async def prepare_offers(stack: LiveStack, total: int, concurrency: int) -> list[ReadyOffer]:
    """Seed `total` negotiations, start their workflows, wait for READY, draft the offers."""
    settings = stack.settings
    await asyncio.to_thread(seed_directory, settings)
    seeded = [
        await asyncio.to_thread(seed_ready_negotiation, settings, STAFF_EMAIL, number)
        for number in range(total)
    ]
    semaphore = asyncio.Semaphore(concurrency)

    async def start(item: SeededNegotiation) -> None:
        async with semaphore:
            await stack.client.start_workflow(
                NEGOTIATION_WORKFLOW,
                NegotiationInput(negotiation_id=item.negotiation_id, dossier_id=item.dossier_id),
                id=negotiation_workflow_id(item.negotiation_id),
                task_queue=settings.task_queue,
            )

    await asyncio.gather(*(start(item) for item in seeded))
    await _until_ready(stack, [item.negotiation_id for item in seeded])
    offers = []
    for item in seeded:
        staged = await asyncio.to_thread(
            draft_first_offer, settings, STAFF_EMAIL, item.negotiation_id
        )
        offers.append(ReadyOffer(item, staged))
    return offers


async def _until_ready(stack: LiveStack, negotiation_ids: list[str]) -> None:
    """Until every row reads READY (the workflow found the consent and recorded it)."""

    def count_ready() -> int:
        with session_scope(stack.settings) as session:
            return int(
                session.exec(
                    select(func.count())
                    .select_from(Negotiation)
                    .where(
                        col(Negotiation.id).in_(negotiation_ids),
                        Negotiation.state == NegotiationState.READY.value,
                    )
                ).one()
            )

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while (ready := await asyncio.to_thread(count_ready)) < len(negotiation_ids):
        stack.check_alive()
        if time.monotonic() > deadline:
            raise BenchFailure(
                f"only {ready} of {len(negotiation_ids)} negotiations READY after "
                f"{READY_TIMEOUT_SECONDS:.0f} s; end of the worker's log:\n"
                + stack.worker.log_tail()
            )
        await asyncio.sleep(0.2)


def _actor(stack: LiveStack) -> str:
    with session_scope(stack.settings) as session:
        staff = session.exec(select(StaffUser).where(StaffUser.email == STAFF_EMAIL)).one()
        return f"staff:{staff.id}"


class OfferDriver:
    """Sends the offers of `offers` (item n = offers[n]) and notes when each email arrived."""

    def __init__(self, stack: LiveStack, client: Client, actor: str) -> None:
        self.stack = stack
        self.client = client
        self.actor = actor
        self.email_seconds: list[float] = []
        self.arrivals: list[float] = []

    def item(self, offers: list[ReadyOffer]) -> Callable[[int], Awaitable[float]]:
        async def send(number: int) -> float:
            offer = offers[number]
            handle = self.client.get_workflow_handle(offer.workflow_id)
            began = time.perf_counter()
            state = await handle.execute_update(
                SEND_OFFER_UPDATE,
                SendOffer(offer.offer_id, self.actor, offer.offer.staged_write_id),
                result_type=str,
            )
            done = time.perf_counter()
            if state != NegotiationState.AWAITING_REPLY.value:
                raise BenchFailure(f"send_offer on {offer.workflow_id} returned {state!r}")
            message_id = message_id_for(
                f"{offer.workflow_id}:offer:{offer.offer_id}", self.stack.settings
            )
            try:
                # Already there: the update returns only once the email was accepted.
                arrived = await self.stack.mailbox.arrival(message_id, ITEM_TIMEOUT_SECONDS)
            except TimeoutError:
                self.stack.check_alive()
                raise BenchFailure(
                    f"no offer email {message_id} for {offer.workflow_id}; end of the "
                    "worker's log:\n" + self.stack.worker.log_tail()
                ) from None
            self.email_seconds.append(arrived - began)
            self.arrivals.append(arrived)
            return done

        return send


def _offers_in_ledger(stack: LiveStack, negotiation_ids: list[str]) -> int:
    with session_scope(stack.settings) as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(SharingLedgerEntry)
                .where(
                    col(SharingLedgerEntry.negotiation_id).in_(negotiation_ids),
                    SharingLedgerEntry.message_kind == MessageKind.OFFER.value,
                )
            ).one()
        )


async def measure_negotiations(
    stack: LiveStack, baseline: Baseline, count: int, concurrency: int, warmup: int
) -> NegotiationResult:
    say(f"negotiation: seeding {warmup + count} READY negotiations with consent and offer")
    began_seed = time.perf_counter()
    offers = await prepare_offers(stack, warmup + count, concurrency)
    seed_seconds = time.perf_counter() - began_seed
    say(f"negotiation: seeded in {seed_seconds:.1f} s")
    driver = OfferDriver(stack, stack.client, await asyncio.to_thread(_actor, stack))
    say(f"negotiation: {warmup} warm-up + {count} send_offer updates, C={concurrency}")
    await closed_loop(warmup, concurrency, driver.item(offers[:warmup]))
    driver.email_seconds.clear()
    driver.arrivals.clear()
    began = time.perf_counter()
    rate, update_seconds = await closed_loop(count, concurrency, driver.item(offers[warmup:]))
    all_emails = max(driver.arrivals) - began if driver.arrivals else 0.0
    say(f"negotiation: {rate:.1f} offers/s, all offer emails in {all_emails:.2f} s")
    ids = [offer.negotiation.negotiation_id for offer in offers]
    in_ledger = await asyncio.to_thread(_offers_in_ledger, stack, ids)
    if in_ledger != len(offers):
        raise BenchFailure(f"{in_ledger} offer ledger entries for {len(offers)} offers sent")
    stack.check_alive()
    return NegotiationResult(
        count=count,
        concurrency=concurrency,
        warmup=warmup,
        baseline_per_second=baseline.per_second,
        baseline_latency=baseline.latency,
        offers_per_second=rate,
        update_latency=Latency.of_seconds(update_seconds),
        email_latency=Latency.of_seconds(driver.email_seconds),
        all_emails_seconds=all_emails,
        offer_emails_received=len(driver.arrivals),
        seed_seconds=seed_seconds,
    )
