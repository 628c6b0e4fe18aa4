"""Inputs that once gave a 500: numbers past 64 bits, Unicode digits that `str.isdigit` accepts and
`int` refuses (or silently converts), lone surrogates in JSON. Each is refused clearly, and
nothing changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from support.webapp import Staff, dossier_payload, sign_in

from config.settings import Settings

Auth = Callable[..., dict[str, str]]
TOO_BIG = str(2**63)
HOSTILE_NUMBERS = [TOO_BIG, "9" * 40, "²", "١", "-1", "0x10"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_api_query_numbers(client: TestClient, staff: Staff, auth: Auth, value: str) -> None:
    for name in ("assignee_id", "page", "per_page"):
        response = client.get(
            "/api/v1/dossiers", params={name: value}, headers=auth(staff.case_worker)
        )
        assert response.status_code == 422, (name, response.text)
        assert response.json()["detail"][0]["field"] == name


@pytest.mark.parametrize("value", [*HOSTILE_NUMBERS, " 1"])
def test_list_page_numbers_fall_back(client: TestClient, staff: Staff, value: str) -> None:
    sign_in(client, staff.case_worker)
    for name in ("assignee", "page"):
        response = client.get("/dossiers", params={name: value})
        assert response.status_code == 200, (name, response.text)


@pytest.mark.parametrize("value", [TOO_BIG, "9" * 40, "²", "١"])
def test_directory_ids_out_of_range_are_not_found(
    client: TestClient, staff: Staff, value: str
) -> None:
    csrf = sign_in(client, staff.admin)
    assert client.get(f"/creanciers/{value}/modifier").status_code in (404, 422)
    deleted = client.post(f"/allowances/{value}/delete", data={"csrf_token": csrf})
    assert deleted.status_code in (404, 422), deleted.text
    edited = client.post(f"/creanciers/{value}/modifier", data={"csrf_token": csrf})
    assert edited.status_code in (404, 422), edited.text


def test_lone_surrogates_in_json_are_refused_by_field(
    client: TestClient, staff: Staff, auth: Auth
) -> None:
    body = '{"first_name": "Jea\\ud800nne", "last_name": "Dupont", "email": "x\\udfff@exemple.fr"}'
    response = client.post(
        "/api/v1/dossiers",
        content=body,
        headers={**auth(staff.case_worker), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    fields = {e["field"] for e in response.json()["detail"]}
    assert {"first_name", "email"} <= fields


def test_a_lone_surrogate_anywhere_in_a_full_payload(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    import json

    payload = json.dumps(dossier_payload(address="1 rue X\n75011 Paris"))
    payload = payload.replace("Paris", "Par\\ud83dis")
    response = client.post(
        "/api/v1/dossiers",
        content=payload,
        headers={**auth(staff.case_worker), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == "address"


def test_a_wrong_method_names_every_method_the_path_serves(client: TestClient) -> None:
    listing = client.put("/api/v1/dossiers")
    assert listing.status_code == 405
    assert listing.headers["allow"] == "GET, POST"
    hold = client.put("/api/v1/dossiers/abc/legal-hold")
    assert hold.status_code == 405
    assert hold.headers["allow"] == "POST, DELETE"
