"""A case worker corrects a client's contact details from the dossier page: checked like intake,
every change through the rectification service (old and new value encrypted, audited), the
creditors that received an old value named; refusals change nothing."""

from __future__ import annotations

import html
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.negotiation import NegotiationSeed, creditor_name, seed_negotiations
from support.webapp import Staff, audit_entries, sign_in

from config.settings import Settings
from domain.clock import utcnow
from models.client import Client
from models.database import session_scope
from models.negotiation import SharingLedgerEntry
from models.privacy_request import PrivacyRectification, RecipientNotice
from models.staff import StaffUser
from security.blind_index import blind_index
from security.datakeys import ClientCipher
from services.dossiers.intake import EMAIL_INDEX

NEW_EMAIL = "jeanne.martin@exemple.fr"


@pytest.fixture
def seed(web_settings: Settings) -> NegotiationSeed:
    seed = seed_negotiations(web_settings, creditors=2)
    with session_scope(web_settings) as session:
        # The first creditor received her identity and contact details with an offer.
        session.add(
            SharingLedgerEntry(
                negotiation_id=seed.negotiation_ids[0],
                dossier_id=seed.dossier_id,
                client_id=seed.client_id,
                creditor_id=seed.creditor_ids[0],
                message_kind="offer",
                categories='["identity", "contact"]',
                document_ids="[]",
                message_key="test-ledger-edit",
                channel="email",
            )
        )
    return seed


def _worker(settings: Settings, seed: NegotiationSeed) -> StaffUser:
    with session_scope(settings) as session:
        user = session.get(StaffUser, seed.staff_id)
        assert user is not None
        return user


def _details(settings: Settings, client_id: str) -> dict[str, str | None]:
    with session_scope(settings) as session:
        client = session.get(Client, client_id)
        assert client is not None
        cipher = ClientCipher.for_client(client, settings)
        names = ("first_name", "last_name", "email", "phone", "address")
        values = {
            n: cipher.decrypt("client", n, client.id, getattr(client, f"{n}_enc")) for n in names
        }
        values["email_bidx"] = client.email_bidx
        return values


def _form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "email": "client@example.org",
        "phone": "06 12 34 56 78",
        "address": "12 rue des Lilas\n75011 Paris",
        "departement": "75",
        "preferred_channel": "email",
        "reason": "",
    }
    form.update(changes)
    return form


def test_the_case_worker_corrects_details_through_the_rectification_service(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    token = sign_in(client, _worker(web_settings, seed))
    url = f"/dossiers/{seed.dossier_id}/coordonnees"
    assert (
        f'href="{url}">Modifier les coordonnées' in client.get(f"/dossiers/{seed.dossier_id}").text
    )

    page = html.unescape(client.get(url).text)
    assert 'value="Jeanne"' in page and 'value="client@example.org"' in page

    done = client.post(
        url,
        data=_form(
            token,
            email=f"  {NEW_EMAIL} ",
            phone="07 98 76 54 32",
            departement="93",
            preferred_channel="phone",
            reason="Nouvelle adresse",
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = _details(web_settings, seed.client_id)
    assert after["email"] == NEW_EMAIL and after["phone"] == "+33798765432"
    assert after["email_bidx"] == blind_index(EMAIL_INDEX, NEW_EMAIL, web_settings)
    assert after["first_name"] == "Jeanne"

    with session_scope(web_settings) as session:
        rows = session.exec(
            select(PrivacyRectification).where(PrivacyRectification.client_id == seed.client_id)
        ).all()
        assert sorted(r.field_name for r in rows) == [
            "departement",
            "email",
            "phone",
            "preferred_channel",
        ]
        client_now = session.get(Client, seed.client_id)
        assert client_now is not None
        assert (client_now.departement, client_now.preferred_channel) == ("93", "phone")
        assert all(r.request_id is None for r in rows)
        client_row = session.get(Client, seed.client_id)
        assert client_row is not None
        cipher = ClientCipher.for_client(client_row, web_settings)
        email_row = next(r for r in rows if r.field_name == "email")
        assert email_row.id is not None
        old = cipher.decrypt(
            "privacy_rectification", "old_value", str(email_row.id), email_row.old_value_enc
        )
        assert old == "client@example.org"
        notices = session.exec(select(RecipientNotice)).all()
        assert {n.creditor_id for n in notices} == {seed.creditor_ids[0]}

    entries = audit_entries(web_settings, "client.rectified")
    assert len(entries) == 4
    assert all(
        NEW_EMAIL not in (e.detail or "") and "client@example" not in (e.detail or "")
        for e in entries
    )
    assert json.loads(entries[0].detail or "{}")["recipients"] == 1

    dossier_page = html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text)
    assert (
        "Coordonnées enregistrées : Adresse e-mail, Téléphone, Département, Moyen de contact "
        "préféré." in dossier_page
    )
    assert f"{creditor_name(1)} (adresse e-mail, téléphone)" in dossier_page
    assert creditor_name(2) not in dossier_page.split("ont reçu l'ancienne valeur")[1][:300]

    # Saving the same values again changes nothing.
    same = client.post(
        url,
        data=_form(
            token,
            email=NEW_EMAIL,
            phone="07 98 76 54 32",
            departement="93",
            preferred_channel="phone",
        ),
    )
    assert "Aucune coordonnée n'a changé" in html.unescape(same.text)
    assert len(audit_entries(web_settings, "client.rectified")) == 4


def test_invalid_values_are_refused_and_kept(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    token = sign_in(client, _worker(web_settings, seed))
    before = _details(web_settings, seed.client_id)
    refused = client.post(
        f"/dossiers/{seed.dossier_id}/coordonnees",
        data=_form(
            token, email="jeanne@", phone="12", address="", departement="99", preferred_channel="x"
        ),
    )
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Adresse e-mail : Adresse e-mail invalide" in text
    assert "Téléphone : Numéro de téléphone invalide" in text
    assert "Adresse postale :" in text
    assert "Département : Département invalide" in text
    assert "Moyen de contact préféré :" in text
    assert 'value="jeanne@"' in text and 'value="12"' in text
    assert _details(web_settings, seed.client_id) == before
    assert audit_entries(web_settings, "client.rectified") == []


def test_another_team_and_an_erased_client_are_refused(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, staff: Staff
) -> None:
    url = f"/dossiers/{seed.dossier_id}/coordonnees"
    token = sign_in(client, staff.other_team)
    assert client.get(url).status_code == 403
    assert client.post(url, data=_form(token, email=NEW_EMAIL)).status_code == 403
    assert _details(web_settings, seed.client_id)["email"] == "client@example.org"

    client.cookies.clear()
    token = sign_in(client, _worker(web_settings, seed))
    with session_scope(web_settings) as session:
        row = session.get(Client, seed.client_id)
        assert row is not None
        row.erased_at = utcnow()
        session.add(row)
    refused = client.post(url, data=_form(token, email=NEW_EMAIL))
    assert refused.status_code == 409
    assert "ont été effacées ou anonymisées" in html.unescape(refused.text)
    assert client.get(url).status_code == 409
    assert _details(web_settings, seed.client_id)["email"] == "client@example.org"
