"""API authentication: OAuth2 password flow, bearer tokens, 401s, rate limiting, OpenAPI."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from support.webapp import PASSWORD, Staff, audit_entries, offline

from config.settings import Settings
from models.database import session_scope
from models.staff import StaffUser
from security.tokens import sign_token
from web.app import create_app
from web.auth import issue_api_token


def test_token_then_me(client: TestClient, staff: Staff, web_settings: Settings) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data={"username": "ALICE@cravelynos.example ", "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == web_settings.api_token_minutes * 60
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "id": staff.case_worker.id,
        "email": "alice@cravelynos.example",
        "display_name": "Alice Martin",
        "role": "case_worker",
        "team": "paris",
    }
    logins = audit_entries(web_settings, "auth.login")
    assert [e.object_id for e in logins] == [str(staff.case_worker.id)]


def test_wrong_password_is_401_and_audited_without_the_email(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": staff.case_worker.email, "password": "nope"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "detail": [{"field": None, "message": "Adresse e-mail ou mot de passe incorrect."}]
    }
    [failed] = audit_entries(web_settings, "auth.login_failed")
    assert failed.object_id == str(staff.case_worker.id)
    assert "alice" not in failed.detail + failed.reason


def test_missing_token_field_is_reported_by_name(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "x@y.fr"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "password", "message": "Ce champ est obligatoire."}
    ]


def test_endpoints_need_a_bearer_token(client: TestClient, staff: Staff) -> None:
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/dossiers"),
        ("POST", "/api/v1/dossiers"),
        ("GET", "/api/v1/dossiers/abc"),
        ("GET", "/api/v1/documents/abc"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        [error] = response.json()["detail"]
        assert error["field"] is None
        assert "Authorization: Bearer" in error["message"]


def test_bad_expired_and_foreign_tokens_are_refused(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    def me(token: str) -> tuple[int, str]:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.json()["detail"][0]["message"]

    assert me("garbage") == (401, "Jeton invalide.")
    # Signed for another purpose (e.g. an email link): never accepted as an API token.
    assert me(sign_token("email-link", {"uid": staff.admin.id}, web_settings))[0] == 401
    # An app whose tokens live less than no time: any token it reads has expired.
    expired_settings = web_settings.model_copy(update={"api_token_minutes": -1})
    with TestClient(create_app(expired_settings)) as other:
        token = issue_api_token(expired_settings, staff.admin)
        response = other.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"][0]["message"].startswith("Jeton expiré")


def test_deactivated_account_loses_access_at_once(
    client: TestClient, staff: Staff, web_settings: Settings, auth: Callable[..., dict[str, str]]
) -> None:
    headers = auth(staff.colleague)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with session_scope(web_settings) as session:
        user = session.get(StaffUser, staff.colleague.id)
        assert user is not None
        user.active = False
        session.add(user)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401


def test_login_attempts_are_rate_limited(settings: Settings, staff: Staff) -> None:
    limited = offline(settings, login_attempts_per_minute=3)
    with TestClient(create_app(limited)) as client:
        codes = [
            client.post(
                "/api/v1/auth/token", data={"username": staff.dpo.email, "password": "bad"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        # The right password does not get through while the account is locked out.
        response = client.post(
            "/api/v1/auth/token", data={"username": staff.dpo.email, "password": PASSWORD}
        )
        assert response.status_code == 429
        assert response.headers["retry-after"]
        assert "Trop de tentatives" in response.json()["detail"][0]["message"]
        # Another account from the same address is counted on its own.
        other = client.post(
            "/api/v1/auth/token", data={"username": staff.ops.email, "password": PASSWORD}
        )
        assert other.status_code == 200


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{dossier_id}",
        "/api/v1/dossiers/{dossier_id}/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/dossiers/{dossier_id}/close",
        "/api/v1/dossiers/{dossier_id}/legal-hold",
        "/api/v1/dossiers/{dossier_id}/timeline",
        "/api/v1/dossiers/{dossier_id}/status",
    ):
        assert path in paths, path
    # Pages, login and the codec stay out of the API description.
    assert not [p for p in paths if not p.startswith("/api/v1/")]
    security = schema.json()["components"]["securitySchemes"]
    assert security["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == (
        "/api/v1/auth/token"
    )
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower() and "cdn." not in docs.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200


def test_unknown_api_path_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {
        "detail": [{"field": None, "message": "Cette adresse n'existe pas."}]
    }
