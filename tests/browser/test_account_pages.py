"""Staff accounts in the browser: an admin who forgot their password asks for a link from the
login page, reads it in the message the real SMTP server received, chooses a new password and
signs in with it, then opens "Mon compte" and invites a new person from "Comptes"; each page
checked with axe-core at 1280 and 390 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import SQLModel
from support.browser import LiveApp, check_page
from support.stack import free_port, make_staff, received, smtp_catcher

from config.loading import dev_settings
from config.settings import Settings
from dev.mail_catcher import MailboxMessage
from models.database import engine_for
from models.staff import Role

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "hugo.blanc@cravelynos.example"
NEW_PASSWORD = "des pommes vertes sous la pluie"
LINK = re.compile(r"http://[^/\s]+(/mot-de-passe/[A-Za-z0-9_-]+)")
WAIT_SECONDS = 10.0


@pytest.fixture
def live_settings(tmp_path: Path, closed_port: int) -> Iterator[Settings]:
    """The browser tests' settings with an SMTP server of their own for the whole test."""
    settings = dev_settings(
        tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        temporal_address=f"127.0.0.1:{closed_port}",
        smtp_port=free_port(),
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with smtp_catcher(settings.mailbox_dir, settings.smtp_port):
        yield settings


def message_to(settings: Settings, address: str) -> MailboxMessage:
    """The newest message the SMTP server accepted for `address` (it leaves after the answer)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        mails = [m for m in received(settings) if address in m.recipients]
        if mails:
            return mails[-1]
        time.sleep(0.05)
    raise AssertionError(f"no message to {address}")


def test_forgotten_password_then_accounts(
    page: Page, live_app: LiveApp, problems: list[str]
) -> None:
    settings = live_app.settings
    make_staff(settings, email=ADMIN_EMAIL, role=Role.ADMIN, team="technique", name="Hugo Blanc")

    page.goto(live_app.url("/login"))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", name="Mot de passe oublié")).to_be_visible()
    page.get_by_label("Adresse e-mail professionnelle").fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.locator("#reset-sent")).to_contain_text("Si un compte actif correspond")

    mail = message_to(settings, ADMIN_EMAIL)
    match = LINK.search(mail.text)
    assert match, mail.text
    page.goto(live_app.url(match.group(1)))
    expect(page.get_by_role("heading", name="Choisir un nouveau mot de passe")).to_be_visible()
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill("pas la même phrase du tout")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("La confirmation ne reprend pas le nouveau mot de passe")
    expect(summary).to_be_focused()
    check_page(page, "account-choose-refused")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré")).to_be_visible()

    page.get_by_label("Adresse e-mail professionnelle").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_app.url("/allowances"))

    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()
    expect(page.get_by_text("Administrateur", exact=True)).to_be_visible()
    check_page(page, "account-mine")

    page.get_by_role("link", name="Comptes", exact=True).click()
    expect(page.get_by_role("heading", name="Comptes du personnel")).to_be_visible()
    page.get_by_role("link", name="Ouvrir un compte").click()
    page.get_by_label("Nom", exact=True).fill("Inès Garnier")
    page.get_by_role("button", name="Ouvrir le compte et envoyer l'invitation").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Inès Garnier")
    check_page(page, "account-new-refused")
    page.get_by_label("Adresse e-mail").fill("ines.garnier@cravelynos.example")
    page.get_by_label("Rôle").select_option("case_worker")
    page.get_by_label("Équipe").fill("paris")
    page.get_by_role("button", name="Ouvrir le compte et envoyer l'invitation").click()
    expect(page.get_by_text("Compte créé pour Inès Garnier")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Inès Garnier"))).to_contain_text(
        "invitation en attente"
    )
    check_page(page, "account-list")
    invitation = message_to(settings, "ines.garnier@cravelynos.example")
    assert "choisissez votre mot de passe" in invitation.subject

    page.get_by_role("link", name="Gérer le compte de Inès Garnier").click()
    expect(page.get_by_role("heading", name="Compte de Inès Garnier")).to_be_visible()
    check_page(page, "account-edit")
    assert problems == []
