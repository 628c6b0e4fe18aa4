"""The staff negotiation pages against a real CreditorNegotiationWorkflow (time-skipping test
server, real worker, real SMTP catcher): the workflow's own refusal is shown on the form and
leaves no row behind; accepted actions move the negotiation.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import SQLModel, select
from support.negotiation import NegotiationSeed, seed_negotiations
from support.negotiation_driver import reaches, start_negotiation, today
from support.stack import (
    TEMPORAL_TEST_SERVER,
    TINY_PDF,
    free_port,
    register_search_attributes,
    smtp_catcher,
)
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from web_support import PASSWORD, count

from cravelynos.domain.dossier_stages import DocumentKind
from cravelynos.domain.negotiation.states import NegotiationState
from cravelynos.models.db import engine_for, session_scope
from cravelynos.models.document import Document
from cravelynos.models.negotiation import CreditorReply, Negotiation, NegotiationOffer
from cravelynos.models.staff import StaffUser
from cravelynos.security.codec import make_data_converter
from cravelynos.settings import Settings
from cravelynos.web.app import create_app
from cravelynos.worker import build_worker

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def live_env() -> AsyncIterator[WorkflowEnvironment]:
    """A test server of its own (tests/workflow's fixtures belong to that directory)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEMPORAL_TEST_SERVER
    )
    await register_search_attributes(env.client)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def live_settings(tmp_path: Path) -> Iterator[Settings]:
    """Own database, key ring and SMTP catcher (a real aiosmtpd server)."""
    port = free_port()
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'live.db'}",
        smtp_port=port,
        task_queue=f"dossiers-{tmp_path.name}",
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with smtp_catcher(settings.mailbox_dir, port):
        yield settings


@pytest.fixture
def live_client(live_env: WorkflowEnvironment, live_settings: Settings) -> Client:
    return Client(
        live_env.client.service_client,
        namespace=live_env.client.namespace,
        data_converter=make_data_converter(live_settings),
    )


@asynccontextmanager
async def web(settings: Settings, env: WorkflowEnvironment) -> AsyncIterator[httpx.AsyncClient]:
    """The real app on the same Temporal server, served on this event loop (the worker runs
    here too: a blocking client would starve it)."""
    target = env.client.service_client.config.target_host
    app = create_app(settings.model_copy(update={"temporal_address": target}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def sign_in(client: httpx.AsyncClient, settings: Settings, seed: NegotiationSeed) -> str:
    with session_scope(settings) as session:
        user = session.get(StaffUser, seed.staff_id)
        assert user is not None
    login = CSRF.search((await client.get("/login")).text)
    assert login
    signed = await client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": login.group(1)}
    )
    assert signed.status_code == 303, signed.text
    token = CSRF.search((await client.get(f"/dossiers/{seed.dossier_id}")).text)
    assert token
    return token.group(1)


def set_mirror_state(settings: Settings, negotiation_id: str, state: NegotiationState) -> None:
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state = state.value
        session.add(row)


def reply_documents(settings: Settings) -> int:
    with session_scope(settings) as session:
        return len(
            session.exec(select(Document).where(Document.kind == DocumentKind.CREDITOR_REPLY)).all()
        )


async def test_the_workflow_has_the_last_word_and_a_refused_reply_leaves_nothing(
    live_env: WorkflowEnvironment, live_client: Client, live_settings: Settings
) -> None:
    settings, time_env, wf_client = live_settings, live_env, live_client
    seed = seed_negotiations(settings, creditors=1)
    negotiation_id = seed.negotiation_ids[0]
    base = f"/dossiers/{seed.dossier_id}/negociations/{negotiation_id}"
    async with build_worker(wf_client, settings), web(settings, time_env) as client:
        handle = await start_negotiation(wf_client, settings, seed)
        await reaches(handle, NegotiationState.CONSENT_PENDING)
        token = await sign_in(client, settings, seed)

        given = await client.post(
            f"{base}/consentement/papier",
            data={"csrf_token": token, "categories": ["identity", "contact", "debts"]},
            files={"scan": ("consentement.pdf", TINY_PDF, "application/pdf")},
        )
        assert given.status_code == 303, html.unescape(given.text)
        await reaches(handle, NegotiationState.READY)

        # The page's copy of the state is stale (it says a reply is awaited): the page writes
        # the reply, the workflow's validator refuses it, and everything written goes again.
        set_mirror_state(settings, negotiation_id, NegotiationState.AWAITING_REPLY)
        day = await today(time_env)
        counter = {
            "counter_offer_type": "payment_plan",
            "counter_amount": "1500",
            "counter_instalments": "10",
            "counter_instalment_amount": "150",
            "counter_first_due_date": (day + timedelta(days=40)).strftime("%d/%m/%Y"),
            "counter_valid_until": (day + timedelta(days=20)).strftime("%d/%m/%Y"),
        }
        refused = await client.post(
            f"{base}/reponse",
            data={
                "csrf_token": token,
                "kind": "counter_offer",
                "received_on": day.strftime("%d/%m/%Y"),
                "channel": "post",
                "terms": "Contre-proposition en dix mensualités.",
                **counter,
            },
            files={"attachments": ("reponse.pdf", TINY_PDF, "application/pdf")},
        )
        assert refused.status_code == 409
        page = html.unescape(refused.text)
        # The validator's own message, naming the state the workflow is really in.
        assert "« Prête : offre à préparer »" in page
        assert "Contre-proposition en dix mensualités." in page  # what was typed, kept
        assert (count(settings, CreditorReply), count(settings, NegotiationOffer)) == (0, 0)
        assert reply_documents(settings) == 0
        set_mirror_state(settings, negotiation_id, NegotiationState.READY)

        offer = await client.post(
            f"{base}/offre",
            data={
                "csrf_token": token,
                "offer_type": "payment_plan",
                "amount": "1200",
                "instalments": "12",
                "instalment_amount": "100",
                "first_due_date": (day + timedelta(days=30)).strftime("%d/%m/%Y"),
                "valid_until": (day + timedelta(days=30)).strftime("%d/%m/%Y"),
            },
        )
        assert offer.status_code == 303, html.unescape(offer.text)
        await reaches(handle, NegotiationState.AWAITING_REPLY)

        recorded = await client.post(
            f"{base}/reponse",
            data={
                "csrf_token": token,
                "kind": "counter_offer",
                "received_on": day.strftime("%d/%m/%Y"),
                "channel": "post",
                **counter,
            },
            files={"attachments": ("reponse.pdf", TINY_PDF, "application/pdf")},
        )
        assert recorded.status_code == 303, html.unescape(recorded.text)
        await reaches(handle, NegotiationState.COUNTER_OFFER)
        assert (count(settings, CreditorReply), count(settings, NegotiationOffer)) == (1, 2)
        assert reply_documents(settings) == 1
