"""Sending an offer from the dossier page: the card's form shows the preview of exactly what
the creditor will receive (the message the sending activity builds), and only the
confirmation of that preview sends; a preview made stale by a change is refused."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.negotiation import NegotiationSeed, give_consent, paris_today, seed_negotiations
from support.webapp import audit_entries, count, sign_in

from activities.contracts.negotiation import CreditorMessage
from activities.creditor_messages import CreditorMessageActivities
from config.settings import Settings
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.negotiation.states import NegotiationState
from models.database import session_scope
from models.negotiation import Negotiation, NegotiationOffer
from models.staff import StaffUser
from rendering.creditor_message import render_creditor_email
from services.negotiations.offer_preview import CHANGED

FINGERPRINT = re.compile(r'name="fingerprint" value="([0-9a-f]{64})"')


def offer_form(**overrides: str) -> dict[str, str]:
    today = paris_today()
    form = {
        "offer_type": "payment_plan",
        "amount": "1 234,50",
        "instalments": "13",
        "instalment_amount": "95",
        "first_due_date": (today + timedelta(days=40)).strftime("%d/%m/%Y"),
        "valid_until": (today + timedelta(days=30)).strftime("%d/%m/%Y"),
    }
    form.update(overrides)
    return form


@pytest.fixture
def seed(web_settings: Settings) -> NegotiationSeed:
    seed = seed_negotiations(web_settings, creditors=1)
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state = NegotiationState.READY.value
        session.add(row)
    return seed


@pytest.fixture
def token(client: TestClient, web_settings: Settings, seed: NegotiationSeed) -> str:
    with session_scope(web_settings) as session:
        user = session.get(StaffUser, seed.staff_id)
        assert user is not None
    return sign_in(client, user)


def _url(seed: NegotiationSeed, action: str) -> str:
    return f"/dossiers/{seed.dossier_id}/negociations/{seed.negotiation_ids[0]}/{action}"


def test_the_card_shows_a_preview_and_sends_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, token: str
) -> None:
    dossier = html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text)
    assert "Voir ce que le créancier recevra" in dossier
    assert "Envoyer l'offre au créancier" not in dossier

    preview = client.post(_url(seed, "offre"), data={"csrf_token": token, **offer_form()})
    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert "Vérifier l'offre avant envoi" in page
    assert "creditor1@creditors.example" in page
    assert "Données partagées" in page and "Identité" in page
    assert "Montant : 1 234,50" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "Jeanne Dupont" in page  # identity is consented: it is in the message
    assert "12 rue des Lilas" not in page  # contact details are not
    assert f'action="{_url(seed, "offre/confirmer")}"' in page
    assert FINGERPRINT.search(page)
    # Nothing staged, nothing sent.
    assert count(web_settings, NegotiationOffer) == 0
    assert audit_entries(web_settings, "negotiation.offer_drafted") == []

    # "Modifier l'offre": the card again, open, with the terms as typed.
    edit = client.post(_url(seed, "offre"), data={"csrf_token": token, "edit": "1", **offer_form()})
    assert edit.status_code == 200
    assert 'value="1 234,50"' in html.unescape(edit.text)
    assert count(web_settings, NegotiationOffer) == 0


def test_only_the_confirmation_of_the_same_message_sends(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, token: str
) -> None:
    preview = client.post(_url(seed, "offre"), data={"csrf_token": token, **offer_form()})
    match = FINGERPRINT.search(preview.text)
    assert match

    # The terms changed after the preview: refused, nothing staged, the new preview shown.
    changed = client.post(
        _url(seed, "offre/confirmer"),
        data={
            "csrf_token": token,
            "fingerprint": match.group(1),
            **offer_form(amount="1 300", instalment_amount="100"),
        },
    )
    assert changed.status_code == 409
    body = html.unescape(changed.text)
    assert CHANGED in body and "1 300,00" in body.replace("\u202f", " ").replace("\xa0", " ")
    assert count(web_settings, NegotiationOffer) == 0

    # No fingerprint at all (an old page, a forged form): refused the same way.
    bare = client.post(_url(seed, "offre/confirmer"), data={"csrf_token": token, **offer_form()})
    assert bare.status_code == 409 and count(web_settings, NegotiationOffer) == 0

    # The consent changed after the preview: the data shared would differ, refused.
    give_consent(
        web_settings,
        seed.negotiation_ids[0],
        [ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.CONTACT],
    )
    stale = client.post(
        _url(seed, "offre/confirmer"),
        data={"csrf_token": token, "fingerprint": match.group(1), **offer_form()},
    )
    assert stale.status_code == 409 and CHANGED in html.unescape(stale.text)
    assert count(web_settings, NegotiationOffer) == 0
    fresh = FINGERPRINT.search(stale.text)
    assert fresh and fresh.group(1) != match.group(1)

    # Confirmed as previewed: staged and handed to the workflow (unreachable here: 503).
    sent = client.post(
        _url(seed, "offre/confirmer"),
        data={"csrf_token": token, "fingerprint": fresh.group(1), **offer_form()},
    )
    assert sent.status_code == 503
    assert len(audit_entries(web_settings, "negotiation.offer_drafted")) == 1
    with session_scope(web_settings) as session:
        offer = session.exec(select(NegotiationOffer)).one()
    # What the sending activity would send for that offer is the previewed message.
    prepared = CreditorMessageActivities(web_settings)._prepare(
        CreditorMessage(
            negotiation_id=seed.negotiation_ids[0],
            kind=MessageKind.OFFER.value,
            idempotency_key="preview-check",
            offer_id=offer.id,
        )
    )
    assert prepared is not None
    rendered = render_creditor_email(prepared.content, prepared.target.address)
    assert rendered.text in html.unescape(stale.text)
