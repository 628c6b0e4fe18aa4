"""A case worker finds a client by name without its accent, then by phone typed another way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import LiveApp, check_page, log_in
from support.stack import intake, make_dossier, make_staff

from models.staff import StaffUser

pytestmark = pytest.mark.browser


def test_search_by_name_without_accent_and_by_phone(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
) -> None:
    settings = live_app.settings
    make_dossier(settings, case_worker, intake(email="jeanne.dupont@example.org"))
    marc = make_dossier(
        settings,
        case_worker,
        intake(
            email="marc.lefevre@example.org",
            first_name="Marc",
            last_name="Lefèvre",
            phone="06 11 22 33 44",
        ),
    )
    lyon = make_staff(settings, email="lyon@cravelynos.example", team="lyon", name="Léon Lyon")
    make_dossier(
        settings, lyon, intake(email="m.lefevre@example.org", first_name="Mia", last_name="Lefevre")
    )

    log_in(page, live_app)
    search = page.get_by_role("searchbox", name="Rechercher")
    expect(search).to_have_accessible_description(
        "Nom, prénom ou les deux (mots entiers ; accents et majuscules indifférents : "
        "« lefevre » trouve « Lefèvre »), téléphone dans tout format, adresse e-mail complète, "
        "référence du dossier ou ses derniers chiffres, nom d'un créancier du dossier. "
        "Chaque mot saisi doit correspondre."
    )
    search.fill("lefevre")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("1 dossier", exact=True)).to_be_visible()
    # Only the Paris client: the Lyon team's Lefevre is out of this case worker's scope.
    rows = page.get_by_role("row").filter(has_text="CRV-")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Marc Lefèvre")
    expect(rows).to_contain_text(marc.reference)
    check_page(page, "dossier-search-name")

    search.fill("+33 6 11 22 33 44")
    search.press("Enter")
    expect(page.get_by_role("searchbox", name="Rechercher")).to_have_value("+33 6 11 22 33 44")
    expect(page.get_by_role("row").filter(has_text="CRV-")).to_have_count(1)
    expect(page.get_by_role("link", name=marc.reference)).to_be_visible()

    search.fill("lefevre 06 12 34 56 78")
    search.press("Enter")
    expect(page.get_by_text("Aucun dossier ne correspond à cette recherche.")).to_be_visible()
    check_page(page, "dossier-search-none")
    assert problems == []
