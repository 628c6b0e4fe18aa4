"""The dossier list: search, filters, pagination, newest first, one audit entry per page.

Search finds people by whole words of their names (accents, case and order aside), their phone in
any format, their email, a piece of the reference or a creditor's name, within the viewer's
scope; erasure and rectification keep the index true."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, event
from sqlmodel import col, select
from support.privacy import record_privacy_request
from support.webapp import Staff, audit_entries, count, seed_dossier, sign_in

from cli import cmd_reindex_search
from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from domain.privacy.rectification import RectifiableField, RectificationIn
from domain.privacy.request import Right
from models.database import get_engine, session_scope
from models.dossier import Dossier
from models.privacy_request import PrivacyRequest
from models.search_token import ClientSearchToken
from models.staff import StaffUser
from services.dossiers.queries import list_dossiers
from services.dossiers.search_index import index_unindexed
from services.privacy_requests.erasure import execute_erasure
from services.privacy_requests.rectification import rectify

Auth = Callable[..., dict[str, str]]

PEOPLE = [
    ("Jeanne", "Dupont", "jeanne.dupont@exemple.fr", "06 12 34 56 78"),
    ("Marc", "Lefèvre", "marc.lefevre@exemple.fr", "06 11 22 33 44"),
    ("Inès", "Dupont", "ines.d@exemple.fr", "07 55 66 77 88"),
    ("Paul", "Moreau", "paul.moreau@exemple.fr", "0692 12 34 56"),
    ("Lina", "Girard", "lina.girard@exemple.fr", "01 44 55 66 77"),
]
# Paul Moreau's only creditor; the others have the default two (Banque Exemple, Énergie Plus).
PAULS_CREDITOR = {"name": "Société Générale d'Œuvres", "kind": "bank", "account_reference": None}


def seed_people(settings: Settings, staff: Staff) -> list[Dossier]:
    """Five dossiers, oldest first, one minute apart; the last one is the colleague's."""
    dossiers = []
    start = utcnow() - timedelta(hours=1)
    for index, (first, last, email, phone) in enumerate(PEOPLE):
        actor = staff.colleague if index == 4 else staff.case_worker
        extra = {"creditors": [PAULS_CREDITOR]} if first == "Paul" else {}
        dossier = seed_dossier(
            settings, actor, first_name=first, last_name=last, email=email, phone=phone, **extra
        )
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


def finder(client: TestClient, headers: dict[str, str]) -> Callable[[str], list[str]]:
    def found(q: str) -> list[str]:
        return [i["id"] for i in search(client, headers, q=q)["items"]]

    return found


def test_names_without_accents_case_or_order(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    jeanne, marc, ines, paul, lina = seed_people(web_settings, staff)
    found = finder(client, auth(staff.case_worker))
    assert found("lefevre") == found("LEFÈVRE") == found("Lefevre") == [marc.id]
    assert found("INES") == found("inès") == [ines.id]
    # First name, last name, or both in either order: every word must match the same person.
    assert found("jeanne") == [jeanne.id]
    assert found("jeanne dupont") == found("DUPONT  Jeanne") == [jeanne.id]
    assert found("dupont ines") == [ines.id]
    assert found("dupont") == [ines.id, jeanne.id]
    assert found("jeanne lefevre") == []
    # The colleague's dossier, in the case worker's team.
    assert found("lina girard") == [lina.id]
    # Whole words: a beginning is not enough (see docs/architecture.md, dossier search).
    assert found("lefe") == []
    assert found("paul") == [paul.id]


def test_phone_in_any_format(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    jeanne, marc, _ines, paul, _lina = seed_people(web_settings, staff)
    found = finder(client, auth(staff.case_worker))
    for typed in (
        "06 11 22 33 44",
        "0611223344",
        "06.11.22.33.44",
        "+33611223344",
        "+33 6 11 22 33 44",
        "0033 6 11 22 33 44",
    ):
        assert found(typed) == [marc.id], typed
    # Réunion, stored as +262: found as dialled from France or from abroad.
    assert found("0692 12 34 56") == found("+262 692 123 456") == [paul.id]
    assert found("06 12 34 56 78") == [jeanne.id]
    assert found("dupont 06 12 34 56 78") == [jeanne.id]
    assert found("lefevre 06 12 34 56 78") == []
    assert found("06 99 99 99 99") == []


def test_email_reference_pieces_and_creditors(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    jeanne, marc, ines, paul, lina = seed_people(web_settings, staff)
    found = finder(client, auth(staff.case_worker))
    assert found("Ines.D@Exemple.FR") == [ines.id]
    assert found("ines.d@exemple") == []
    # A reference whole, or its last digits (CRV-<year>-<6 digits>).
    assert found(marc.reference) == found(marc.reference.lower()) == [marc.id]
    assert found(marc.reference[-6:]) == found(marc.reference[-3:]) == [marc.id]
    assert found(marc.reference[4:]) == [marc.id]  # "2026-000002"
    # Creditors' names, accents, ligatures and apostrophes aside.
    assert found("societe generale") == found("Société Générale d'Œuvres") == [paul.id]
    assert found("oeuvres") == [paul.id]
    assert found("energie plus") == [lina.id, ines.id, marc.id, jeanne.id]
    assert found("moreau energie") == []
    assert found("dupont energie") == [ines.id, jeanne.id]
    # Punctuation alone and wildcards match nothing rather than everything.
    assert found("*") == found("_") == found("CRV-*") == found("'") == []


def test_other_teams_dossiers_are_not_found(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    jeanne, *_ = seed_people(web_settings, staff)
    lyon = seed_dossier(
        web_settings, staff.other_team, email="jd.lyon@exemple.fr", phone="06 12 34 56 78"
    )
    assert finder(client, auth(staff.case_worker))("jeanne dupont") == [jeanne.id]
    lyon_finds = finder(client, auth(staff.other_team))
    assert lyon_finds("jeanne dupont") == lyon_finds("06 12 34 56 78") == [lyon.id]
    assert lyon_finds("lefevre") == lyon_finds(jeanne.reference) == []


def _tokens_of(settings: Settings, client_id: str) -> list[ClientSearchToken]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(ClientSearchToken).where(ClientSearchToken.client_id == client_id)
            ).all()
        )


def test_an_erased_client_is_not_found(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    _jeanne, marc, *_ = seed_people(web_settings, staff)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, marc.id)
        assert row is not None
        row.stage, row.closed_at = Stage.CLOSED, utcnow() - timedelta(days=6 * 366)
        session.add(row)
    request = record_privacy_request(
        web_settings, staff.dpo, utcnow(), Right.ERASURE, client_id=marc.client_id
    )
    with session_scope(web_settings) as session:
        request_row = session.get(PrivacyRequest, request.id)
        assert request_row is not None
        plan = execute_erasure(
            session, web_settings, request_row, utcnow(), web_settings.retention_policy
        )
    assert plan.complete
    assert _tokens_of(web_settings, marc.client_id) == []
    found = finder(client, auth(staff.supervisor))
    for q in ("lefevre", "marc", "06 11 22 33 44", "marc.lefevre@exemple.fr", "energie marc"):
        assert found(q) == [], q
    # The dossier itself is still listed, and found by its reference (no personal data).
    assert found(marc.reference) == [marc.id]


def test_a_rectified_name_is_found_under_the_new_one_only(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    _jeanne, marc, *_ = seed_people(web_settings, staff)
    request = record_privacy_request(
        web_settings, staff.dpo, utcnow(), Right.RECTIFICATION, client_id=marc.client_id
    )
    changes = [
        (RectifiableField.LAST_NAME, "Le Gall-D'Arcy"),
        (RectifiableField.PHONE, "07 01 02 03 04"),
        (RectifiableField.EMAIL, "marc.legall@exemple.fr"),
    ]
    with session_scope(web_settings) as session:
        dpo = session.get(StaffUser, staff.dpo.id)
        assert dpo is not None
        for field, value in changes:
            change = RectificationIn.model_validate(
                {"field": field.value, "new_value": value, "justification": "Courrier reçu."}
            )
            rectify(session, web_settings, dpo, request.id, change, utcnow())
    found = finder(client, auth(staff.case_worker))
    for old in ("lefevre", "marc lefevre", "06 11 22 33 44", "marc.lefevre@exemple.fr"):
        assert found(old) == [], old
    for new in (
        "marc le gall-d'arcy",
        "legall",
        "darcy marc",
        "LE GALL",
        "0701020304",
        "+33 7 01 02 03 04",
        "Marc.LeGall@exemple.fr",
        "banque marc",  # the creditors' tokens stay
    ):
        assert found(new) == [marc.id], new


def test_reindex_search_rebuilds_the_index_idempotently(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    jeanne, marc, *_ = seed_people(web_settings, staff)
    before = count(web_settings, ClientSearchToken)
    with session_scope(web_settings) as session:
        session.exec(delete(ClientSearchToken))  # type: ignore[call-overload]
    found = finder(client, auth(staff.case_worker))
    assert found("lefevre") == []

    assert cmd_reindex_search(argparse.Namespace(batch=2), web_settings) == 0
    assert count(web_settings, ClientSearchToken) == before
    assert found("lefevre") == found("06 11 22 33 44") == found("banque marc") == [marc.id]
    assert cmd_reindex_search(argparse.Namespace(batch=500), web_settings) == 0
    assert count(web_settings, ClientSearchToken) == before
    assert found("jeanne dupont") == [jeanne.id]
    # One audit entry per batch of clients read: five clients, batches of two, then one of five.
    assert len(audit_entries(web_settings, "client.search_reindexed")) == 4

    # A demo database seeded before the index existed: its clients are indexed on the next start.
    with session_scope(web_settings) as session:
        marcs = col(ClientSearchToken.client_id) == marc.client_id
        session.exec(delete(ClientSearchToken).where(marcs))  # type: ignore[call-overload]
    with session_scope(web_settings) as session:
        assert index_unindexed(session, web_settings) == 1
    with session_scope(web_settings) as session:
        assert index_unindexed(session, web_settings) == 0
    assert count(web_settings, ClientSearchToken) == before
    assert found("marc lefevre") == [marc.id]


def test_the_page_says_what_can_be_searched_and_finds_by_name(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    _jeanne, marc, *_ = seed_people(web_settings, staff)
    sign_in(client, staff.case_worker)
    page = client.get("/dossiers", params={"q": "lefevre"})
    assert page.status_code == 200
    assert "téléphone dans tout format" in page.text
    assert "« lefevre » trouve « Lefèvre »" in page.text
    assert marc.reference in page.text and "Marc Lefèvre" in page.text
    assert "1 dossier" in page.text
    [entry] = audit_entries(web_settings, "dossier.list")
    assert json.loads(entry.detail)["dossier_ids"] == [marc.id]
