"""POST/GET /api/v1/breaches with Temporal unreachable: a breach is recorded with its 72-hour
deadline (its workflow starts later, from the relay); bad input and staff who do not handle
breaches are refused with a clear message and nothing recorded; a step that needs the
workflow changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from support.webapp import Staff, audit_entries, count

from config.settings import Settings
from domain.clock import utcnow
from models.breach import Breach
from models.database import session_scope
from models.outbox import WorkflowStartIntent

Auth = Callable[..., dict[str, str]]
URL = "/api/v1/breaches"


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "aware_at": "2026-11-28T23:30:00+01:00",
        "description": "Un courriel contenant des relevés a été envoyé au mauvais destinataire.",
        "nature": "confidentiality",
        **overrides,
    }


def test_a_breach_is_recorded_with_its_deadline_72_hours_after_awareness(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    response = client.post(URL, json=_body(), headers=auth(staff.dpo))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["aware_at"] == "2026-11-28T22:30:00Z"
    assert created["notify_by"] == "2026-12-01T22:30:00Z"
    assert created["status"] == "open" and created["reference"].startswith("VD-2026-")
    assert created["steps"] == {
        "scope": False,
        "assess": False,
        "notify": False,
        "inform": False,
        "close": False,
    }
    with session_scope(web_settings) as session:
        row = session.get(Breach, created["id"])
        assert row is not None and row.description_enc
        assert "courriel" not in row.description_enc
    assert count(web_settings, WorkflowStartIntent) == 1
    assert len(audit_entries(web_settings, "breach.declare")) == 1
    # Admins handle breaches too; both read the register and the breach.
    register = client.get(URL, headers=auth(staff.admin)).json()
    assert [b["id"] for b in register] == [created["id"]]
    read = client.get(f"{URL}/{created['id']}", headers=auth(staff.admin)).json()
    assert read["description"].startswith("Un courriel")
    assert len(audit_entries(web_settings, "breach.read")) == 1


def test_bad_input_is_refused_field_by_field_and_records_nothing(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    cases = [
        (_body(aware_at=tomorrow), "aware_at", "futur"),
        (_body(aware_at="2026-11-28T23:30:00"), "aware_at", "fuseau"),
        (_body(nature="leak"), "nature", "Nature inconnue"),
        (_body(description="   "), "description", "obligatoire"),
        (_body(description="Mot de passe : Soleil2026"), "description", "mot de passe"),
        (_body(severity="high"), "severity", "non attendu"),
    ]
    for body, field, words in cases:
        response = client.post(URL, json=body, headers=auth(staff.dpo))
        assert response.status_code == 422, (body, response.text)
        (error,) = response.json()["detail"]
        assert error["field"] == field and words in error["message"], (field, error)
    assert count(web_settings, Breach) == 0


def test_only_the_dpo_and_admins_handle_breaches_anyone_can_raise_a_suspicion(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    for member in (staff.case_worker, staff.supervisor, staff.ops):
        assert client.post(URL, json=_body(), headers=auth(member)).status_code == 403
        assert client.get(URL, headers=auth(member)).status_code == 403
    assert count(web_settings, Breach) == 0
    suspicion = client.post(
        f"{URL}/suspicions",
        json={
            "noticed_at": utcnow().isoformat(),
            "nature": "availability",
            "description": "Le partage réseau des pièces ne répond plus, des fichiers manquent.",
        },
        headers=auth(staff.case_worker),
    )
    assert suspicion.status_code == 201, suspicion.text
    assert suspicion.json()["status"] == "suspected"
    breach_id = suspicion.json()["id"]
    # The one who raised it cannot read the file it became.
    assert client.get(f"{URL}/{breach_id}", headers=auth(staff.case_worker)).status_code == 403
    assert len(audit_entries(web_settings, "access.denied")) >= 7


def test_a_step_while_temporal_is_down_changes_nothing(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    created = client.post(URL, json=_body(), headers=auth(staff.dpo)).json()
    response = client.post(
        f"{URL}/{created['id']}/scope",
        json={"source": "backup"},
        headers=auth(staff.dpo),
    )
    assert response.status_code == 503, response.text
    assert "rien n'a été modifié" in response.json()["detail"][0]["message"]
    with session_scope(web_settings) as session:
        row = session.get(Breach, created["id"])
        assert row is not None and row.scope_id is None and row.people_count is None
    # A step's input is checked first, with its field.
    bad = client.post(
        f"{URL}/{created['id']}/scope",
        json={"source": "account", "staff_id": 1},
        headers=auth(staff.dpo),
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["detail"]} == {"window_start", "window_end"}
    unknown = client.post(f"{URL}/nope/assess", json={}, headers=auth(staff.dpo))
    assert unknown.status_code in (404, 422)
