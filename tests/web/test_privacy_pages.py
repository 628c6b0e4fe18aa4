"""The DPO's pages for data-subject requests, with Temporal unreachable: recording a request
from a letter keeps what was typed when refused, the queue shows what is late, and a refused
action shows its reason on the request's page without losing what was typed."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from support.webapp import Staff, count, seed_dossier, sign_in

from config.settings import Settings
from models.privacy_request import PrivacyRequest

FORM_TOKEN = re.compile(r'name="request_token" value="([^"]+)"')


def _record(client: TestClient, token: str, **fields: object) -> object:
    page = client.get("/privacy-requests/new")
    form_token = FORM_TOKEN.search(page.text)
    assert form_token
    data = {
        "csrf_token": token,
        "request_token": form_token.group(1),
        "rights": ["access"],
        "email": "ines.moreau@example.org",
        "channel": "letter",
        "received_at": "2026-11-30T10:15",
        **fields,
    }
    return client.post("/privacy-requests/new", data=data, follow_redirects=False)


def test_a_letter_is_recorded_with_its_day_of_receipt_in_paris(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.dpo)
    response = _record(client, token, rights=["access", "erasure"])
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    page = html.unescape(client.get(response.headers["location"]).text)  # type: ignore[attr-defined]
    assert "enregistrée : le délai court depuis sa réception" in page
    assert "30 novembre 2026 à 10 h 15" in page  # Paris time, as typed
    assert "30 décembre 2026</time>, 23 h 59 (heure de Paris)" in page
    assert "ines.moreau@example.org" in page
    assert "Droit d'accès" in page and "Droit à l'effacement" in page
    queue = html.unescape(client.get("/privacy-requests").text)
    assert "DP-2026-00001" in queue


def test_a_refused_form_comes_back_as_typed_with_each_problem_named(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    response = _record(
        client, token, rights=[], email="pas-une-adresse", received_at="2999-01-01T09:00"
    )
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = html.unescape(response.text)  # type: ignore[attr-defined]
    assert "Droits demandés : Cochez au moins un droit." in page
    assert 'value="pas-une-adresse"' in page
    assert 'value="2999-01-01T09:00"' in page
    # A later problem is only found once the first ones are fixed: receipt in the future.
    again = _record(client, token, received_at="2999-01-01T09:00")
    assert "ne peut pas être dans le futur" in html.unescape(again.text)  # type: ignore[attr-defined]
    assert count(web_settings, PrivacyRequest) == 0


def test_the_form_opened_from_a_dossier_names_its_client_and_sends_the_form_twice_once(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    dossier = seed_dossier(web_settings, staff.case_worker)
    page = client.get(f"/privacy-requests/new?client={dossier.client_id}")
    assert dossier.reference in page.text
    form_token = FORM_TOKEN.search(page.text)
    assert form_token
    data = {
        "csrf_token": token,
        "request_token": form_token.group(1),
        "rights": ["rectification"],
        "client_id": dossier.client_id,
        "channel": "email",
        "received_at": "2026-12-01T08:00",
    }
    first = client.post("/privacy-requests/new", data=data, follow_redirects=False)
    second = client.post("/privacy-requests/new", data=data, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"]
    assert count(web_settings, PrivacyRequest) == 1
    # Another team's case worker can neither open the form for this client nor the request.
    client.cookies.clear()
    sign_in(client, staff.other_team)
    assert client.get(f"/privacy-requests/new?client={dossier.client_id}").status_code == 403
    assert client.get(first.headers["location"]).status_code == 403


def test_a_refused_action_keeps_what_was_typed_and_its_url_leads_back(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.dpo)
    url = _record(client, token).headers["location"]  # type: ignore[attr-defined]
    reason = "Nous devons rassembler 14 000 courriels."
    refused = client.post(
        f"{url}/extend", data={"csrf_token": token, "months": "3", "reason": reason}
    )
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert 'id="action-error"' in page and "autofocus" in page
    assert reason in page
    down = client.post(f"{url}/extend", data={"csrf_token": token, "months": "2", "reason": reason})
    assert down.status_code == 503
    assert "rien n'a été modifié" in html.unescape(down.text)
    # A reload of the action's URL (a GET) goes back to the page rather than to a 405.
    back = client.get(f"{url}/extend", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == url
    # A request of someone who is not a client belongs to the team of who recorded it (the
    # DPO's): a supervisor of another team neither reads it nor acts on it.
    client.cookies.clear()
    supervisor_token = sign_in(client, staff.supervisor)
    assert client.get(url).status_code == 403
    forbidden = client.post(
        f"{url}/decide",
        data={"csrf_token": supervisor_token, "right": "access", "decision": "nope"},
    )
    assert forbidden.status_code == 403
