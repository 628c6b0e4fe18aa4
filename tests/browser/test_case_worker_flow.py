"""A case worker signs in, opens a dossier (a refused first try keeps what was typed), finds it in
the list and by its reference. Temporal is unreachable: creation must succeed all the same.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support.browser import STAFF_NAME, LiveApp, log_in, screenshot

pytestmark = pytest.mark.browser


def fill_new_dossier(page: Page, email: str) -> None:
    page.get_by_label("Prénom").fill("Jeanne")
    page.get_by_label("Nom de famille").fill("Dupont-Lefèvre")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Adresse postale").fill("12 rue des Lilas\n69003 Lyon")
    page.get_by_label("Département").fill("69")
    page.get_by_label("Moyen de contact préféré").select_option(label="Téléphone")
    first = page.get_by_role("group", name="Créancier 1")
    first.get_by_label("Nom du créancier").fill("Banque Rhône-Alpes")
    first.get_by_label("Type").select_option(label="Banque")
    first.get_by_label("N° de contrat ou de compte").fill("PR-778812")
    second = page.get_by_role("group", name="Créancier 2")
    second.get_by_label("Nom du créancier").fill("Électricité de Lyon")
    second.get_by_label("Type").select_option(label="Fournisseur d'énergie")
    page.get_by_label("Dernier avis d'imposition").check()


def test_login_create_dossier_and_find_it(live_app: LiveApp, page: Page, problems: list[str]):
    page.goto(live_app.url("/dossiers"))
    expect(page).to_have_url(re.compile(r"/login\?next=/dossiers"))
    screenshot(page, "login")
    log_in(page, live_app)
    expect(page.get_by_text("Aucun dossier pour le moment.")).to_be_visible()
    expect(page.locator(".user-menu")).to_contain_text(STAFF_NAME)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Nouveau dossier"
    ).click()
    expect(page.get_by_role("heading", name="Nouveau dossier")).to_be_visible()
    # Three creditor rows without JavaScript; the script adds a fourth on demand.
    expect(page.locator("[data-creditor-row]")).to_have_count(3)
    page.get_by_role("button", name="Ajouter un créancier").click()
    expect(page.get_by_role("group", name="Créancier 4")).to_be_visible()

    fill_new_dossier(page, email="jeanne.dupont@")
    page.get_by_role("button", name="Créer le dossier").click()

    summary = page.get_by_role("alert").filter(has_text="n'a pas été enregistré")
    expect(summary).to_contain_text("Adresse e-mail invalide")
    email = page.get_by_label("Adresse e-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-email-error")).to_contain_text("prenom.nom@exemple.fr")
    expect(email).to_have_value("jeanne.dupont@")
    # Everything else comes back exactly as typed.
    expect(page.get_by_label("Prénom")).to_have_value("Jeanne")
    expect(page.get_by_label("Nom de famille")).to_have_value("Dupont-Lefèvre")
    expect(page.get_by_label("Téléphone")).to_have_value("06 12 34 56 78")
    expect(page.get_by_label("Adresse postale")).to_have_value("12 rue des Lilas\n69003 Lyon")
    expect(page.get_by_label("Moyen de contact préféré")).to_have_value("phone")
    second = page.get_by_role("group", name="Créancier 2")
    expect(second.get_by_label("Nom du créancier")).to_have_value("Électricité de Lyon")
    expect(second.get_by_label("Type")).to_have_value("energy")
    expect(page.get_by_label("Dernier avis d'imposition")).to_be_checked()
    expect(page.get_by_label("Le client accepte de recevoir les informations")).not_to_be_checked()
    screenshot(page, "new-dossier-refused")

    email.fill("jeanne.dupont@example.fr")
    page.get_by_role("button", name="Créer le dossier").click()

    expect(page).to_have_url(re.compile(r"/dossiers/[0-9a-f]{32}$"))
    flash = page.get_by_role("status").filter(has_text="créé")
    expect(flash).to_contain_text(re.compile(r"Dossier CRV-\d{4}-000001 créé\."))
    reference = re.search(r"CRV-\d{4}-\d{6}", flash.inner_text())
    assert reference is not None
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(reference.group(0))
    expect(heading).to_contain_text("Ouverture")
    client = page.locator("section", has=page.get_by_role("heading", name="Client"))
    expect(client).to_contain_text("Jeanne Dupont-Lefèvre")
    expect(client).to_contain_text("jeanne.dupont@example.fr")
    expect(client).to_contain_text("06 12 34 56 78")
    creditors = page.locator("section", has=page.get_by_role("heading", name="Créanciers"))
    expect(creditors).to_contain_text("Banque Rhône-Alpes")
    expect(creditors).to_contain_text("PR-778812")
    expect(creditors).to_contain_text("Électricité de Lyon")
    tax_notice = page.get_by_role("listitem").filter(has_text="Dernier avis d'imposition")
    expect(tax_notice).to_contain_text("Manquante")
    expect(page.locator(".badge-missing", has_text="Manquante")).to_have_count(3)
    expect(page.get_by_text("Dossier créé : 2 créanciers, 3 pièces attendues")).to_be_visible()
    # The workflow in Temporal is for roles that can decode its payloads, not case workers.
    expect(page.get_by_role("link", name="Voir dans Temporal")).to_have_count(0)
    expect(page.get_by_role("button", name="Clôturer le dossier")).to_be_visible()
    screenshot(page, "dossier-page")

    page.get_by_role("link", name="Retour à la liste").click()
    expect(page).to_have_url(live_app.url("/dossiers"))
    row = page.get_by_role("row").filter(has_text=reference.group(0))
    expect(row).to_contain_text("Jeanne Dupont-Lefèvre")
    expect(row).to_contain_text("Ouverture")
    expect(row).to_contain_text(STAFF_NAME)
    expect(page.get_by_text("1 dossier")).to_be_visible()
    screenshot(page, "dossier-list")

    search = page.get_by_role("searchbox", name="Rechercher")
    search.fill(reference.group(0))
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"\?q=CRV-\d{4}-000001(&|$)"))
    expect(page.get_by_role("link", name=reference.group(0))).to_be_visible()
    expect(search).to_have_value(reference.group(0))

    search.fill("CRV-1999")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Aucun dossier ne correspond à cette recherche.")).to_be_visible()

    page.get_by_role("link", name="Voir tous les dossiers").click()
    page.get_by_role("link", name=reference.group(0)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference.group(0))

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    page.goto(live_app.url("/dossiers"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    assert problems == []
