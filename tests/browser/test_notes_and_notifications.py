"""A note and a call on the dossier page join its timeline; a client's decision on their consent
page shows as a badge in the case worker's header, whose notification leads to the dossier.
Pages checked with axe-core at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import LiveApp, check_page, log_in
from support.db import in_db
from support.negotiation import creditor_name, seed_negotiations

from domain.negotiation.sharing import ShareCategory
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from security.negotiation_links import CONSENT_LINK_PATH, consent_link_token
from services.negotiations.consents import create_consent_request

pytestmark = pytest.mark.browser


def test_notes_calls_and_a_notification_after_a_client_decision(
    live_app: LiveApp, case_worker: StaffUser, page: Page, problems: list[str]
):
    settings = live_app.settings
    seed = seed_negotiations(settings, creditors=1)
    with session_scope(settings) as session:
        dossier = session.get(Dossier, seed.dossier_id)
        assert dossier is not None and case_worker.id is not None
        dossier.assignee_id = case_worker.id  # the person signing in is in charge of it
        session.add(dossier)
    consent_id = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=[ShareCategory.IDENTITY],
        document_ids=[],
        expires_at=None,
        actor=f"staff:{case_worker.id}",
    )

    log_in(page, live_app)
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    page.goto(live_app.url(f"/dossiers/{seed.dossier_id}"))
    note = page.locator("#note")
    note.get_by_label("Note").fill("Le client envoie son avis d'imposition cette semaine.")
    note.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_role("status").first).to_contain_text("Note ajoutée")

    call = page.locator("#call")
    call.get_by_label("Sens de l'appel").select_option(label="Appel sortant")
    call.get_by_label("Avec qui").select_option(label=creditor_name(1))
    call.get_by_label("Durée en minutes").fill("8")
    call.get_by_label("Résumé de l'appel").fill("Le créancier attend notre proposition écrite.")
    call.get_by_role("button", name="Consigner l'appel").click()
    timeline = page.locator("#historique")
    expect(timeline).to_contain_text("Le client envoie son avis d'imposition cette semaine.")
    expect(timeline).to_contain_text(f"Appel sortant · {creditor_name(1)}")
    expect(timeline).to_contain_text("8 minutes")
    check_page(page, "dossier-notes-and-calls")

    # The client gives their consent on their own page (no staff session there).
    page.goto(live_app.url(f"{CONSENT_LINK_PATH}/{consent_link_token(settings, consent_id)}"))
    page.get_by_role("button", name="J'accepte").click()
    expect(page.get_by_text("Votre décision est bien enregistrée")).to_be_visible()

    page.goto(live_app.url("/dossiers"))
    badge = page.get_by_role("link", name="Notifications 1 non lue")
    expect(badge).to_be_visible()
    badge.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    check_page(page, "notifications")
    page.get_by_role("link", name=f"Dossier {seed.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Dossier {seed.reference}")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert problems == []
