"""A case worker enters a budget (a bad amount first: named, everything kept), reads the analysis
band by band, chooses a strategy, downloads the PDF report and tries to send it. Temporal is
unreachable here, so sending is refused with the "try again" message and nothing changes.
A supervisor then edits a forfait of the commission.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from support.browser import LiveApp, log_in, screenshot
from support.stack import STAFF_PASSWORD, make_dossier, make_staff

from models.database import session_scope
from models.staff import Role, StaffUser
from services.budget.allowances import seed_sample_allowances

pytestmark = pytest.mark.browser


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def shown(page: Page, label: str) -> str:
    """A key figure of the analysis page as it reads there, no-break spaces made plain."""
    figure = page.locator(".key-figures li").filter(has_text=label).locator("strong")
    return " ".join(figure.inner_text().replace("\u202f", " ").replace("\u00a0", " ").split())


def fill_budget(page: Page, second_amount: str) -> None:
    page.get_by_label("Date de l'analyse").fill("02/06/2025")
    page.get_by_label("Adultes du foyer").select_option("2")
    page.get_by_label("Enfants du foyer").fill("2")
    page.get_by_label("Personnes à charge").fill("2")
    first = page.get_by_role("group", name="Ressource 1")
    first.get_by_label("Type").select_option(label="Salaire")
    first.get_by_label("Libellé").fill("CDI")
    first.get_by_label("Montant mensuel (€)").fill("1 850,00")
    second = page.get_by_role("group", name="Ressource 2")
    second.get_by_label("Type").select_option(label="Salaire")
    second.get_by_label("Montant mensuel (€)").fill(second_amount)
    second.get_by_label("Perçue par").select_option(label="Adulte 2")
    rent = page.get_by_role("group", name="Charge 1")
    rent.get_by_label("Catégorie").select_option(label="Loyer (charges locatives comprises)")
    rent.get_by_label("Montant mensuel (€)").fill("850")
    # The dossier's creditors are already there: Banque Exemple and Énergie Exemple.
    bank = page.get_by_role("group", name="Dette 1")
    expect(bank.get_by_label("Créancier", exact=True)).to_have_value("Banque Exemple")
    bank.get_by_label("Nature de la dette").select_option(label="Crédit à la consommation")
    bank.get_by_label("Capital restant dû (€)").fill("8 400")
    bank.get_by_label("Arriérés (€)").fill("620")
    bank.get_by_label("Échéance mensuelle (€)").fill("310")
    energy = page.get_by_role("group", name="Dette 2")
    energy.get_by_label("Nature de la dette").select_option(label="Impayé d'énergie")
    energy.get_by_label("Capital restant dû (€)").fill("0")
    energy.get_by_label("Arriérés (€)").fill("460")


def test_budget_analysis_strategy_and_report(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
):
    with session_scope(live_app.settings) as session:
        seed_sample_allowances(session)
    dossier = make_dossier(live_app.settings, case_worker)
    log_in(page, live_app)
    page.goto(live_app.url(f"/dossiers/{dossier.id}"))
    section = page.locator("#budget")
    expect(section).to_contain_text("Non commencée")
    section.get_by_role("link", name="Saisir le budget").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Budget")

    fill_budget(page, second_amount="douze cents")
    page.get_by_role("button", name="Enregistrer et voir l'analyse").click()
    summary = page.get_by_role("alert").filter(has_text="n'a pas été enregistré")
    expect(summary).to_contain_text("Ressource 2 (montant mensuel) : Montant attendu")
    second = page.get_by_role("group", name="Ressource 2")
    amount = second.get_by_label("Montant mensuel (€)")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_value("douze cents")
    expect(page.locator("#f-resources-1-monthly_amount-error")).to_contain_text("1234,56")
    # Everything else comes back exactly as typed.
    expect(page.get_by_role("group", name="Ressource 1").get_by_label("Libellé")).to_have_value(
        "CDI"
    )
    expect(second.get_by_label("Perçue par")).to_have_value("2")
    expect(page.get_by_label("Enfants du foyer")).to_have_value("2")
    expect(
        page.get_by_role("group", name="Dette 1").get_by_label("Capital restant dû (€)")
    ).to_have_value("8 400")
    screenshot(page, "budget-entry-refused")

    amount.fill("1 200,00")
    page.get_by_role("button", name="Enregistrer et voir l'analyse").click()
    expect(page.get_by_role("status").first).to_contain_text("Budget enregistré")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analyse budgétaire")
    bands = page.locator("#bands")
    expect(bands.locator("tbody tr").first).to_contain_text("1/20")
    expect(bands.locator("tbody").first.locator("tr")).to_have_count(7)
    expect(bands).to_contain_text("Quotité saisissable mensuelle (Q)")
    expect(page.get_by_text("en vigueur depuis le 1er janvier 2025")).to_be_visible()
    quotite = shown(page, "Quotité saisissable")
    capacity = shown(page, "Capacité de remboursement")
    assert re.fullmatch(r"[\d ]+,\d\d €", quotite), quotite
    screenshot(page, "budget-analysis")

    page.get_by_role("link", name="Étape suivante : stratégie et envoi").click()
    plan = page.get_by_role("group", name=re.compile(r"Démarche 1 : Plan de remboursement"))
    expect(plan).to_contain_text("proposée par l'analyse")
    plan.get_by_label("Retenir cette démarche").check()
    plan.get_by_label("Justification").fill("Plan amiable avec la banque, à la mesure du budget.")
    page.get_by_role("button", name="Enregistrer la stratégie").click()
    expect(page.get_by_role("status").first).to_contain_text("Stratégie enregistrée")
    expect(
        page.get_by_role("group", name=re.compile(r"Démarche 1 : .* enregistrée")).get_by_label(
            "Retenir cette démarche"
        )
    ).to_be_checked()
    screenshot(page, "budget-strategy")

    send = page.locator("#send")
    with page.expect_download() as download_info:
        send.get_by_role("link", name="Aperçu du rapport (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-apercu.pdf")
    text = pdf_text(download.path().read_bytes())
    assert "Aperçu de travail" in text
    assert quotite in text and capacity in text
    assert "en vigueur depuis le 1er janvier 2025" in text  # the barème's date
    assert "646,52 €" in text and "1er avril 2025" in text  # the RSA and its date
    assert "Plan de remboursement amiable" in text
    assert "Plan amiable avec la banque, à la mesure du budget." in text

    send.get_by_role("button", name="Envoyer l'analyse au client").click()
    alert = page.locator("#send").get_by_role("alert")
    expect(alert).to_contain_text("L'analyse n'a pas été envoyée.")
    expect(alert).to_contain_text("momentanément indisponible")
    expect(alert).to_be_in_viewport()
    screenshot(page, "budget-send-refused")

    page.get_by_role("link", name="Retour au dossier").click()
    section = page.locator("#budget")
    expect(section).to_contain_text("Budget saisi")
    expect(section).to_contain_text("pas encore envoyé au client")
    section.scroll_into_view_if_needed()
    screenshot(page, "dossier-budget-section")
    assert problems == []


def test_supervisor_edits_a_forfait(live_app: LiveApp, page: Page, problems: list[str]):
    with session_scope(live_app.settings) as session:
        seed_sample_allowances(session)
    supervisor = make_staff(
        live_app.settings,
        email="superviseure@cravelynos.example",
        role=Role.SUPERVISOR,
        name="Sonia Garnier",
    )
    page.goto(live_app.url("/login"))
    page.get_by_label("Adresse e-mail professionnelle").fill(supervisor.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_app.url("/allowances?departement=75"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forfaits")
    paris = page.locator("#d-75")
    row = paris.locator("tr").filter(has_text="Alimentation").first
    expect(row).to_contain_text("données d'exemple")
    row.get_by_role("link", name=re.compile("Modifier")).click()
    form = page.locator("#form")
    expect(form.get_by_label("Département")).to_have_value("75")
    form.get_by_label("Adulte seul (€ par mois)").fill("quatre cents")
    form.get_by_role("button", name="Enregistrer le forfait").click()
    expect(page.get_by_role("alert")).to_contain_text("Adulte seul : Montant attendu")
    expect(form.get_by_label("Adulte seul (€ par mois)")).to_have_value("quatre cents")
    form.get_by_label("Adulte seul (€ par mois)").fill("400")
    form.get_by_label("Source").fill("Commission de Paris, délibération du 12 décembre 2025")
    form.get_by_role("button", name="Enregistrer le forfait").click()
    expect(page.get_by_role("status").first).to_contain_text("Forfait enregistré")
    edited = page.locator("#d-75 tr").filter(has_text="délibération du 12 décembre 2025")
    expect(edited).to_have_count(1)
    expect(edited).not_to_contain_text("données d'exemple")
    screenshot(page, "allowances")
    assert problems == []
