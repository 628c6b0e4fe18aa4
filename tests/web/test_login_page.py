"""The login page (D's template, web/auth.py's handlers): errors, rate limit, messages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from support.webapp import PASSWORD, Staff, offline

from config.settings import Settings
from web.app import create_app


def form_token(client: TestClient, url: str = "/login") -> str:
    page = client.get(url)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def test_login_page_round_trip(client: TestClient, staff: Staff) -> None:
    token = form_token(client, "/login?next=/dossiers/abc")
    assert 'name="next" value="/dossiers/abc"' in client.get("/login?next=/dossiers/abc").text
    wrong = client.post(
        "/login",
        data={"email": staff.supervisor.email, "password": "bad", "csrf_token": token},
    )
    assert wrong.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text
    # What was typed comes back, the password never does.
    assert staff.supervisor.email in wrong.text and "bad" not in re.findall(
        r'value="([^"]*)"', wrong.text
    )
    ok = client.post(
        "/login",
        data={
            "email": staff.supervisor.email,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/dossiers/abc",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/dossiers/abc"
    # Signed in, the login page sends the person on.
    again = client.get("/login", follow_redirects=False)
    assert again.status_code == 303


def test_expired_session_message(client: TestClient) -> None:
    page = client.get("/login?next=/dossiers&expired=1")
    assert "Votre session a expiré" in page.text


def test_login_form_is_rate_limited(settings: Settings, staff: Staff) -> None:
    with TestClient(create_app(offline(settings, login_attempts_per_minute=2))) as client:
        token = form_token(client)
        data = {"email": staff.case_worker.email, "password": "bad", "csrf_token": token}
        codes = [client.post("/login", data=data).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        blocked = client.post("/login", data={**data, "password": PASSWORD})
        assert blocked.status_code == 429
        assert "Trop de tentatives" in blocked.text
        assert int(blocked.headers["retry-after"]) > 0


def test_page_errors_are_html(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Cette adresse n&#39;existe pas." in response.text
