"""The site's rights form, with Temporal unreachable: a request is filed unconfirmed (never in
the DPO's queue before the person confirms), refused input comes back as typed, the same form
sent twice files one request, and a post from elsewhere is refused."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import Staff, count, seed_dossier, sign_in

from config.settings import Settings
from models.database import session_scope
from models.outbox import WorkflowStartIntent
from models.privacy_request import PrivacyRequest
from security.privacy_links import RIGHTS_LINK

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
EMAIL = "lea.public@example.org"


def _nonce(client: TestClient) -> str:
    page = client.get("/droits")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    [nonce] = NONCE.findall(page.text)
    return nonce


def test_a_request_is_filed_unconfirmed_and_waits_for_the_person(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    nonce = _nonce(client)
    data = {"nonce": nonce, "email": EMAIL, "rights": ["access", "erasure"]}
    sent = client.post("/droits", data=data)
    assert sent.status_code == 200
    assert "Vérifiez votre messagerie" in html.unescape(sent.text)
    again = client.post("/droits", data=data)  # the same form, sent twice
    assert again.status_code == 200
    with session_scope(web_settings) as session:
        [row] = session.exec(select(PrivacyRequest)).all()
        assert (row.status, row.channel, row.rights) == (
            "unconfirmed",
            "public_form",
            "access,erasure",
        )
        assert row.email_enc and EMAIL not in row.email_enc
    assert count(web_settings, WorkflowStartIntent) == 1
    # Not a request for the DPO yet: not in the queue, not readable.
    sign_in(client, staff.dpo)
    assert row.reference not in client.get("/privacy-requests?show=all").text
    assert client.get(f"/privacy-requests/{row.id}").status_code == 404


def test_refused_input_comes_back_as_typed_and_files_nothing(
    client: TestClient, web_settings: Settings
) -> None:
    nonce = _nonce(client)
    refused = client.post("/droits", data={"nonce": nonce, "email": "pas-une-adresse"})
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "Droits demandés : Cochez au moins un droit." in page
    assert 'value="pas-une-adresse"' in page
    unknown = client.post("/droits", data={"nonce": nonce, "email": EMAIL, "rights": ["oubli"]})
    assert unknown.status_code == 422 and "Droit inconnu" in html.unescape(unknown.text)
    foreign = client.post(
        "/droits",
        data={"nonce": nonce, "email": EMAIL, "rights": ["access"]},
        headers={"Origin": "https://ailleurs.example"},
    )
    assert foreign.status_code == 403
    forged = client.post("/droits", data={"nonce": "x", "email": EMAIL, "rights": ["access"]})
    assert forged.status_code == 403
    assert count(web_settings, PrivacyRequest) == 0


def test_the_link_of_a_client_email_files_an_identified_request_at_once(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    url = "/droits/lien/" + RIGHTS_LINK.token(web_settings, dossier.client_id)
    page = client.get(url)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    [nonce] = NONCE.findall(page.text)
    refused = client.post(url, data={"nonce": nonce})
    assert refused.status_code == 422
    assert "Cochez au moins un droit." in html.unescape(refused.text)
    filed = client.post(url, data={"nonce": nonce, "rights": ["access"]})
    assert filed.status_code == 200
    text = html.unescape(filed.text)
    assert "enregistrée" in text and "au plus tard le" in text
    again = client.post(url, data={"nonce": nonce, "rights": ["access"]})  # sent twice
    assert again.status_code == 200
    with session_scope(web_settings) as session:
        [row] = session.exec(select(PrivacyRequest)).all()
        assert (row.channel, row.identity, row.status) == ("signed_link", "identified", "open")
        assert row.client_id == dossier.client_id and row.email_enc is None
    assert client.get(url[:-4] + "abcd").status_code == 400  # tampered
