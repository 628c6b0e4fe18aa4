"""Nothing built for one person is kept by a browser or a proxy; the static assets may be."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from support.webapp import Staff, seed_dossier, sign_in

from config.settings import Settings

Auth = Callable[..., dict[str, str]]
PERSONAL_PAGES = [
    "/dossiers/{id}",
    "/dossiers/{id}/budget",
    "/dossiers/{id}/budget/strategy",
    "/dossiers",
    "/dossiers/new",
]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_staff_pages_are_never_stored(
    client: TestClient, staff: Staff, web_settings: Settings, path: str
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.case_worker)
    response = client.get(path.format(id=dossier.id))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


def test_the_api_is_never_stored(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    for path in (f"/api/v1/dossiers/{dossier.id}", "/api/v1/dossiers"):
        response = client.get(path, headers=auth(staff.case_worker))
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
    refused = client.get(f"/api/v1/dossiers/{dossier.id}")
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"


def test_static_assets_stay_cacheable(client: TestClient) -> None:
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")
