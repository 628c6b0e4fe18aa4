"""/creanciers: the creditor directory, read by all staff, kept by supervisors and admins."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlmodel import select
from support.webapp import Staff, audit_entries, count, sign_in

from config.settings import Settings
from domain.dossier_stages import CreditorKind
from models.creditor_directory import Creditor, CreditorChannel
from models.database import session_scope
from services.creditors import seed_sample_creditors


def new_creditor(**overrides: str) -> dict[str, str]:
    form = {
        "name": "Banque du Test",
        "kind": "bank",
        "contact_channel": "email",
        "contact_email": "Recouvrement@Banque-Test.example",
        "postal_address": "",
        "ombudsman_name": "Médiateur de la Banque du Test",
        "ombudsman_contact": "",
    }
    form.update(overrides)
    return form


def test_everyone_signed_in_reads_the_directory_only_editors_change_it(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    with session_scope(web_settings) as session:
        seed_sample_creditors(session)
    token = sign_in(client, staff.case_worker)
    page = html.unescape(client.get("/creanciers").text)
    assert "Habitat Exemple" in page and "Données d'exemple" in page
    # The sample's names are the names clients read in their emails: no technical suffix.
    assert "(annuaire d'exemple)" not in page
    assert 'href="/creanciers"' in page  # the nav link
    assert "/creanciers/nouveau" not in page and "/modifier" not in page
    assert client.get("/creanciers/nouveau").status_code == 403
    refused = client.post("/creanciers/nouveau", data={"csrf_token": token, **new_creditor()})
    assert refused.status_code == 403
    assert count(web_settings, Creditor) == len(CreditorKind)
    assert [e.object_id for e in audit_entries(web_settings, "access.denied")] == [
        "/creanciers/nouveau",
        "/creanciers/nouveau",
    ]


def test_a_supervisor_adds_a_creditor_and_a_refused_form_keeps_its_input(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.supervisor)
    missing = client.post(
        "/creanciers/nouveau",
        data={"csrf_token": token, **new_creditor(contact_email="", contact_channel="post")},
    )
    assert missing.status_code == 422
    page = html.unescape(missing.text)
    assert "Indiquez l'adresse postale à laquelle écrire à ce créancier." in page
    assert 'value="Banque du Test"' in page and 'value="Médiateur de la Banque du Test"' in page
    assert count(web_settings, Creditor) == 0

    created = client.post(
        "/creanciers/nouveau", data={"csrf_token": token, **new_creditor()}, follow_redirects=False
    )
    assert created.status_code == 303
    assert "Annuaire mis à jour : Banque du Test." in html.unescape(client.get("/creanciers").text)
    with session_scope(web_settings) as session:
        row = session.exec(select(Creditor)).one()
    assert (row.contact_channel, row.contact_email, row.sample) == (
        CreditorChannel.EMAIL,
        "Recouvrement@banque-test.example",
        False,
    )
    [entry] = audit_entries(web_settings, "creditor.create")
    assert entry.object_id == str(row.id) and entry.actor == f"staff:{staff.supervisor.id}"

    duplicate = client.post("/creanciers/nouveau", data={"csrf_token": token, **new_creditor()})
    assert duplicate.status_code == 422
    assert "figure déjà dans l'annuaire" in html.unescape(duplicate.text)


def test_editing_a_sample_entry_makes_it_a_real_one(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    with session_scope(web_settings) as session:
        sample = next(c for c in seed_sample_creditors(session) if c.kind == CreditorKind.ENERGY)
    token = sign_in(client, staff.admin)
    form = client.get(f"/creanciers/{sample.id}/modifier")
    assert form.status_code == 200 and "solidarite@energie.exemple" in form.text
    saved = client.post(
        f"/creanciers/{sample.id}/modifier",
        data={
            "csrf_token": token,
            **new_creditor(name="Énergie du Test", kind="energy", ombudsman_name=""),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with session_scope(web_settings) as session:
        row = session.get(Creditor, sample.id)
    assert row is not None and (row.name, row.sample, row.ombudsman_name) == (
        "Énergie du Test",
        False,
        None,
    )
    [entry] = audit_entries(web_settings, "creditor.update")
    # What changed, by field name: the values themselves stay out of the audit log.
    assert "ombudsman_name" in entry.detail and "Énergie du Test" not in entry.detail
    assert client.get("/creanciers/999999/modifier").status_code == 404


def test_the_directory_form_needs_the_csrf_token(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.supervisor)
    response = client.post("/creanciers/nouveau", data=new_creditor())
    assert response.status_code == 403
    assert count(web_settings, Creditor) == 0


def test_sample_creditors_one_per_kind_one_by_post_only_seeded_once(
    web_settings: Settings,
) -> None:
    with session_scope(web_settings) as session:
        created = seed_sample_creditors(session)
    with session_scope(web_settings) as session:
        assert seed_sample_creditors(session) == []
    assert sorted(c.kind for c in created) == sorted(k.value for k in CreditorKind)
    assert all(c.sample for c in created)
    post_only = [c for c in created if c.contact_channel == CreditorChannel.POST]
    assert len(post_only) == 1 and post_only[0].contact_email is None
    assert post_only[0].postal_address


def test_a_name_that_would_break_every_email_is_refused(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.supervisor)
    reasons = {
        "Crédit\nDémo": "caractères non autorisés",
        "Crédit\u202eDémo": "inverse le sens de lecture (U+202E)",
        "Créd\u200bit Démo": "caractère invisible",
        "Crédit Dеmo": "mélange plusieurs alphabets",  # a Cyrillic е
    }
    for name, reason in reasons.items():
        refused = client.post(
            "/creanciers/nouveau", data={"csrf_token": token, **new_creditor(name=name)}
        )
        assert refused.status_code == 422, name
        assert reason in html.unescape(refused.text), name
    assert count(web_settings, Creditor) == 0
    accepted = client.post(
        "/creanciers/nouveau",
        data={"csrf_token": token, **new_creditor(name="Cre\u0301dit Démo")},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    with session_scope(web_settings) as session:
        assert session.exec(select(Creditor)).one().name == "Crédit Démo"
