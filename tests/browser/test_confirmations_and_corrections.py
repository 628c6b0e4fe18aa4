"""Nothing irreversible in one click, and mistakes can be corrected: a case worker previews an
offer before confirming it, corrects a client's contact details, removes a document uploaded
by mistake (reason, confirmation); a supervisor deletes a forfait from its confirmation page.
Temporal is unreachable here: the confirmed offer reaches the workflow call and comes back with
the "try again" message, the rest needs no workflow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from support.browser import LiveApp, check_page, log_in
from support.files import pdf_with
from support.negotiation import give_consent, paris_today, seed_negotiations
from support.stack import STAFF_PASSWORD, make_staff

from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState
from models.database import session_scope
from models.negotiation import Negotiation
from models.staff import Role, StaffUser
from services.budget.allowances import seed_sample_allowances

pytestmark = pytest.mark.browser


def test_preview_confirm_correct_and_remove(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
):
    settings = live_app.settings
    seed = seed_negotiations(settings, creditors=1)
    negotiation_id = seed.negotiation_ids[0]
    give_consent(settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state = NegotiationState.READY.value
        session.add(row)
        seed_sample_allowances(session)
    dossier_url = live_app.url(f"/dossiers/{seed.dossier_id}")
    log_in(page, live_app)

    # 1. An offer: the card's form shows what the creditor will receive; nothing is sent yet.
    page.goto(dossier_url)
    card = page.locator(f"#negociation-{negotiation_id}")
    card.get_by_text(re.compile("Préparer et envoyer une offre")).click()
    today = paris_today()
    card.get_by_label("Type d'offre").select_option("payment_plan")
    card.get_by_label("Montant total (€)").fill("1 200")
    card.get_by_label("Nombre d'échéances").fill("12")
    card.get_by_label("Montant de chaque échéance (€)").fill("100")
    card.get_by_label("Première échéance").fill((today + timedelta(days=40)).strftime("%d/%m/%Y"))
    card.get_by_label("Offre valable jusqu'au").fill(
        (today + timedelta(days=30)).strftime("%d/%m/%Y")
    )
    card.get_by_role("button", name="Voir ce que le créancier recevra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier l'offre avant envoi")
    shared = page.get_by_role("region", name="Destinataire et données partagées")
    expect(shared).to_contain_text("creditor1@creditors.example")
    expect(shared).to_contain_text("Identité, Dettes concernées")
    message = page.get_by_role("region", name="Le message")
    expect(message).to_contain_text("Jeanne Dupont")
    expect(message).to_contain_text(re.compile(r"Montant : 1\s?200,00\s?€"))
    check_page(page, "offer-preview")
    page.get_by_role("button", name="Confirmer l'envoi au créancier").click()
    # Confirmed: handed to the workflow, which cannot be reached here.
    expect(page.get_by_text(re.compile("momentanément indisponible")).first).to_be_visible()

    # 2. The client's contact details: refused as typed, then corrected.
    page.goto(dossier_url)
    page.get_by_role("link", name="Modifier les coordonnées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier les coordonnées du client")
    page.get_by_label("Adresse e-mail").fill("jeanne.martin@")
    page.get_by_role("button", name="Enregistrer les coordonnées").click()
    summary = page.get_by_role("alert").filter(has_text="n'a pas été enregistré")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Adresse e-mail : Adresse e-mail invalide")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("jeanne.martin@")
    check_page(page, "client-edit-refused")
    page.get_by_label("Adresse e-mail").fill("jeanne.martin@exemple.fr")
    page.get_by_label("Motif de la correction").fill("Nouvelle adresse donnée au téléphone")
    page.get_by_role("button", name="Enregistrer les coordonnées").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Coordonnées enregistrées : Adresse e-mail."
    )
    expect(page.locator("#h-client").locator("..")).to_contain_text("jeanne.martin@exemple.fr")

    # 3. A document uploaded by mistake: removed with a reason, after a confirmation page.
    upload = page.locator("#upload")
    upload.get_by_label("Type de pièce").select_option("rent")
    upload.get_by_label("Fichier").set_input_files(
        {"name": "quittance-voisin.pdf", "mimeType": "application/pdf", "buffer": pdf_with()}
    )
    upload.get_by_role("button", name="Déposer le document").click()
    expect(page.get_by_role("status").first).to_contain_text("Document déposé")
    page.get_by_role("link", name=re.compile("Retirer ou remplacer : quittance-voisin.pdf")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retirer ou remplacer une pièce")
    expect(page.locator("main")).to_contain_text("quittance-voisin.pdf")
    check_page(page, "document-removal")
    page.get_by_label("Motif").fill("Quittance d'une autre personne")
    page.get_by_role("button", name="Retirer la pièce et détruire son fichier").click()
    expect(page.get_by_role("status").first).to_contain_text("Pièce retirée")
    expect(page.get_by_role("link", name="quittance-voisin.pdf")).to_have_count(0)

    # 4. A supervisor pages through the forfaits and deletes one from its confirmation page.
    page.get_by_role("button", name="Se déconnecter").click()
    supervisor = make_staff(
        settings,
        email="superviseure@cravelynos.example",
        role=Role.SUPERVISOR,
        name="Sonia Garnier",
    )
    page.goto(live_app.url("/login"))
    page.get_by_label("Adresse e-mail professionnelle").fill(supervisor.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_app.url("/allowances"))
    pages = page.get_by_role("navigation", name="Pagination des forfaits")
    pages.get_by_role("link", name="Page 2").click()
    expect(pages.locator('[aria-current="page"]')).to_have_text("2")
    row = page.locator("tbody tr").first
    row.get_by_role("link", name=re.compile("^Supprimer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer ce forfait ?")
    check_page(page, "allowance-delete")
    page.get_by_role("button", name="Supprimer définitivement ce forfait").click()
    expect(page.get_by_role("status").first).to_contain_text("Forfait supprimé")
    assert problems == []
