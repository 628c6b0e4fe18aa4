"""Forfaits: the list is paged (25 rows a page, the département filter kept in every page
link) and a row is deleted only from its confirmation page, which names it."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import Staff, audit_entries, count, sign_in

from config.settings import Settings
from models.allowance_parameters import AllowanceParameter
from models.database import session_scope
from services.budget.allowances import list_parameters, seed_sample_allowances

ROW = re.compile(r'href="/allowances\?edit=(\d+)#form"')


def _seed(settings: Settings) -> list[AllowanceParameter]:
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        return list_parameters(session)


def test_the_list_is_paged_and_keeps_the_filter(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    rows = _seed(web_settings)
    assert len(rows) > 50
    sign_in(client, staff.supervisor)

    first = client.get("/allowances")
    assert first.status_code == 200
    assert len(ROW.findall(first.text)) == 25
    text = html.unescape(first.text)
    pages = -(-len(rows) // 25)
    assert f"{len(rows)} forfaits, page 1 sur {pages}." in text
    assert '<nav aria-label="Pagination des forfaits">' in text
    assert '<span aria-current="page">1</span>' in text
    assert 'href="/allowances?page=2" rel="next"' in text

    last = client.get(f"/allowances?page={pages}")
    shown = [int(i) for i in ROW.findall(last.text)]
    assert shown == [row.id for row in rows[(pages - 1) * 25 :]]
    # A page past the end shows the last one; a page that is not a number, the first.
    assert ROW.findall(client.get("/allowances?page=999").text) == ROW.findall(last.text)
    assert ROW.findall(client.get("/allowances?page=deux").text) == ROW.findall(first.text)

    paris = [row for row in rows if row.departement == "75"]
    assert len(paris) > 0
    filtered = client.get("/allowances?departement=75")
    assert [int(i) for i in ROW.findall(filtered.text)] == [row.id for row in paris][:25]
    if len(paris) > 25:
        assert 'href="/allowances?departement=75&amp;page=2"' in filtered.text


def test_deleting_a_forfait_goes_through_its_confirmation_page(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    rows = _seed(web_settings)
    token = sign_in(client, staff.admin)
    row = next(r for r in rows if r.departement == "75")
    before = count(web_settings, AllowanceParameter)

    listing = client.get("/allowances?departement=75")
    # The list links to the confirmation; no form on it deletes anything.
    assert f'href="/allowances/{row.id}/delete"' in listing.text
    assert 'action="/allowances/' not in listing.text

    confirm = client.get(f"/allowances/{row.id}/delete")
    assert confirm.status_code == 200
    text = html.unescape(confirm.text)
    assert "Supprimer ce forfait ?" in text and "département 75" in text
    assert f'action="/allowances/{row.id}/delete"' in text
    assert "Supprimer définitivement ce forfait" in text
    assert 'href="/allowances?departement=75#d-75"' in text
    assert count(web_settings, AllowanceParameter) == before  # showing it deleted nothing

    # Without the CSRF token of the session, nothing is deleted.
    forged = client.post(f"/allowances/{row.id}/delete", data={"csrf_token": "x"})
    assert forged.status_code == 403
    assert count(web_settings, AllowanceParameter) == before

    done = client.post(
        f"/allowances/{row.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/allowances?departement=75#d-75"
    with session_scope(web_settings) as session:
        assert (
            session.exec(select(AllowanceParameter).where(AllowanceParameter.id == row.id)).first()
            is None
        )
    assert len(audit_entries(web_settings, "allowance.delete")) == 1

    gone = client.get(f"/allowances/{row.id}/delete", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/allowances"


def test_case_workers_may_not_open_the_confirmation(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    row = _seed(web_settings)[0]
    sign_in(client, staff.case_worker)
    assert client.get(f"/allowances/{row.id}/delete").status_code == 403
