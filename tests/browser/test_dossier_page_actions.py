"""Actions on the dossier page: a refused one says why on the page and keeps what was typed.

Temporal is unreachable here, so an upload is stored with a notice and a closure is refused
with the "try again" message, the dossier left as it was.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import LiveApp, log_in, screenshot
from support.stack import TINY_PDF, intake, make_dossier, make_staff

from models.staff import StaffUser

pytestmark = pytest.mark.browser


def test_upload_and_close_refusals_keep_the_page(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
):
    dossier = make_dossier(live_app.settings, case_worker)
    log_in(page, live_app)
    page.goto(live_app.url(f"/dossiers/{dossier.id}"))
    upload = page.locator("#upload")

    # An executable renamed to .pdf: refused, the chosen kind stays selected.
    upload.get_by_label("Type de pièce").select_option(label="Pièce d'identité")
    upload.get_by_label("Fichier").set_input_files(
        {"name": "identite.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00rest"}
    )
    upload.get_by_role("button", name="Déposer le document").click()
    expect(upload.get_by_role("alert")).to_contain_text("Le document n'a pas été déposé")
    expect(upload.get_by_role("alert")).to_be_in_viewport()
    expect(page.locator("#f-file-error")).to_contain_text("n'est pas un vrai PDF")
    expect(upload.get_by_label("Fichier")).to_have_attribute("aria-invalid", "true")
    expect(upload.get_by_label("Type de pièce")).to_have_value("identity")
    expect(page.get_by_text("Aucun document déposé pour le moment.")).to_be_visible()

    upload.get_by_label("Fichier").set_input_files(
        {"name": "identité.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
    )
    upload.get_by_role("button", name="Déposer le document").click()
    expect(page.get_by_role("status").first).to_contain_text("Document déposé : Pièce d'identité")
    expect(page.get_by_text("La pièce est enregistrée")).to_be_visible()
    identity = page.get_by_role("listitem").filter(has_text="Pièce d'identité").first
    expect(identity).to_contain_text("Reçue le")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="identité.pdf", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "identité.pdf"
    assert download.path().read_bytes() == TINY_PDF

    close = page.locator("#close")
    close.get_by_role("button", name="Clôturer le dossier").click()
    expect(close.locator("#f-outcome-error")).to_contain_text("Choisissez l'issue du dossier.")

    close.get_by_label("Issue du dossier").select_option("referred_banque_de_france")
    close.get_by_label("Note de clôture").fill("Dossier de surendettement déposé le 3 mars.")
    close.get_by_role("button", name="Clôturer le dossier").click()
    # The message sits by the form, and the page opens there (the form posts to …#close).
    alert = close.get_by_role("alert")
    expect(alert).to_contain_text("Action non effectuée")
    expect(alert).to_contain_text("rien n'a été modifié")
    expect(alert).to_be_in_viewport()
    expect(close.get_by_label("Issue du dossier")).to_have_value("referred_banque_de_france")
    expect(close.get_by_label("Note de clôture")).to_have_value(
        "Dossier de surendettement déposé le 3 mars."
    )
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Clôturé")
    screenshot(page, "dossier-page-refused-closure")
    # The address bar shows the dossier's page: a reload opens it rather than posting again.
    assert page.url == live_app.url(f"/dossiers/{dossier.id}#close")
    with page.expect_response(lambda answer: answer.request.is_navigation_request()) as reload:
        page.reload()
    assert reload.value.request.method == "GET" and reload.value.status == 200
    assert problems == []


def test_another_teams_dossier_is_refused(live_app: LiveApp, page: Page):
    colleague = make_staff(
        live_app.settings, email="lyon@cravelynos.example", team="lyon", name="Léo Bernard"
    )
    theirs = make_dossier(live_app.settings, colleague, intake(email="autre@example.org"))
    log_in(page, live_app)
    expect(page.get_by_text("Aucun dossier pour le moment.")).to_be_visible()
    response = page.goto(live_app.url(f"/dossiers/{theirs.id}"))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(page.get_by_text("confié ni à vous ni à votre équipe")).to_be_visible()
    expect(page.get_by_text("autre@example.org")).to_have_count(0)
