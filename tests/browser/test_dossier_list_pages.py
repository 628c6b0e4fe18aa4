"""The dossier list: filters by stage and assignee, pagination links that keep the filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from support.browser import STAFF_NAME, LiveApp, log_in, screenshot
from support.stack import intake, make_dossier, make_staff

from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser

pytestmark = pytest.mark.browser

PER_PAGE = 25


def test_filters_survive_pagination(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
):
    colleague = make_staff(live_app.settings, email="paul@cravelynos.example", name="Paul Roux")
    for number in range(PER_PAGE + 2):
        make_dossier(live_app.settings, case_worker, intake(email=f"c{number}@example.org"))
    theirs = make_dossier(live_app.settings, colleague, intake(last_name="Colin"))
    # What the workflow's activities write into the read model once it runs.
    with session_scope(live_app.settings) as session:
        row = session.get(Dossier, theirs.id)
        assert row is not None
        row.next_deadline = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
        row.next_deadline_label = "Relance n°1 si des pièces manquent"
        session.add(row)

    log_in(page, live_app)
    expect(page.get_by_text(f"{PER_PAGE + 3} dossiers · page 1 sur 2")).to_be_visible()

    page.get_by_label("Étape").select_option(label="Ouverture")
    page.get_by_label("Conseiller").select_option(label=STAFF_NAME)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text(f"{PER_PAGE + 2} dossiers · page 1 sur 2")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Paul Roux")).to_have_count(0)

    pagination = page.get_by_role("navigation", name="Pagination")
    pagination.get_by_role("link", name="Page suivante").click()
    expect(page).to_have_url(re.compile(r"stage=intake&assignee=\d+&page=2$"))
    expect(page.get_by_text(f"{PER_PAGE + 2} dossiers · page 2 sur 2")).to_be_visible()
    # Newest first: the two oldest of this case worker's dossiers are on page 2.
    expect(page.get_by_role("row").filter(has_text="CRV-")).to_have_count(2)
    expect(page.get_by_label("Étape")).to_have_value("intake")
    expect(pagination.locator("[aria-current=page]")).to_have_text("2")
    screenshot(page, "dossier-list-page-2")

    page.get_by_role("searchbox", name="Rechercher").fill("Colin")
    page.get_by_label("Étape").select_option("")
    page.get_by_label("Conseiller").select_option("")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("1 dossier", exact=True)).to_be_visible()
    found = page.get_by_role("row").filter(has_text="Paul Roux")
    expect(found).to_contain_text("1er mars 2031")
    expect(found).to_contain_text("Relance n°1 si des pièces manquent")
    assert problems == []
