"""The printable dossier: everything on paper without the site's navigation, for those who may
read the dossier only, and audited as a read of the client's data."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from config.settings import Settings


def test_the_printable_dossier(client: TestClient, staff: Staff, web_settings: Settings) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.case_worker)
    before = len(audit_entries(web_settings, "client.read"))
    page = client.get(f"/dossiers/{dossier.id}/imprimer")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert f"<h1>Dossier {dossier.reference}</h1>" in text
    assert 'class="site-nav"' not in text and "print.css" in text
    for expected in (
        "Jeanne Dupont",
        "jeanne.dupont@exemple.fr",
        "Banque Exemple",
        "FR76-0001",
        "Pièce d&#39;identité : manquante",
        "Aucun budget saisi.",
        "Dossier créé",
        "Alice Martin",
    ):
        assert expected in text, expected
    reads = audit_entries(web_settings, "client.read")
    assert len(reads) == before + 1
    assert reads[-1].reason == "impression du dossier"
    assert json.loads(reads[-1].detail)["dossier_id"] == dossier.id


def test_another_team_may_not_print(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    sign_in(client, staff.other_team)
    refused = client.get(f"/dossiers/{dossier.id}/imprimer")
    assert refused.status_code == 403 and "Jeanne" not in refused.text
    assert client.get("/dossiers/nope/imprimer").status_code == 404
