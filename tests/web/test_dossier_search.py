"""The dossier list: search, filters, pagination, newest first, one audit entry per page."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event
from support.webapp import Staff, audit_entries, seed_dossier

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from models.database import get_engine, session_scope
from models.dossier import Dossier
from services.dossiers.queries import list_dossiers

Auth = Callable[..., dict[str, str]]

PEOPLE = [
    ("Jeanne", "Dupont", "jeanne.dupont@exemple.fr"),
    ("Marc", "Lefèvre", "marc.lefevre@exemple.fr"),
    ("Inès", "Dupont", "ines.d@exemple.fr"),
    ("Paul", "Moreau", "paul.moreau@exemple.fr"),
    ("Lina", "Girard", "lina.girard@exemple.fr"),
]


def seed_people(settings: Settings, staff: Staff) -> list[Dossier]:
    """Five dossiers, oldest first, one minute apart; the last one is the colleague's."""
    dossiers = []
    start = utcnow() - timedelta(hours=1)
    for index, (first, last, email) in enumerate(PEOPLE):
        actor = staff.colleague if index == 4 else staff.case_worker
        dossier = seed_dossier(settings, actor, first_name=first, last_name=last, email=email)
        with session_scope(settings) as session:
            row = session.get(Dossier, dossier.id)
            assert row is not None
            row.created_at = start + timedelta(minutes=index)
            row.stage = Stage.AWAITING_DOCUMENTS if index % 2 else Stage.INTAKE
            session.add(row)
        dossiers.append(dossier)
    return dossiers


def search(client: TestClient, headers: dict[str, str], **params: object) -> dict:
    response = client.get("/api/v1/dossiers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_newest_first_with_decrypted_names(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossiers = seed_people(web_settings, staff)
    page = search(client, auth(staff.case_worker))
    assert page["total"] == 5
    assert [i["id"] for i in page["items"]] == [d.id for d in reversed(dossiers)]
    assert [i["client_name"] for i in page["items"]] == [
        "Lina Girard",
        "Paul Moreau",
        "Inès Dupont",
        "Marc Lefèvre",
        "Jeanne Dupont",
    ]
    assert page["items"][0]["assignee_name"] == "Bruno Petit"
    assert page["items"][0]["reference"] == dossiers[4].reference


def test_search_by_reference_email_and_last_name(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossiers = seed_people(web_settings, staff)
    headers = auth(staff.supervisor)

    def found(q: str) -> list[str]:
        return [i["id"] for i in search(client, headers, q=q)["items"]]

    # Reference: prefix, any case.
    assert found(dossiers[1].reference.lower()) == [dossiers[1].id]
    assert len(found(dossiers[1].reference[:-1].lower())) == 5
    # Email: exact, case and spaces aside.
    assert found("  Marc.Lefevre@EXEMPLE.fr ") == [dossiers[1].id]
    assert found("marc.lefevre@exemple") == []
    # Last name: exact, case aside; both Duponts, newest first.
    assert found("dupont") == [dossiers[2].id, dossiers[0].id]
    assert found("Dupon") == []
    # LIKE wildcards typed by the person are taken literally.
    assert found("%") == []
    assert found("CRV_") == []


def test_filters_and_pagination(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossiers = seed_people(web_settings, staff)
    headers = auth(staff.case_worker)
    waiting = search(client, headers, stage="awaiting_documents")
    assert [i["id"] for i in waiting["items"]] == [dossiers[3].id, dossiers[1].id]
    mine = search(client, headers, assignee_id=staff.colleague.id)
    assert [i["id"] for i in mine["items"]] == [dossiers[4].id]
    both = search(client, headers, stage="intake", q="dupont")
    assert [i["id"] for i in both["items"]] == [dossiers[2].id, dossiers[0].id]

    pages = [search(client, headers, per_page=2, page=n) for n in (1, 2, 3)]
    assert [p["pages"] for p in pages] == [3, 3, 3]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    ids = [i["id"] for p in pages for i in p["items"]]
    assert ids == [d.id for d in reversed(dossiers)]
    # Past the end: the last page.
    assert search(client, headers, per_page=2, page=99)["page"] == 3


def test_bad_filters_are_reported_by_field(client: TestClient, staff: Staff, auth: Auth) -> None:
    headers = auth(staff.case_worker)
    cases = [
        ({"stage": "lost"}, "stage", "Étape inconnue."),
        ({"page": 0}, "page", "La valeur doit être au moins 1."),
        ({"per_page": 1000}, "per_page", "La valeur doit être au plus 100."),
        ({"assignee_id": "bob"}, "assignee_id", "Nombre entier attendu."),
    ]
    for params, field, message in cases:
        response = client.get("/api/v1/dossiers", params=params, headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"] == [{"field": field, "message": message}]


def test_one_audit_entry_lists_the_dossiers_shown(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossiers = seed_people(web_settings, staff)
    search(client, auth(staff.case_worker), per_page=2, q="dupont")
    [entry] = audit_entries(web_settings, "dossier.list")
    detail = json.loads(entry.detail)
    assert detail["dossier_ids"] == [dossiers[2].id, dossiers[0].id]
    assert detail["search"] is True
    assert "dupont" not in entry.detail.lower()


@contextmanager
def statements(settings: Settings) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = get_engine(settings)

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_page_and_count_are_two_queries(staff: Staff, web_settings: Settings) -> None:
    seed_people(web_settings, staff)
    with statements(web_settings) as seen, session_scope(web_settings) as session:
        page = list_dossiers(session, staff.case_worker, q="dupont", settings=web_settings)
    assert page.total == 2
    reads = [s for s in seen if "FROM dossier" in s]
    assert len(reads) == 2, reads
    # Client and assignee come with the page: no query per row.
    assert not [
        s
        for s in seen
        if s.lstrip().startswith("SELECT") and "FROM client" in s and "dossier" not in s
    ]
