"""The key flows on both databases (SQLite and PostgreSQL): intake, search, access refusal,
refused input, upload and download, concurrent intakes getting distinct references."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.files import pdf_with
from support.webapp import (
    Staff,
    audit_entries,
    count,
    dossier_payload,
    make_team,
    offline,
    seed_dossier,
    token_for,
)

from config.settings import Settings
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from services.audit import verify_audit_chain
from web.app import create_app

PDF = pdf_with(b"confidentiel: avis d'imposition")


@pytest.fixture
def db_app_settings(db_settings: Settings) -> Settings:
    return offline(db_settings)


@pytest.fixture
def db_staff(db_app_settings: Settings) -> Staff:
    return make_team(db_app_settings)


@pytest.fixture
def db_client(db_app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(db_app_settings)) as client:
        yield client


def test_intake_search_refusal_upload(
    db_client: TestClient, db_staff: Staff, db_app_settings: Settings
) -> None:
    settings = db_app_settings
    alice = {"Authorization": f"Bearer {token_for(db_client, db_staff.case_worker)}"}
    intruder = {"Authorization": f"Bearer {token_for(db_client, db_staff.other_team)}"}

    before = count(settings, Client)
    bad = db_client.post("/api/v1/dossiers", json=dossier_payload(phone="12"), headers=alice)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "phone"
    assert count(settings, Client) == before

    created = db_client.post("/api/v1/dossiers", json=dossier_payload(), headers=alice)
    assert created.status_code == 201, created.text
    dossier_id, reference = created.json()["id"], created.json()["reference"]

    searches = (
        reference.lower(),
        reference[-6:],
        "JEANNE.DUPONT@exemple.fr",
        "dupont",
        "DUPONT Jeanne",
        "0033 6 12 34 56 78",
        "energie plus",
    )
    for q in searches:
        found = db_client.get("/api/v1/dossiers", params={"q": q}, headers=alice).json()
        assert [i["id"] for i in found["items"]] == [dossier_id], q
        assert found["items"][0]["client_name"] == "Jeanne Dupont"
    assert (
        db_client.get("/api/v1/dossiers", params={"q": "CRV_"}, headers=alice).json()["total"] == 0
    )

    denied = db_client.get(f"/api/v1/dossiers/{dossier_id}", headers=intruder)
    assert denied.status_code == 403
    assert audit_entries(settings, "access.denied")[0].object_id == dossier_id

    stored = db_client.post(
        f"/api/v1/dossiers/{dossier_id}/documents",
        data={"kind": "tax_notice"},
        files={"file": ("avis.pdf", PDF, "application/pdf")},
        headers=alice,
    )
    assert stored.status_code == 201, stored.text
    disguised = db_client.post(
        f"/api/v1/dossiers/{dossier_id}/documents",
        data={"kind": "tax_notice"},
        files={"file": ("avis.pdf", b"PK\x03\x04zip", "application/pdf")},
        headers=alice,
    )
    assert disguised.status_code == 422
    assert count(settings, Document) == 1
    download = db_client.get(f"/api/v1/documents/{stored.json()['id']}", headers=alice)
    assert download.content == PDF

    detail = db_client.get(f"/api/v1/dossiers/{dossier_id}", headers=alice).json()
    assert [d["filename"] for d in detail["documents"]] == ["avis.pdf"]
    assert detail["expected_documents"][0]["received_at"] is None
    with session_scope(settings) as session:
        report = verify_audit_chain(session)
    assert report.ok, report.problems


def test_concurrent_intakes_get_distinct_references(
    db_staff: Staff, db_app_settings: Settings
) -> None:
    actors = [db_staff.case_worker, db_staff.colleague, db_staff.supervisor]

    def intake(n: int) -> str:
        return seed_dossier(db_app_settings, actors[n % 3], last_name=f"Nom{n}").reference

    with ThreadPoolExecutor(max_workers=6) as pool:
        references = list(pool.map(intake, range(18)))
    assert len(set(references)) == 18
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in references)
    assert numbers == list(range(1, 19))
    with session_scope(db_app_settings) as session:
        assert len(session.exec(select(Dossier.id)).all()) == 18


def test_twin_intakes_with_one_key_make_one_dossier(
    db_client: TestClient, db_staff: Staff, db_app_settings: Settings
) -> None:
    """On PostgreSQL the twins run truly at once: the key's primary key decides."""
    import threading

    headers = {
        "Authorization": f"Bearer {token_for(db_client, db_staff.case_worker)}",
        "Idempotency-Key": "twin-intake",
    }
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        barrier.wait()
        response = db_client.post("/api/v1/dossiers", json=dossier_payload(), headers=headers)
        answers.append((response.status_code, response.json().get("id", response.text)))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert {status for status, _ in answers} == {201}, answers
    assert len({dossier_id for _, dossier_id in answers}) == 1
    assert count(db_app_settings, Dossier) == 1
