"""A refused action on the dossier page is always shown, even when its form is not displayed."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import PASSWORD, Staff, seed_dossier, sign_in

from config.settings import Settings
from domain.dossier_stages import Stage
from models.database import session_scope
from models.dossier import Dossier
from models.staff import Role
from services.staff_accounts import create_staff_user


def test_closing_a_dossier_closed_in_another_tab_says_so(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    dossier = seed_dossier(web_settings, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED  # closed meanwhile, from another tab
        session.add(row)
    response = client.post(
        f"/dossiers/{dossier.id}/close",
        data={"csrf_token": token, "outcome": "resolved", "note": ""},
    )
    assert response.status_code == 409
    page = html.unescape(response.text)
    assert 'id="action-error"' in page
    assert "Action non effectuée." in page and "Ce dossier est déjà clôturé." in page


def test_roles_that_cannot_open_a_dossier_are_told_before_typing(
    client: TestClient, staff: Staff
) -> None:
    sign_in(client, staff.dpo)
    assert "/dossiers/new" not in client.get("/dossiers").text
    refused = client.get("/dossiers/new")
    assert refused.status_code == 403
    assert "pas d'en ouvrir" in html.unescape(refused.text)


def test_an_admin_lands_on_the_parameters_not_on_a_refusal(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    with session_scope(web_settings) as session:
        admin = create_staff_user(
            session,
            email="parametres@cravelynos.example",
            display_name="Alex Admin",
            role=Role.ADMIN,
            team="paris",
            password=PASSWORD,
        )
    sign_in(client, admin)
    landing = client.get("/", follow_redirects=True)
    assert landing.status_code == 200 and landing.url.path == "/allowances"


def test_a_creditor_row_with_only_its_type_is_not_silently_dropped(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    form = {
        "csrf_token": token,
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "email": "jeanne.dupont@example.org",
        "phone": "06 12 34 56 78",
        "address": "12 rue des Lilas\n75011 Paris",
        "departement": "75",
        "preferred_channel": "email",
        "progress_emails": "on",
        "creditors.0.name": "Banque Exemple",
        "creditors.0.kind": "bank",
        "creditors.1.kind": "telecom",
        "expected_documents": "identity",
        "assignee_id": str(staff.case_worker.id),
    }
    response = client.post("/dossiers/new", data=form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "Créancier 2 (nom)" in page
    with session_scope(web_settings) as session:
        assert session.exec(select(Dossier)).first() is None
