"""Staff sessions: sign-in, CSRF on form posts, idle and absolute timeouts, cookie flags,
security headers, open-redirect guard."""

from __future__ import annotations

import json
import time
from base64 import b64encode
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from support.webapp import PASSWORD, Staff, audit_entries, offline

from config.settings import Settings
from models.staff import Role, StaffUser
from web.app import SESSION_COOKIE, create_app
from web.auth import CurrentStaff, require_api_role, require_role
from web.csrf import CsrfProtected, csrf_token


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
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
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


def test_idle_and_absolute_timeouts(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    now = time.time()
    idle = web_settings.session_idle_minutes * 60
    absolute = web_settings.session_absolute_hours * 3600
    cases = [
        ({"auth_at": now - 60, "seen": now - 30}, 200),
        ({"auth_at": now - 60, "seen": now - idle - 5}, 303),
        ({"auth_at": now - absolute - 5, "seen": now - 5}, 303),
    ]
    for times, expected in cases:
        cookie = forged_cookie(web_settings, {"uid": staff.case_worker.id, **times})
        probe_client.cookies.clear()
        probe_client.cookies.set(SESSION_COOKIE, cookie)
        response = probe_client.get("/probe/me", follow_redirects=False)
        assert response.status_code == expected, times
        if expected == 303:
            assert response.headers["location"] == "/login?next=/probe/me&expired=1"
    # Activity pushes the idle deadline: the cookie is re-issued with a fresh "seen".
    cookie = forged_cookie(
        web_settings, {"uid": staff.case_worker.id, "auth_at": now - 60, "seen": now - 600}
    )
    probe_client.cookies.clear()
    probe_client.cookies.set(SESSION_COOKIE, cookie)
    response = probe_client.get("/probe/me")
    assert response.status_code == 200
    reissued = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    assert reissued != cookie


def test_a_forged_session_signature_is_ignored(
    probe_client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    other = web_settings.model_copy(update={"session_secret": "not-the-secret"})
    now = time.time()
    cookie = forged_cookie(other, {"uid": staff.admin.id, "auth_at": now, "seen": now})
    probe_client.cookies.set(SESSION_COOKIE, cookie)
    assert probe_client.get("/probe/me", follow_redirects=False).status_code == 303


def test_logout_needs_csrf_then_ends_the_session(probe_client: TestClient, staff: Staff) -> None:
    sign_in(probe_client, staff.case_worker)
    assert probe_client.post("/logout", follow_redirects=False).status_code == 403
    assert probe_client.get("/probe/me").status_code == 200
    token = probe_client.get("/probe/csrf").json()
    response = probe_client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert probe_client.get("/probe/me", follow_redirects=False).status_code == 303


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
