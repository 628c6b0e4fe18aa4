"""The remote codec endpoint used by the Temporal Web UI: auth, roles, CORS, round trip."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from google.protobuf import json_format
from support.webapp import PASSWORD, Staff, audit_entries
from temporalio.api.common.v1 import Payloads
from temporalio.converter import default

from config.settings import Settings
from web.csrf import csrf_token

Auth = Callable[..., dict[str, str]]
JSON = {"Content-Type": "application/json"}


def plain_payloads() -> dict:
    payloads = default().payload_converter.to_payloads([{"dossier_id": "abc123"}, "closed"])
    return json_format.MessageToDict(Payloads(payloads=payloads))


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_round_trip_with_an_admin_token(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = {**auth(staff.admin), **JSON, "X-Namespace": "default"}
    plain = plain_payloads()
    encoded = client.post("/codec/encode", json=plain, headers=headers)
    assert encoded.status_code == 200, encoded.text
    ciphertext = encoded.json()["payloads"]
    assert len(ciphertext) == 2
    assert ciphertext[0]["metadata"]["encoding"] == b64("binary/encrypted")
    assert "abc123" not in base64.b64decode(ciphertext[0]["data"]).decode("latin-1")

    decoded = client.post("/codec/decode", json={"payloads": ciphertext}, headers=headers)
    assert decoded.status_code == 200
    assert decoded.json() == plain
    [entry] = audit_entries(web_settings, "codec.decode")
    assert (entry.actor, entry.object_id) == (f"staff:{staff.admin.id}", "default")
    assert json.loads(entry.detail) == {"payloads": 2}


def test_authentication_and_roles(client: TestClient, staff: Staff, auth: Auth) -> None:
    body = plain_payloads()
    anonymous = client.post("/codec/decode", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["detail"][0]["message"].startswith("Authentification requise")
    bad = client.post("/codec/decode", json=body, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    for user, code in [
        (staff.case_worker, 403),
        (staff.ops, 403),
        (staff.supervisor, 200),
        (staff.dpo, 200),
    ]:
        response = client.post("/codec/decode", json=body, headers=auth(user))
        assert response.status_code == code, user.role
    wrong_type = client.post(
        "/codec/decode",
        content=json.dumps(body),
        headers={**auth(staff.admin), "Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 403
    garbage = client.post("/codec/decode", json={"payloads": "x"}, headers=auth(staff.admin))
    assert garbage.status_code == 422


def test_cors_for_the_temporal_ui_only(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    ui = web_settings.temporal_ui_url
    preflight = client.options(
        "/codec/decode",
        headers={
            "Origin": ui,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ui
    assert preflight.headers["access-control-allow-credentials"] == "true"
    allowed = preflight.headers["access-control-allow-headers"]
    assert {"content-type", "x-namespace", "authorization"} <= set(allowed.split(", "))
    assert "POST" in preflight.headers["access-control-allow-methods"]

    foreign = client.options(
        "/codec/decode",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert foreign.status_code == 403
    assert "access-control-allow-origin" not in foreign.headers

    decoded = client.post(
        "/codec/decode", json=plain_payloads(), headers={**auth(staff.dpo), "Origin": ui}
    )
    assert decoded.status_code == 200
    assert decoded.headers["access-control-allow-origin"] == ui
    # An error still carries the CORS headers, so the UI can show why.
    refused = client.post("/codec/decode", json=plain_payloads(), headers={"Origin": ui})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ui
    elsewhere = client.post(
        "/codec/decode",
        json=plain_payloads(),
        headers={**auth(staff.dpo), "Origin": "http://evil.example"},
    )
    assert elsewhere.status_code == 403


def test_session_cookie_of_a_signed_in_admin(app: FastAPI, staff: Staff) -> None:
    @app.get("/test-csrf")
    def issue(request: Request) -> str:
        return csrf_token(request)

    with TestClient(app) as client:
        token = client.get("/test-csrf").json()
        login = client.post(
            "/login",
            data={"email": staff.admin.email, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert login.status_code == 303
        decoded = client.post("/codec/decode", json=plain_payloads())
        assert decoded.status_code == 200
