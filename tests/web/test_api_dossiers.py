"""Dossiers through the API: creation, reading, refusals that change nothing, access rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import Staff, audit_entries, count, dossier_payload, seed_dossier

from config.settings import Settings
from models.audit import AuditEntry
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier, DossierCreditor, ExpectedDocument, TimelineEvent
from models.outbox import WorkflowStartIntent
from security.blind_index import blind_index
from services.dossiers.intake import EMAIL_INDEX

Auth = Callable[..., dict[str, str]]
ROWS = (Client, Dossier, DossierCreditor, ExpectedDocument, TimelineEvent, WorkflowStartIntent)


def snapshot(settings: Settings) -> dict[str, int]:
    return {model.__name__: count(settings, model) for model in (*ROWS, AuditEntry)}


def test_create_dossier(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    response = client.post(
        "/api/v1/dossiers", json=dossier_payload(), headers=auth(staff.case_worker)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"] == f"CRV-{date.today().year}-000001"
    assert body["workflow_id"] == f"dossier:{body['id']}"

    with session_scope(web_settings) as session:
        dossier = session.get(Dossier, body["id"])
        assert dossier is not None
        assert (dossier.assignee_id, dossier.team) == (staff.case_worker.id, "paris")
        client_row = session.get(Client, dossier.client_id)
        assert client_row is not None
        # Encrypted at rest; found again through the blind index only.
        for column in ("first_name_enc", "last_name_enc", "email_enc", "phone_enc"):
            value = getattr(client_row, column)
            assert value and "Jeanne" not in value and "dupont" not in value.lower()
        assert client_row.email_bidx == blind_index(
            EMAIL_INDEX, "JEANNE.DUPONT@exemple.fr", web_settings
        )
        creditors = session.exec(select(DossierCreditor)).all()
        assert [c.name for c in creditors] == ["Banque Exemple", "Énergie Plus"]
        assert "FR76" not in (creditors[0].account_reference_enc or "")
        assert len(session.exec(select(ExpectedDocument)).all()) == 3
        # The intent committed with the dossier; Temporal being down, the relay will start it.
        intent = session.exec(select(WorkflowStartIntent)).one()
        assert intent.workflow_id == body["workflow_id"]
        assert intent.started_at is None
    [created] = audit_entries(web_settings, "dossier.create")
    assert created.object_id == body["id"]
    assert created.actor == f"staff:{staff.case_worker.id}"
    assert audit_entries(web_settings, "client.create")[0].object_id == dossier.client_id


def test_read_dossier_decrypts_and_audits(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    response = client.get(
        f"/api/v1/dossiers/{dossier.id}",
        params={"reason": "appel du client"},
        headers=auth(staff.colleague),
    )
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["client"]["first_name"] == "Jeanne"
    assert detail["client"]["email"] == "jeanne.dupont@exemple.fr"
    assert detail["client"]["phone"] == "+33612345678"
    assert detail["client"]["address"] == "12 rue des Lilas\n75011 Paris"
    assert detail["creditors"][0]["account_reference"] == "FR76-0001"
    assert [e["kind"] for e in detail["expected_documents"]] == [
        "identity",
        "income",
        "bank_statements",
    ]
    assert detail["timeline"][0]["actor_name"] == "Alice Martin"
    # Times are UTC and say so, whatever the database gave back.
    assert detail["created_at"].endswith(("Z", "+00:00"))
    assert detail["can_write"] is True
    assert detail["can_manage_legal_hold"] is False
    [read] = audit_entries(web_settings, "client.read")
    assert read.actor == f"staff:{staff.colleague.id}"
    assert read.object_id == dossier.client_id
    assert read.reason == "appel du client"
    assert "Jeanne" not in read.detail


BAD_INPUTS: list[tuple[dict[str, Any], str, str]] = [
    ({"email": "jeanne.dupont@"}, "email", "Adresse e-mail invalide"),
    ({"email": "jeanne dupont@exemple.fr"}, "email", "Adresse e-mail invalide"),
    ({"phone": "06 12 34"}, "phone", "Numéro de téléphone invalide"),
    ({"phone": "+44 20 7946 0958"}, "phone", "numéro français"),
    ({"departement": "20"}, "departement", "Département invalide"),
    ({"departement": "977"}, "departement", "Département invalide"),
    ({"first_name": "   "}, "first_name", "Ce champ est obligatoire."),
    ({"first_name": None}, "first_name", "Ce champ est obligatoire."),
    ({"creditors": []}, "creditors", "Indiquez au moins un créancier."),
    ({"expected_documents": []}, "expected_documents", "Cochez au moins une pièce attendue."),
    ({"creditors": [{"name": "X", "kind": "casino"}]}, "creditors.0.kind", "Type de créancier"),
    ({"creditors": [{"name": "", "kind": "bank"}]}, "creditors.0.name", "obligatoire"),
    ({"preferred_channel": "fax"}, "preferred_channel", "Moyen de contact inconnu"),
    ({"expected_documents": ["passport"]}, "expected_documents.0", "Type de pièce inconnu."),
    ({"progress_emails": "peut-être"}, "progress_emails", "oui ou non"),
    ({"nickname": "JD"}, "nickname", "Champ non attendu."),
    ({"last_name": "Dupont mot de passe Azerty1"}, "last_name", "« Nom de famille »"),
    (
        {"creditors": [{"name": "Banque", "kind": "bank", "account_reference": "code : 4821"}]},
        "creditors.0.account_reference",
        "mot de passe, un identifiant ou un code d'accès",
    ),
    (
        {"address": "1 rue X\nidentifiant bancaire 12345678, code secret 0000"},
        "address",
        "« Adresse postale »",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUTS)
def test_bad_input_is_refused_by_field_and_writes_nothing(
    client: TestClient,
    staff: Staff,
    auth: Auth,
    web_settings: Settings,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    headers = auth(staff.case_worker)
    before = snapshot(web_settings)
    response = client.post("/api/v1/dossiers", json=dossier_payload(**changes), headers=headers)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert field in errors, errors
    assert message in errors[field]
    assert snapshot(web_settings) == before


def test_missing_fields_are_each_reported(client: TestClient, staff: Staff, auth: Auth) -> None:
    response = client.post("/api/v1/dossiers", json={}, headers=auth(staff.case_worker))
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert errors["creditors"] == "Indiquez au moins un créancier."
    for field in ("first_name", "last_name", "email", "phone", "address", "departement"):
        assert errors[field] == "Ce champ est obligatoire."


def test_malformed_json_is_a_clear_error(client: TestClient, staff: Staff, auth: Auth) -> None:
    response = client.post(
        "/api/v1/dossiers",
        content=b"{not json",
        headers={**auth(staff.case_worker), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"][0]["message"]


def test_assignee_must_be_of_the_same_team(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    before = snapshot(web_settings)
    response = client.post(
        "/api/v1/dossiers",
        json=dossier_payload(assignee_id=staff.other_team.id),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "assignee_id", "message": "Choisissez un conseiller actif de votre équipe."}
    ]
    assert snapshot(web_settings) == before
    ok = client.post(
        "/api/v1/dossiers",
        json=dossier_payload(assignee_id=staff.colleague.id),
        headers=auth(staff.supervisor),
    )
    assert ok.status_code == 201
    with session_scope(web_settings) as session:
        assert session.get(Dossier, ok.json()["id"]).assignee_id == staff.colleague.id  # type: ignore[union-attr]


def test_other_team_is_refused_and_the_refusal_audited(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    for intruder in (staff.other_team, staff.other_supervisor):
        response = client.get(f"/api/v1/dossiers/{dossier.id}", headers=auth(intruder))
        assert response.status_code == 403
        [error] = response.json()["detail"]
        assert "ni à vous ni à votre équipe" in error["message"]
    denied = audit_entries(web_settings, "access.denied")
    assert [(e.actor, e.object_id) for e in denied] == [
        (f"staff:{staff.other_team.id}", dossier.id),
        (f"staff:{staff.other_supervisor.id}", dossier.id),
    ]
    assert audit_entries(web_settings, "client.read") == []
    # Nor does it show in their list or their searches.
    listing = client.get("/api/v1/dossiers", params={"q": "Dupont"}, headers=auth(staff.other_team))
    assert listing.json()["total"] == 0


def test_roles_without_personal_data_get_403(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    for user in (staff.ops, staff.admin):
        for path in ("/api/v1/dossiers", f"/api/v1/dossiers/{dossier.id}"):
            response = client.get(path, headers=auth(user))
            assert response.status_code == 403, (user.role, path)
            assert "données personnelles" in response.json()["detail"][0]["message"]
        created = client.post("/api/v1/dossiers", json=dossier_payload(), headers=auth(user))
        assert created.status_code == 403
    assert len(audit_entries(web_settings, "access.denied")) == 6
    assert count(web_settings, Dossier) == 1


def test_dpo_reads_everything_but_changes_nothing(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.other_team)
    headers = auth(staff.dpo)
    assert client.get(f"/api/v1/dossiers/{dossier.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/dossiers", headers=headers).json()["total"] == 1
    closing = client.post(
        f"/api/v1/dossiers/{dossier.id}/close", json={"outcome": "resolved"}, headers=headers
    )
    assert closing.status_code == 403
    created = client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)
    assert created.status_code == 403
    assert "pas d'en créer" in created.json()["detail"][0]["message"]


def test_unknown_dossier_is_404(client: TestClient, staff: Staff, auth: Auth) -> None:
    for path in ("/api/v1/dossiers/0123456789abcdef", "/api/v1/dossiers/" + "x" * 40):
        response = client.get(path, headers=auth(staff.case_worker))
        assert response.status_code == 404
    assert response.json()["detail"][0]["message"].startswith("Dossier introuvable")


def test_timeline(client: TestClient, staff: Staff, auth: Auth, web_settings: Settings) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    response = client.get(f"/api/v1/dossiers/{dossier.id}/timeline", headers=auth(staff.supervisor))
    assert response.status_code == 200
    [event] = response.json()
    assert event["kind"] == "created"
    assert event["summary"] == "Dossier créé : 2 créanciers, 3 pièces attendues"
    denied = client.get(f"/api/v1/dossiers/{dossier.id}/timeline", headers=auth(staff.ops))
    assert denied.status_code == 403


def test_an_erased_client_shows_no_personal_data(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Client, dossier.client_id)
        assert row is not None
        row.wrapped_key = None  # crypto-shredded
        session.add(row)
    headers = auth(staff.case_worker)
    detail = client.get(f"/api/v1/dossiers/{dossier.id}", headers=headers).json()
    assert detail["client"]["erased"] is True
    assert detail["client"]["email"] is None and detail["client"]["last_name"] is None
    assert detail["creditors"][0]["account_reference"] is None
    listing = client.get("/api/v1/dossiers", headers=headers).json()
    assert listing["items"][0]["client_name"] == "(données effacées)"
