"""The client's "J'accepte" on a counter-offer binds them: it first restates the terms and asks
for a confirmation; only the confirmation is sent to the workflow, which emails the client a
receipt (real SMTP catcher) once; a replayed confirmation changes nothing and sends nothing."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, func, select
from support.live_web import live_web
from support.negotiation import NegotiationSeed, draft_offer, give_consent, seed_negotiations
from support.negotiation_driver import (
    consent,
    offer,
    own_test_server,
    reaches,
    reply,
    send_offer,
    start_negotiation,
    today,
    wait_delivered,
)
from support.stack import received
from support.webapp import audit_entries
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.clock import utcnow
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState
from models.database import session_scope
from models.negotiation import Negotiation, NegotiationOffer
from models.outbox import OutboxEmail
from rendering.labels import day as label_day
from rendering.labels import eur
from security.negotiation_links import DECISION_LINK_PATH, decision_link_token
from worker import build_worker

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CONFIRM = "Je confirme : j'accepte cette contre-proposition"
CLIENT = "client@example.org"


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """This module's own server (see own_test_server); wf_client connects to it."""
    async with own_test_server() as env:
        yield env


def _decision_url(settings: Settings, offer_id: str) -> str:
    return f"{DECISION_LINK_PATH}/{decision_link_token(settings, offer_id)}"


def _pending_counter(settings: Settings, seed: NegotiationSeed) -> str:
    """A creditor's counter-offer awaiting the client's decision (rows only, no workflow)."""
    negotiation_id = seed.negotiation_ids[0]
    give_consent(settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    draft_offer(settings, negotiation_id, amount="1200.00")
    counter = draft_offer(
        settings,
        negotiation_id,
        made_by="creditor",
        amount="1450.00",
        instalments=10,
        instalment_amount="145.00",
    )
    with session_scope(settings) as session:
        row = session.get(NegotiationOffer, counter)
        assert row is not None
        row.status, row.decision_deadline = "sent", utcnow() + timedelta(days=5)
        session.add(row)
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None
        negotiation.state, negotiation.round = NegotiationState.COUNTER_OFFER.value, 1
        session.add(negotiation)
    return counter


def _offers(settings: Settings) -> list[tuple[str, str, str | None]]:
    with session_scope(settings) as session:
        rows = session.exec(select(NegotiationOffer).order_by(col(NegotiationOffer.id))).all()
        return [(o.id, o.status, o.client_decision) for o in rows]


def test_accepting_first_restates_the_terms_and_changes_nothing(
    client: TestClient, web_settings: Settings
) -> None:
    seed = seed_negotiations(web_settings, creditors=1)
    counter = _pending_counter(web_settings, seed)
    url = _decision_url(web_settings, counter)
    nonce = NONCE.search(client.get(url).text)
    assert nonce
    before = _offers(web_settings)

    asked = client.post(url, data={"nonce": nonce.group(1), "decision": "accept"})
    assert asked.status_code == 200
    text = html.unescape(asked.text)
    assert "Confirmez votre acceptation" in text and "l'accord vous engagera" in text
    assert f"pour un montant total de {eur('1450.00')}" in text
    assert f"10 échéances de {eur('145.00')}, la première le" in text
    assert "Contre-proposition valable jusqu'au" in text
    assert CONFIRM in text and 'name="confirmed" value="1"' in text
    assert "Revenir sans décider" in text
    # Nothing was decided: no offer changed, no decision audited.
    assert _offers(web_settings) == before
    assert audit_entries(web_settings, "offer.client_decision") == []


async def test_the_confirmation_accepts_once_and_the_client_gets_one_receipt(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    settings = wf_settings
    seed = seed_negotiations(settings, creditors=1)
    async with build_worker(wf_client, settings), live_web(settings, time_env) as client:
        handle = await start_negotiation(wf_client, settings, seed)
        await consent(handle, settings, seed)
        await send_offer(handle, time_env, settings, seed)
        day = await today(time_env)
        counter = draft_offer(
            settings,
            seed.negotiation_ids[0],
            made_by="creditor",
            amount="1500.00",
            instalments=3,
            instalment_amount="500.00",
            valid_until=day + timedelta(days=30),
            first_due_date=day + timedelta(days=25),
        )
        state = await reply(handle, settings, seed, "counter_offer", counter_offer_id=counter)
        assert state == NegotiationState.COUNTER_OFFER
        before = await wait_delivered(settings, CLIENT, 4)
        assert before[-1] == "negotiation_counter_offer"

        url = _decision_url(settings, counter)
        nonce = NONCE.search((await client.get(url)).text)
        assert nonce
        asked = await client.post(url, data={"nonce": nonce.group(1), "decision": "accept"})
        assert asked.status_code == 200 and CONFIRM in html.unescape(asked.text)
        assert offer(settings, counter).client_decision is None

        confirmed = {"nonce": nonce.group(1), "decision": "accept", "confirmed": "1"}
        done = await client.post(url, data=confirmed)
        assert done.status_code == 200, html.unescape(done.text)
        assert "vous avez accepté cette contre-proposition" in html.unescape(done.text)
        await reaches(handle, NegotiationState.AGREEMENT_PENDING)
        accepted = offer(settings, counter)
        assert accepted.client_decision == "accepted" and accepted.client_decided_at

        # The receipt, at the real SMTP server: what was accepted and when, in French.
        delivered = await wait_delivered(settings, CLIENT, 5)
        assert delivered == [*before, "negotiation_counter_accepted"]
        message = [m for m in received(settings) if CLIENT in m.recipients][-1]
        assert "reçu de votre acceptation (Banque Exemple 1)" in message.subject
        body = message.text
        assert "Nous avons bien enregistré votre acceptation de la contre-proposition" in body
        assert "Échéancier de remboursement, en 3 échéances" in body
        assert f"Première échéance : le {label_day(day + timedelta(days=25))}" in body
        assert "1 500" not in body and "500,00" not in body  # no amount in an email

        # Replayed: the link and its form are refused, nothing is decided or sent again.
        again = await client.post(url, data=confirmed)
        assert again.status_code == 409
        assert "Réponse déjà enregistrée" in html.unescape(again.text)
        assert (await client.get(url)).status_code == 409
        assert _receipts(settings) == 1
        assert offer(settings, counter).client_decided_at == accepted.client_decided_at


def _receipts(settings: Settings) -> int:
    with session_scope(settings) as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(OutboxEmail)
                .where(OutboxEmail.template == "negotiation_counter_accepted")
            ).one()
        )
