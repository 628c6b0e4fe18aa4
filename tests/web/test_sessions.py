"""Staff sessions: sign-in, CSRF on form posts, idle and absolute timeouts, cookie flags,
security headers, open-redirect guard."""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from support.webapp import PASSWORD, Staff, audit_entries, offline

from config.settings import Settings
from domain.clock import as_utc, utcnow
from models.database import session_scope
from models.staff import Role, StaffUser
from models.staff_session import SessionKind
from services.staff_accounts import deactivate, set_password
from services.staff_sessions import end_all_sessions, open_session, open_sessions
from web.app import SESSION_COOKIE, create_app
from web.auth import CurrentStaff, require_api_role, require_role
from web.csrf import CsrfProtected, csrf_token
from web.rate_limit import DEVICE_COOKIE


def add_probe_routes(app: FastAPI) -> None:
    """A page needing a session, a form post needing CSRF, and the token to post with."""

    @app.get("/probe/csrf")
    def issue(request: Request) -> str:
        return csrf_token(request)

    @app.get("/probe/me")
    def me(staff: CurrentStaff) -> dict[str, object]:
        return {"id": staff.id}

    @app.post("/probe/form")
    def form(staff: CurrentStaff, _csrf: CsrfProtected) -> dict[str, bool]:
        return {"saved": True}


@pytest.fixture
def probe_client(app: FastAPI) -> TestClient:
    add_probe_routes(app)
    return TestClient(app)


def sign_in(client: TestClient, user: StaffUser, next_url: str = "") -> httpx.Response:
    token = client.get("/probe/csrf").json()
    return client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def forged_cookie(settings: Settings, session: dict[str, object]) -> str:
    """A session cookie as SessionMiddleware signs it, with chosen timestamps."""
    data = b64encode(json.dumps(session).encode())
    return TimestampSigner(settings.session_secret).sign(data).decode()


def test_sign_in_sets_a_protected_session(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    response = sign_in(probe_client, staff.case_worker, "/probe/me")
    assert response.status_code == 303
    assert response.headers["location"] == "/probe/me"
    cookies = [c.lower() for c in response.headers.get_list("set-cookie")]
    [cookie] = [c for c in cookies if c.startswith(f"{SESSION_COOKIE}=")]
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    # The browser is now known for this account (login limits never lock it out).
    [device] = [c for c in cookies if c.startswith(f"{DEVICE_COOKIE}=")]
    assert "httponly" in device and "max-age=15552000" in device
    assert probe_client.get("/probe/me").json() == {"id": staff.case_worker.id}
    assert [e.object_id for e in audit_entries(web_settings, "auth.login")] == [
        str(staff.case_worker.id)
    ]


def test_pages_redirect_to_login_without_a_session(probe_client: TestClient) -> None:
    response = probe_client.get("/probe/me?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/probe/me%3Fx%3D1"


def test_open_redirects_are_neutralised(probe_client: TestClient, staff: Staff) -> None:
    for target in ("//evil.example/x", "https://evil.example", "/\\evil.example", ""):
        probe_client.cookies.clear()
        response = sign_in(probe_client, staff.case_worker, target)
        assert response.headers["location"] == "/", target


def test_form_posts_need_the_session_csrf_token(
    probe_client: TestClient, staff: Staff, app: FastAPI
) -> None:
    sign_in(probe_client, staff.case_worker)
    missing = probe_client.post("/probe/form", data={"x": "1"})
    assert missing.status_code == 403
    assert "Rechargez la page" in missing.text
    wrong = probe_client.post("/probe/form", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    token = probe_client.get("/probe/csrf").json()
    assert probe_client.post("/probe/form", data={"csrf_token": token}).json() == {"saved": True}
    # A script may send it as a header instead.
    assert probe_client.post("/probe/form", headers={"X-CSRF-Token": token}).status_code == 200
    # The right token from a foreign page is still refused.
    foreign = probe_client.post(
        "/probe/form", data={"csrf_token": token}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403


def test_login_itself_needs_the_csrf_token(probe_client: TestClient, staff: Staff) -> None:
    response = probe_client.post(
        "/login",
        data={"email": staff.case_worker.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers or "uid" not in response.headers["set-cookie"]


def _age_sessions(settings: Settings, user: StaffUser, **ago: timedelta) -> None:
    """Move the account's open sessions back in time: created_at / last_seen_at."""
    now = utcnow()
    with session_scope(settings) as session:
        for row in open_sessions(session, user.id or 0):
            for column, delta in ago.items():
                setattr(row, column, now - delta)
            session.add(row)


def test_idle_and_absolute_timeouts(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    idle = timedelta(minutes=web_settings.session_idle_minutes)
    absolute = timedelta(hours=web_settings.session_absolute_hours)
    cases = [
        ({"created_at": timedelta(minutes=1), "last_seen_at": timedelta(seconds=30)}, 200),
        ({"created_at": timedelta(hours=1), "last_seen_at": idle + timedelta(seconds=5)}, 303),
        ({"created_at": absolute + timedelta(seconds=5), "last_seen_at": timedelta(0)}, 303),
    ]
    for ago, expected in cases:
        probe_client.cookies.clear()
        sign_in(probe_client, staff.case_worker)
        _age_sessions(web_settings, staff.case_worker, **ago)
        response = probe_client.get("/probe/me", follow_redirects=False)
        assert response.status_code == expected, ago
        if expected == 303:
            assert response.headers["location"] == "/login?next=/probe/me&expired=1"
    # Activity pushes the idle deadline: a page seen 10 minutes ago is seen again now.
    with session_scope(web_settings) as session:
        end_all_sessions(session, staff.case_worker.id or 0, "test")
    probe_client.cookies.clear()
    sign_in(probe_client, staff.case_worker)
    _age_sessions(web_settings, staff.case_worker, last_seen_at=timedelta(minutes=10))
    assert probe_client.get("/probe/me").status_code == 200
    with session_scope(web_settings) as session:
        [row] = open_sessions(session, staff.case_worker.id or 0)
    assert utcnow() - as_utc(row.last_seen_at) < timedelta(minutes=1)


def test_a_forged_session_signature_is_ignored(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    other = web_settings.model_copy(update={"session_secret": "not-the-secret"})
    sign_in(probe_client, staff.admin)
    with session_scope(web_settings) as session:
        secret = open_session(session, staff.admin, SessionKind.PAGE)
    probe_client.cookies.clear()
    probe_client.cookies.set(SESSION_COOKIE, forged_cookie(other, {"sid": secret}))
    assert probe_client.get("/probe/me", follow_redirects=False).status_code == 303
    # The same content signed with the app's secret would open it: the signature is what failed.
    probe_client.cookies.set(SESSION_COOKIE, forged_cookie(web_settings, {"sid": secret}))
    assert probe_client.get("/probe/me", follow_redirects=False).status_code == 200


def test_logout_needs_csrf_then_ends_the_session(probe_client: TestClient, staff: Staff) -> None:
    sign_in(probe_client, staff.case_worker)
    assert probe_client.post("/logout", follow_redirects=False).status_code == 403
    assert probe_client.get("/probe/me").status_code == 200
    token = probe_client.get("/probe/csrf").json()
    response = probe_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert probe_client.get("/probe/me", follow_redirects=False).status_code == 303


def test_a_cookie_copied_before_logout_opens_nothing_after(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(probe_client, staff.case_worker)
    token = probe_client.get("/probe/csrf").json()
    captured = probe_client.cookies.get(SESSION_COOKIE)
    assert captured
    probe_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)

    thief = TestClient(probe_client.app)
    thief.cookies.set(SESSION_COOKIE, captured)
    assert thief.get("/probe/me", follow_redirects=False).status_code == 303
    thief.cookies.set(SESSION_COOKIE, captured)
    refused = thief.post("/probe/form", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code in (303, 403)
    with session_scope(web_settings) as session:
        assert open_sessions(session, staff.case_worker.id or 0) == []


@pytest.mark.parametrize("change", ["password", "deactivation"])
def test_a_password_change_or_a_deactivation_ends_every_session(
    probe_client: TestClient,
    client: TestClient,
    staff: Staff,
    web_settings: Settings,
    auth: Callable[..., dict[str, str]],
    change: str,
) -> None:
    sign_in(probe_client, staff.case_worker)
    other_browser = TestClient(probe_client.app)
    sign_in(other_browser, staff.case_worker)
    api_headers = auth(staff.case_worker)
    assert client.get("/api/v1/me", headers=api_headers).status_code == 200

    with session_scope(web_settings) as session:
        user = session.get(StaffUser, staff.case_worker.id)
        assert user is not None
        if change == "password":
            ended = set_password(
                session, user, "un-tout-nouveau-mot-de-passe", f"staff:{staff.admin.id}"
            )
        else:
            ended = deactivate(session, user, f"staff:{staff.admin.id}")
    assert ended == 3

    for browser in (probe_client, other_browser):
        assert browser.get("/probe/me", follow_redirects=False).status_code == 303
    revoked = client.get("/api/v1/me", headers=api_headers)
    assert revoked.status_code == 401
    assert "révoqué" in revoked.json()["detail"][0]["message"]
    [entry] = audit_entries(web_settings, "auth.sessions_ended")
    assert entry.object_id == str(staff.case_worker.id)


def test_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers
    docs = client.get("/api/v1/docs").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs and "script-src 'self' 'unsafe-inline'" in docs
    assert "http" not in docs, "the docs page must load nothing from another host"


def test_production_adds_hsts_and_secure_cookies(
    tmp_path: Path, settings: Settings, staff: Staff
) -> None:
    production = offline(settings, mode="production", data_dir=tmp_path / "prod")
    app = create_app(production)
    add_probe_routes(app)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/probe/csrf")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("__host-cravelynos_session=")
        assert "secure" in cookie and "httponly" in cookie


def test_role_dependencies_refuse_and_audit(
    app: FastAPI, staff: Staff, web_settings: Settings
) -> None:
    @app.get("/probe/dpo-page")
    def dpo_page(user: Annotated[StaffUser, Depends(require_role(Role.DPO))]) -> dict[str, int]:
        return {"id": user.id or 0}

    @app.get("/api/v1/probe/admin")
    def admin_api(
        user: Annotated[StaffUser, Depends(require_api_role(Role.ADMIN))],
    ) -> dict[str, int]:
        return {"id": user.id or 0}

    add_probe_routes(app)
    with TestClient(app) as client:
        sign_in(client, staff.case_worker)
        refused = client.get("/probe/dpo-page")
        assert refused.status_code == 403
        assert "Votre rôle ne donne pas accès à cette page" in refused.text.replace("&#39;", "'")
        token = client.post(
            "/api/v1/auth/token", data={"username": staff.admin.email, "password": PASSWORD}
        ).json()["access_token"]
        allowed = client.get("/api/v1/probe/admin", headers={"Authorization": f"Bearer {token}"})
        assert allowed.json() == {"id": staff.admin.id}
    [denied] = audit_entries(web_settings, "access.denied")
    assert (denied.object_type, denied.object_id) == ("route", "/probe/dpo-page")
