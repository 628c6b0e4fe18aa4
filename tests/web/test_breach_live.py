"""A breach driven through the API and the pages of the real app, on a real workflow (its own
time-skipping server): scoped from a compromised account's audit trail, steps out of order
refused with the rule's words and nothing changed, the CNIL notification as PDF, the people
emailed, the register exported."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from support.live_web import live_web
from support.negotiation_driver import own_test_server
from support.privacy import make_dpo
from support.stack import STAFF_PASSWORD, intake, make_dossier, make_staff, wait_for_messages
from support.webapp import audit_entries
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.breach.rules import ASSESS_FIRST, RATIONALE_NEEDED, SCOPE_FIRST
from domain.clock import utcnow
from models.breach import Breach
from models.database import session_scope
from services.audit import audit_client_data_read
from worker import build_worker

URL = "/api/v1/breaches"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    async with own_test_server() as env:
        yield env


async def _token(web: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await web.post(
        "/api/v1/auth/token", data={"username": email, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _message(response: httpx.Response) -> str:
    return str(response.json()["detail"][0]["message"])


async def test_a_breach_from_declaration_to_closure_through_the_api(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dpo = make_dpo(wf_settings)
    worker = make_staff(wf_settings)
    touched = make_dossier(wf_settings, worker, intake(email="touchee@example.org"))
    make_dossier(wf_settings, worker, intake(email="epargnee@example.org"))
    start = utcnow()
    with session_scope(wf_settings) as session:
        audit_client_data_read(session, f"staff:{worker.id}", touched.client_id, "page")
    async with build_worker(wf_client, wf_settings), live_web(wf_settings, time_env) as web:
        headers = await _token(web, dpo.email)
        now = await time_env.get_current_time()
        created = await web.post(
            URL,
            json={
                "aware_at": (now - timedelta(hours=1)).isoformat(),
                "description": "Le compte d'une conseillère a été utilisé depuis l'étranger.",
                "nature": "confidentiality",
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        breach = created.json()["id"]

        early = await web.post(
            f"{URL}/{breach}/assess",
            headers=headers,
            json={"risk": "high", "rationale": "x", "consequences": "y"},
        )
        assert early.status_code == 409 and _message(early) == SCOPE_FIRST
        scoped = await web.post(
            f"{URL}/{breach}/scope",
            json={
                "source": "account",
                "staff_id": worker.id,
                "window_start": start.isoformat(),
                "window_end": utcnow().isoformat(),
            },
            headers=headers,
        )
        assert scoped.status_code == 200, scoped.text
        assert scoped.json()["people_count"] == 1
        assert scoped.json()["data_categories"] == ["account"]

        premature = await web.post(
            f"{URL}/{breach}/inform",
            headers=headers,
            json={"what_happened": "a", "what_we_did": "b", "what_you_can_do": "c"},
        )
        assert premature.status_code == 409 and _message(premature) == ASSESS_FIRST
        no_reason = await web.post(
            f"{URL}/{breach}/assess",
            headers=headers,
            json={"risk": "high", "consequences": "Hameçonnage ciblé."},
        )
        assert no_reason.status_code == 422
        assert no_reason.json()["detail"][0] == {"field": "rationale", "message": RATIONALE_NEEDED}
        with session_scope(wf_settings) as session:
            row = session.get(Breach, breach)
            assert row is not None and row.risk is None and row.what_happened_enc is None

        assessed = await web.post(
            f"{URL}/{breach}/assess",
            headers=headers,
            json={
                "risk": "high",
                "rationale": "Coordonnées et dettes lisibles.",
                "consequences": "Hameçonnage ciblé.",
            },
        )
        assert assessed.status_code == 200, assessed.text
        notified = await web.post(
            f"{URL}/{breach}/notify",
            headers=headers,
            json={"measures": "Compte bloqué, mots de passe réinitialisés."},
        )
        assert notified.status_code == 200, notified.text
        (made,) = notified.json()["notifications_made"]
        pdf = await web.get(f"{URL}/{breach}/notifications/{made['id']}.pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

        informing = await web.post(
            f"{URL}/{breach}/inform",
            headers=headers,
            json={
                "what_happened": "Un accès frauduleux à votre dossier a eu lieu.",
                "what_we_did": "Nous avons bloqué l'accès.",
                "what_you_can_do": "Méfiez-vous des appels qui citent votre dossier.",
            },
        )
        assert informing.status_code == 200, informing.text
        (mail,) = await wait_for_messages(wf_settings, 1)
        assert mail.recipients == ["touchee@example.org"]
        assert "Un accès frauduleux à votre dossier a eu lieu." in mail.text
        closing = None
        for _ in range(50):
            closing = await web.post(
                f"{URL}/{breach}/close",
                headers=headers,
                json={"measures": "Double authentification."},
            )
            if closing.status_code == 200:
                break
            await time_env.sleep(timedelta(seconds=1))
        assert closing is not None and closing.status_code == 200, closing.text
        assert closing.json()["status"] == "closed"
        assert closing.json()["deliveries"] == {"sent": 1}

        # The pages show it, and export the register.
        login = CSRF.search((await web.get("/login")).text)
        assert login
        await web.post(
            "/login",
            data={"email": dpo.email, "password": STAFF_PASSWORD, "csrf_token": login.group(1)},
        )
        page = await web.get(f"/breaches/{breach}")
        assert page.status_code == 200 and "Violation close" in page.text
        exported = await web.get("/breaches/register.csv")
        assert exported.status_code == 200
        lines = exported.text.lstrip("\ufeff").splitlines()
        assert lines[0].startswith("reference;statut") and len(lines) == 2
        assert "touchee" not in exported.text
        # The list of the persons affected names them, each read audited.
        people = await web.get(f"/breaches/{breach}/affected.csv")
        assert people.status_code == 200
        rows = people.text.lstrip("\ufeff").splitlines()
        assert rows[1].split(";")[1:5] == [
            "touchee@example.org",
            "+33612345678",
            "1",
            "informée par e-mail",
        ]
        assert rows[1].startswith("Jeanne Dupont;") and len(rows) == 2
    listed = [
        e for e in audit_entries(wf_settings, "client.read") if e.reason == "breach.affected_list"
    ]
    assert [e.object_id for e in listed] == [touched.client_id]
