"""A retried intake opens one dossier; a person with an open dossier is flagged first."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from fastapi.testclient import TestClient
from support.webapp import Staff, count, dossier_payload, sign_in

from config.settings import Settings
from models.dossier import Dossier
from models.outbox import WorkflowStartIntent

Auth = Callable[..., dict[str, str]]


def _create(client: TestClient, headers: dict[str, str], key: str | None = None, **changes: object):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/dossiers", json=dossier_payload(**changes), headers={**headers, **extra}
    )


def test_a_retried_request_returns_the_dossier_it_made(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    first = _create(client, headers, "intake-0001")
    again = _create(client, headers, "intake-0001")
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(web_settings, Dossier) == 1
    assert count(web_settings, WorkflowStartIntent) == 1


def test_the_same_key_for_another_intake_is_refused(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    assert _create(client, headers, "intake-0002").status_code == 201
    other = _create(client, headers, "intake-0002", email="autre.personne@exemple.fr")
    assert other.status_code == 409
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    assert count(web_settings, Dossier) == 1


def test_a_key_is_the_senders_own(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    assert _create(client, auth(staff.case_worker), "intake-0003").status_code == 201
    colleague = _create(
        client, auth(staff.colleague), "intake-0003", email="autre.personne@exemple.fr"
    )
    assert colleague.status_code == 201
    assert count(web_settings, Dossier) == 2


def test_twin_requests_at_the_same_moment_make_one_dossier(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    barrier = threading.Barrier(4)
    answers: list[int] = []

    def send() -> None:
        barrier.wait()
        answers.append(_create(client, headers, "intake-twin").status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [201] * 4
    assert count(web_settings, Dossier) == 1


def test_a_person_with_an_open_dossier_is_flagged_before_a_second_one(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    first = _create(client, headers)
    reference = first.json()["reference"]
    flagged = _create(client, headers, email="Jeanne.Dupont@exemple.fr")
    assert flagged.status_code == 409
    [error] = flagged.json()["detail"]
    assert error["field"] == "email" and reference in error["message"]
    # Another team's case worker learns that a dossier exists, not which one.
    elsewhere = _create(client, auth(staff.other_team))
    assert elsewhere.status_code == 409
    assert reference not in elsewhere.json()["detail"][0]["message"]
    assert "autre équipe" in elsewhere.json()["detail"][0]["message"]
    confirmed = _create(client, headers, confirm_second_dossier=True)
    assert confirmed.status_code == 201
    assert count(web_settings, Dossier) == 2


def _form(client: TestClient, token: str | None = None) -> dict[str, str]:
    page = client.get("/dossiers/new").text
    request_token = re.search(r'name="request_token" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert request_token and csrf
    payload = dossier_payload()
    return {
        "csrf_token": csrf.group(1),
        "request_token": token or request_token.group(1),
        "first_name": payload["first_name"],
        "last_name": payload["last_name"],
        "email": payload["email"],
        "phone": payload["phone"],
        "address": payload["address"],
        "departement": payload["departement"],
        "preferred_channel": "email",
        "progress_emails": "on",
        "creditors.0.name": "Banque Exemple",
        "creditors.0.kind": "bank",
        "expected_documents": "identity",
        "assignee_id": "",
    }


def test_the_same_form_sent_twice_opens_one_dossier(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.case_worker)
    form = _form(client)
    first = client.post("/dossiers/new", data=form, follow_redirects=False)
    assert first.status_code == 303, first.text
    again = client.post("/dossiers/new", data=form, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert "aucun second dossier" in client.get(again.headers["location"]).text
    assert count(web_settings, Dossier) == 1

    # A new form for the same person: flagged, the typing kept, a confirmation offered.
    flagged = client.post("/dossiers/new", data=_form(client))
    assert flagged.status_code == 422
    assert 'name="confirm_second_dossier"' in flagged.text
    assert 'value="Jeanne"' in flagged.text
    confirmed = client.post(
        "/dossiers/new",
        data={**_form(client), "confirm_second_dossier": "on"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303
    assert count(web_settings, Dossier) == 2
