"""The client's analysis page in a real browser: the link from the email, the two buttons.

The client pages send no referrer (the link carries the token), so Chromium posts their forms
with `Origin: null`; the answer must still be taken. Temporal is down in browser tests, so an
accepted answer ends on the "try again later" page, which proves the form passed its checks.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from support.analysis import record_budget
from support.browser import LiveApp, screenshot
from support.stack import make_dossier

from models.database import session_scope
from models.staff import StaffUser
from security.analysis_links import analysis_link_url
from services.budget.store import snapshot_analysis

pytestmark = pytest.mark.browser


def test_client_reads_the_analysis_and_answers_from_the_emailed_link(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
) -> None:
    settings = live_app.settings
    dossier = make_dossier(settings, case_worker)
    record_budget(settings, case_worker, dossier.id)
    with session_scope(settings) as session:
        snapshot_analysis(session, dossier.id, settings, submission=1)
    link = analysis_link_url(settings, dossier.id, 1).replace(
        settings.public_base_url.rstrip("/"), live_app.base_url
    )

    page.goto(link)
    approve = page.get_by_role("button", name=re.compile("J'approuve"))
    discuss = page.get_by_role("button", name=re.compile("en parler"))
    expect(approve).to_be_visible()
    expect(discuss).to_be_visible()
    assert approve.get_attribute("class") == discuss.get_attribute("class")
    screenshot(page, "client-analysis")

    approve.click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Réponse non enregistrée")
    expect(page.locator("body")).to_contain_text("indisponible")
    assert problems == []
