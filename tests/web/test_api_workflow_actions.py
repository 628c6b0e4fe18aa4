"""Actions that move a dossier go through its workflow: with Temporal unreachable they are
refused with a 503 and change nothing; invalid ones are refused before Temporal is asked.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from support.webapp import Staff, audit_entries, count, seed_dossier

from config.settings import Settings
from domain.dossier_stages import Stage
from models.database import session_scope
from models.dossier import Dossier
from models.staged_write import StagedWrite

Auth = Callable[..., dict[str, str]]


def dossier_row(settings: Settings, dossier_id: str) -> Dossier:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier_id)
        assert row is not None
        return row


def test_close_with_temporal_down_is_503_and_changes_nothing(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    response = client.post(
        f"/api/v1/dossiers/{dossier.id}/close",
        json={"outcome": "resolved", "note": "Plan accepté par tous les créanciers"},
        headers=auth(staff.case_worker),
    )
    assert response.status_code == 503
    assert response.headers["retry-after"]
    [error] = response.json()["detail"]
    assert "momentanément indisponible" in error["message"]
    assert "rien n'a été modifié" in error["message"]
    row = dossier_row(web_settings, dossier.id)
    assert (row.stage, row.outcome, row.closure_note_enc) == (Stage.INTAKE, None, None)
    # The note was staged for the update, never applied: the sweep removes it.
    assert count(web_settings, StagedWrite) == 1


def test_close_input_is_checked_first(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    headers = auth(staff.case_worker)
    url = f"/api/v1/dossiers/{dossier.id}/close"
    cases = [
        ({"outcome": "won"}, "outcome", "Issue de clôture inconnue."),
        ({}, "outcome", "Ce champ est obligatoire."),
        (
            {"outcome": "resolved", "note": "Le client m'a donné son code secret 1234"},
            "note",
            "« Note de clôture »",
        ),
    ]
    for body, field, message in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] == field
        assert message in error["message"]


def test_close_in_the_wrong_stage_is_409(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED
        session.add(row)
    response = client.post(
        f"/api/v1/dossiers/{dossier.id}/close",
        json={"outcome": "abandoned"},
        headers=auth(staff.case_worker),
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": [{"field": None, "message": "Ce dossier est déjà clôturé."}]
    }


def test_close_another_teams_dossier_is_403(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    response = client.post(
        f"/api/v1/dossiers/{dossier.id}/close",
        json={"outcome": "resolved"},
        headers=auth(staff.other_team),
    )
    assert response.status_code == 403
    [denied] = audit_entries(web_settings, "access.denied")
    assert denied.object_id == dossier.id
    assert denied.reason.startswith("write")


def test_legal_hold_rules(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    url = f"/api/v1/dossiers/{dossier.id}/legal-hold"
    refused = client.post(url, json={"reason": "Contentieux"}, headers=auth(staff.case_worker))
    assert refused.status_code == 403
    assert "superviseur" in refused.json()["detail"][0]["message"]
    assert client.delete(url, headers=auth(staff.other_supervisor)).status_code == 403
    missing = client.post(url, json={"reason": " "}, headers=auth(staff.supervisor))
    assert missing.status_code == 422
    assert missing.json()["detail"] == [{"field": "reason", "message": "Ce champ est obligatoire."}]
    for user in (staff.supervisor, staff.dpo):
        down = client.post(url, json={"reason": "Contentieux en cours"}, headers=auth(user))
        assert down.status_code == 503
        assert client.delete(url, headers=auth(user)).status_code == 503
    row = dossier_row(web_settings, dossier.id)
    assert (row.legal_hold, row.legal_hold_reason_enc) == (False, None)


def test_live_status_needs_temporal(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    url = f"/api/v1/dossiers/{dossier.id}/status"
    assert client.get(url, headers=auth(staff.case_worker)).status_code == 503
    assert client.get(url, headers=auth(staff.other_team)).status_code == 403
