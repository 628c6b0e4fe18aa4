"""The dossier list as CSV: what the list's filters and search show, every page, for French
Excel (UTF-8 with BOM, ";"), formulas neutralised, one audit entry, only for roles that list."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from models.database import session_scope
from models.dossier import Dossier
from services.dossiers.export import safe_cell


def rows_of(response_text: str) -> list[list[str]]:
    assert response_text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(response_text[1:]), delimiter=";"))


def test_the_export_holds_what_the_list_shows(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    first = seed_dossier(web_settings, staff.case_worker)
    second = seed_dossier(
        web_settings, staff.colleague, first_name="Marc", last_name="Lefèvre", email="m@exemple.fr"
    )
    lyon = seed_dossier(web_settings, staff.other_team, last_name="Lyonnais", email="l@ex.fr")
    deadline = datetime(2027, 3, 9, 12, tzinfo=UTC)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, second.id)
        assert row is not None
        row.stage, row.next_deadline = Stage.ANALYSIS, deadline
        session.add(row)
    sign_in(client, staff.supervisor)
    listing = client.get("/dossiers").text
    assert '<a href="/dossiers/export" download aria-describedby="result-count">Exporter' in listing
    response = client.get("/dossiers/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="dossiers-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = rows_of(response.text)
    assert header == [
        "Référence",
        "Client",
        "Étape",
        "Conseiller",
        "Créé le",
        "Prochaine échéance",
    ]
    today = utcnow().strftime("%d/%m/")
    assert [r[0] for r in rows] == [second.reference, first.reference]  # newest first
    assert rows[0][1:4] == ["Marc Lefèvre", "Analyse budgétaire", "Bruno Petit"]
    assert rows[0][4].startswith(today) and rows[0][5] == "09/03/2027"
    assert rows[1][1:4] == ["Jeanne Dupont", "Ouverture", "Alice Martin"]
    assert rows[1][5] == ""
    assert lyon.reference not in response.text and "Lyonnais" not in response.text
    [entry] = audit_entries(web_settings, "dossier.export")
    assert entry.actor == f"staff:{staff.supervisor.id}"
    detail = json.loads(entry.detail)
    assert detail["dossier_ids"] == [second.id, first.id]
    assert detail["stage"] is None and detail["search"] is False


def test_filters_and_search_are_honoured(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    jeanne = seed_dossier(web_settings, staff.case_worker)
    marc = seed_dossier(
        web_settings, staff.colleague, first_name="Marc", last_name="Lefèvre", email="m@exemple.fr"
    )
    with session_scope(web_settings) as session:
        row = session.get(Dossier, marc.id)
        assert row is not None
        row.stage = Stage.ANALYSIS
        session.add(row)
    sign_in(client, staff.case_worker)
    listing = client.get("/dossiers", params={"stage": "analysis", "q": "Lefèvre"}).text
    assert 'href="/dossiers/export?q=Lef%C3%A8vre&amp;stage=analysis"' in listing

    def references(**params: str) -> list[str]:
        return [r[0] for r in rows_of(client.get("/dossiers/export", params=params).text)[1:]]

    assert references(stage="analysis") == [marc.reference]
    assert references(q="Dupont") == [jeanne.reference]
    assert references(assignee=str(staff.case_worker.id)) == [jeanne.reference]
    assert references(q="Lefèvre", stage="intake") == []
    # What the list ignores (with its message), the export ignores too; never a 500.
    assert references(stage="nonsense", assignee="x") == [marc.reference, jeanne.reference]
    detail = json.loads(audit_entries(web_settings, "dossier.export")[1].detail)
    assert detail["search"] is True and detail["dossier_ids"] == [jeanne.id]


def test_formulas_are_neutralised(client: TestClient, staff: Staff, web_settings: Settings) -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert [safe_cell(v) for v in ("+33", "-2", "@SUM(A1)", "\tx", "Jean-Luc")] == [
        "'+33",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "Jean-Luc",
    ]
    seed_dossier(web_settings, staff.case_worker, first_name="=HYPERLINK(A1)", last_name="Dupont")
    sign_in(client, staff.case_worker)
    [_, row] = rows_of(client.get("/dossiers/export").text)
    assert row[1] == "'=HYPERLINK(A1) Dupont"


def test_only_roles_that_list_dossiers_export(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.ops)
    refused = client.get("/dossiers/export")
    assert refused.status_code == 403
    assert "Jeanne" not in refused.text
    assert audit_entries(web_settings, "dossier.export") == []
    client.cookies.clear()
    sign_in(client, staff.dpo)
    assert len(rows_of(client.get("/dossiers/export").text)) == 2
