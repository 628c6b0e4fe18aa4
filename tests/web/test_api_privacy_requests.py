"""POST/GET /api/v1/privacy-requests and the actions, with Temporal unreachable: a request is
recorded (its workflow starts later, from the relay), bad input and other teams' requests are
refused with a clear message, and an action that needs the workflow changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import Staff, audit_entries, count, seed_dossier

from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.deadline import RequestClock
from models.client import Client
from models.database import session_scope
from models.outbox import WorkflowStartIntent
from models.privacy_request import MarketingSuppression, PrivacyRequest, PrivacyRequestNote
from security.datakeys import ClientCipher
from services.privacy_requests.objection import is_suppressed

Auth = Callable[..., dict[str, str]]
URL = "/api/v1/privacy-requests"
EMAIL = "ines.moreau@example.org"


def _body(**overrides: Any) -> dict[str, Any]:
    return {
        "right": "access",
        "email": EMAIL,
        "channel": "letter",
        "received_at": "2026-11-30T10:15:00+01:00",
        **overrides,
    }


def test_a_request_is_recorded_with_its_due_date_and_its_workflow_intent(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    response = client.post(
        URL, json=_body(right=None, rights=["access", "erasure"]), headers=auth(staff.dpo)
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["received_at"] == "2026-11-30T09:15:00Z"
    # 30 days after 30 November is 30 December; one month is 30 December too: 23:59:59 Paris.
    assert created["due_at"] == "2026-12-30T22:59:59Z"
    assert created["rights"] == ["access", "erasure"]
    assert created["status"] == "open" and created["identity"] == "to_check"
    assert created["reference"].startswith("DP-2026-")
    with session_scope(web_settings) as session:
        row = session.get(PrivacyRequest, created["id"])
        assert row is not None
        # The address is stored encrypted, looked up by its blind index only.
        assert row.email_enc and EMAIL not in row.email_enc
    # Temporal is down: the intent waits for the worker's relay.
    assert count(web_settings, WorkflowStartIntent) == 1
    assert len(audit_entries(web_settings, "privacy_request.create")) == 1

    read = client.get(f"{URL}/{created['id']}", headers=auth(staff.dpo)).json()
    assert read["email"] == EMAIL
    assert len(audit_entries(web_settings, "privacy_request.read")) == 1
    queue = client.get(URL, headers=auth(staff.dpo)).json()
    assert [item["id"] for item in queue["items"]] == [created["id"]]
    assert "email" not in queue["items"][0]


def test_the_same_idempotency_key_returns_the_same_request(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = {**auth(staff.dpo), "Idempotency-Key": "lettre-2026-11-30"}
    first = client.post(URL, json=_body(), headers=headers)
    again = client.post(URL, json=_body(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = client.post(URL, json=_body(right="erasure"), headers=headers)
    assert other.status_code == 409
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    assert count(web_settings, PrivacyRequest) == 1


def test_bad_input_is_refused_field_by_field_and_records_nothing(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    tomorrow = (utcnow() + timedelta(days=1)).isoformat()
    cases = [
        (_body(right="forget_me"), "right", "Droit inconnu"),
        (_body(right=None, rights=["forget_me"]), "rights.0", "Droit inconnu"),
        (_body(right=None, rights=[]), "rights", "Cochez au moins un droit."),
        (_body(right=None), "rights", "Cochez au moins un droit."),
        (_body(rights=["erasure"]), "rights", "pas les deux"),
        (_body(received_at=tomorrow), "received_at", "ne peut pas être dans le futur"),
        (_body(received_at="2026-11-30T10:15:00"), "received_at", "avec leur fuseau"),
        (_body(client_id="c" * 32), "email", "l'un ou l'autre"),
        (_body(email=None), "email", "l'un ou l'autre"),
        (_body(channel="pigeon"), "channel", "Canal inconnu"),
        (_body(email="pas-une-adresse"), "email", "adresse"),
    ]
    for body, field, message in cases:
        response = client.post(URL, json=body, headers=auth(staff.dpo))
        assert response.status_code == 422, (body, response.text)
        errors = {e["field"]: e["message"] for e in response.json()["detail"]}
        assert field in errors and message in errors[field], (body, errors)
    assert count(web_settings, PrivacyRequest) == 0


def test_a_request_about_a_client_goes_to_their_team_and_stays_out_of_others_sight(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    # Recorded by the case worker who received the letter.
    response = client.post(
        URL, json=_body(email=None, client_id=dossier.client_id), headers=auth(staff.case_worker)
    )
    assert response.status_code == 201, response.text
    request_id = response.json()["id"]
    assert response.json()["team"] == "paris"
    # The same person writes again for the same right: linked to the open request.
    again = client.post(
        URL, json=_body(email=None, client_id=dossier.client_id), headers=auth(staff.dpo)
    )
    assert again.json()["linked_to_id"] == request_id

    # Another team's case worker cannot record one for this client, nor read the request.
    refused = client.post(
        URL, json=_body(email=None, client_id=dossier.client_id), headers=auth(staff.other_team)
    )
    assert refused.status_code == 404
    assert refused.json()["detail"][0]["field"] == "client_id"
    unknown = client.post(URL, json=_body(email=None, client_id="inconnu"), headers=auth(staff.dpo))
    assert unknown.status_code == 404
    assert "Aucun client" in unknown.json()["detail"][0]["message"]
    assert client.get(f"{URL}/{request_id}", headers=auth(staff.other_team)).status_code == 403
    assert client.get(URL, headers=auth(staff.other_team)).json()["items"] == []
    # Ops and admins see no request at all; every refusal is on the record.
    for outsider in (staff.ops, staff.admin):
        assert client.get(URL, headers=auth(outsider)).status_code == 403
        assert client.get(f"{URL}/{request_id}", headers=auth(outsider)).status_code == 403
    assert len(audit_entries(web_settings, "access.denied")) == 5
    # The team's supervisor reads it; only the DPO drives it.
    assert client.get(f"{URL}/{request_id}", headers=auth(staff.supervisor)).status_code == 200
    forbidden = client.post(
        f"{URL}/{request_id}/pause",
        json={"waiting_for": "identity"},
        headers=auth(staff.supervisor),
    )
    assert forbidden.status_code == 403
    assert "délégué à la protection des données" in forbidden.json()["detail"][0]["message"]
    assert client.get(f"{URL}/{'x' * 40}", headers=auth(staff.dpo)).status_code == 404


def test_actions_check_their_input_first_and_change_nothing_while_temporal_is_down(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    created = client.post(URL, json=_body(), headers=auth(staff.dpo)).json()
    base = f"{URL}/{created['id']}"
    headers = auth(staff.dpo)
    invalid = [
        ("pause", {"waiting_for": "coffee"}, "waiting_for", "Motif inconnu"),
        ("extend", {"months": 3, "reason": "Complexe"}, "months", "au plus 2"),
        ("extend", {"months": 1, "reason": "  "}, "reason", "obligatoire"),
        ("decide", {"right": "access", "decision": "maybe"}, "decision", "Décision inconnue"),
        ("decide", {"right": "access", "decision": "refused"}, "reasons", "motifs du refus"),
    ]
    for action, body, field, message in invalid:
        response = client.post(f"{base}/{action}", json=body, headers=headers)
        assert response.status_code == 422, (action, response.text)
        errors = {e["field"]: e["message"] for e in response.json()["detail"]}
        assert message in errors.get(field, ""), (action, errors)
    for action, body in [
        ("pause", {"waiting_for": "identity"}),
        ("resume", None),
        ("extend", {"months": 2, "reason": "Nombreux documents à examiner."}),
        ("decide", {"right": "access", "decision": "fulfilled"}),
        ("respond", None),
    ]:
        response = client.post(f"{base}/{action}", json=body, headers=headers)
        assert response.status_code == 503, (action, response.text)
        assert "rien n'a été modifié" in response.json()["detail"][0]["message"]
    after = client.get(base, headers=headers).json()
    assert (after["status"], after["extended_months"], after["events"]) == ("open", 0, [])
    assert after["due_at"] == created["due_at"]
    # The extension's reason was written before Temporal was asked: inert, shown nowhere.
    assert count(web_settings, PrivacyRequestNote) == 1


def test_the_queue_filters_and_says_what_is_overdue(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    now = datetime.now(UTC)
    old = client.post(
        URL, json=_body(received_at=(now - timedelta(days=40)).isoformat()), headers=auth(staff.dpo)
    ).json()
    fresh = client.post(
        URL,
        json=_body(right="portability", email="autre@example.org", received_at=now.isoformat()),
        headers=auth(staff.dpo),
    ).json()
    assert old["overdue"] and old["days_left"] < 0
    assert not fresh["overdue"]
    assert fresh["days_left"] == (RequestClock(now).due_on - RequestClock(now).received_on).days

    def ids(**params: str) -> list[str]:
        response = client.get(URL, params=params, headers=auth(staff.dpo))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [old["id"], fresh["id"]]  # the nearest due date first
    assert ids(show="overdue") == [old["id"]]
    assert ids(right="portability") == [fresh["id"]]
    assert ids(show="answered") == []
    bad = client.get(URL, params={"show": "later"}, headers=auth(staff.dpo))
    assert bad.status_code == 422


def test_an_objection_stops_marketing_at_once_and_outlives_the_data(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Client, dossier.client_id)
        assert row is not None
        row.marketing_emails = True
        session.add(row)
    response = client.post(
        URL,
        json=_body(right="objection", email=None, client_id=dossier.client_id),
        headers=auth(staff.dpo),
    )
    assert response.status_code == 201, response.text
    # Without waiting for the DPO's answer, and without Temporal.
    with session_scope(web_settings) as session:
        row = session.get(Client, dossier.client_id)
        assert row is not None and row.marketing_emails is False
        listed = session.exec(select(MarketingSuppression)).all()
        assert len(listed) == 1 and "@" not in listed[0].email_hash
        client_email = ClientCipher.for_client(row, web_settings).decrypt(
            "client", "email", row.id, row.email_enc
        )
        assert client_email and is_suppressed(session, client_email.upper(), web_settings)
        assert not is_suppressed(session, "quelqu.un.autre@example.org", web_settings)
    assert len(audit_entries(web_settings, "client.marketing_stopped")) == 1
