"""GET /aide: each role reads the help of its own role, can read the others' (to know whom to
ask), and nobody reads it signed out."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from support.webapp import Staff, sign_in

ROLES = {
    "case_worker": ("Aide · Conseiller", "Mon travail"),
    "supervisor": ("Aide · Superviseur", "Réattribuer"),
    "dpo": ("Aide · Délégué à la protection des données", "72 heures"),
    "ops": ("Aide · Exploitation", "Temporal"),
    "admin": ("Aide · Administrateur", "dernier administrateur actif"),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_its_own_help(client: TestClient, staff: Staff, role: str) -> None:
    sign_in(client, getattr(staff, role))
    page = client.get("/aide")
    assert page.status_code == 200
    text = html.unescape(page.text)
    heading, topic = ROLES[role]
    assert f"<h1>{heading}</h1>" in text and topic in text
    assert 'href="/aide" aria-current="page"' in text
    # The other roles' help is one link away, never one's own.
    others = [f'href="/aide?role={other}"' for other in ROLES if other != role]
    assert all(link in text for link in others)
    assert f'href="/aide?role={role}"' not in text


def test_another_roles_help_says_whose_it_is(client: TestClient, staff: Staff) -> None:
    sign_in(client, staff.case_worker)
    text = html.unescape(client.get("/aide?role=admin").text)
    assert "<h1>Aide · Administrateur</h1>" in text
    assert "l'aide d'un autre rôle que le vôtre" in text
    # An unknown role shows one's own rather than an error.
    unknown = client.get("/aide?role=<script>")
    assert unknown.status_code == 200 and "<h1>Aide · Conseiller</h1>" in unknown.text


def test_the_help_needs_a_sign_in(client: TestClient) -> None:
    response = client.get("/aide", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
