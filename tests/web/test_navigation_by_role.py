"""Each role's menu, logo and landing page lead only to pages the role may open; the Temporal
link is shown only to the roles the payload codec decodes for; opening the address of a form
(a reload after a refusal, a bookmark) leads back to its page instead of a 405."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from support.webapp import Staff, seed_dossier, sign_in

from config.settings import Settings

NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"]*)"')
ROLES = ("case_worker", "supervisor", "dpo", "ops", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_the_logo_and_the_landing_page_open_for_the_role(
    client: TestClient, staff: Staff, role: str
) -> None:
    sign_in(client, getattr(staff, role))
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200, (role, home.url)
    assert "Accès refusé" not in home.text
    links = HREF.findall(NAV.search(home.text).group(0))  # type: ignore[union-attr]
    assert links, role
    for link in links:
        page = client.get(link, follow_redirects=True)
        assert page.status_code == 200, (role, link, page.status_code)
    assert '<a class="brand" href="/">' in home.text


def test_the_temporal_link_only_for_roles_that_can_read_it(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.case_worker)
    assert "Voir dans Temporal" not in client.get(f"/dossiers/{dossier.id}").text
    client.cookies.clear()
    sign_in(client, staff.supervisor)
    page = client.get(f"/dossiers/{dossier.id}").text
    assert "Voir dans Temporal" in page
    assert "/codec" in page and "Include cross-origin credentials" in page


def test_the_address_of_a_form_leads_back_to_its_page(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.case_worker)
    for action in ("close", "legal-hold", "legal-hold/lift", "documents", "creanciers"):
        response = client.get(f"/dossiers/{dossier.id}/{action}", follow_redirects=False)
        assert response.status_code == 303, (action, response.status_code)
        assert response.headers["location"] == f"/dossiers/{dossier.id}"
    # The API keeps its 405, with the methods the path serves.
    api = client.get(f"/api/v1/dossiers/{dossier.id}/close")
    assert api.status_code == 405 and api.headers["allow"] == "POST"


def test_a_refused_form_puts_the_focus_on_its_error_summary(
    client: TestClient, staff: Staff
) -> None:
    token = sign_in(client, staff.case_worker)
    refused = client.post("/dossiers/new", data={"csrf_token": token})
    assert refused.status_code == 422
    assert re.search(r'<div class="error-summary"[^>]*\bautofocus\b', refused.text)


def test_a_refused_form_gives_the_browser_its_pages_address(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    """So that a reload opens the page instead of posting the form again (page-address.js)."""
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.case_worker)
    refused = client.post(f"/dossiers/{dossier.id}/close", data={"csrf_token": token})
    assert refused.status_code == 422
    assert f'data-page-address="/dossiers/{dossier.id}"' in refused.text
    assert "/static/page-address.js" in refused.text
    # A form whose address is also its page's keeps that address.
    refused = client.post("/dossiers/new", data={"csrf_token": token})
    assert 'data-page-address="/dossiers/new"' in refused.text
    # Pages opened with GET need no rewriting.
    assert "data-page-address" not in client.get(f"/dossiers/{dossier.id}").text
