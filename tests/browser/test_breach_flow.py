"""The DPO declares a breach on the whole stack that `make run` starts: a refused declaration
keeps what was typed, the breach page counts down its 72 hours, the scope is computed from a
compromised account's audit trail, a step out of order is refused with the rule's words, and
the CNIL notification is downloaded as PDF; every page checked with axe-core at 1280 and
390 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from support.browser import check_page
from support.dev_command import DevStack, dev_ports, start_dev, stop_dev

pytestmark = [pytest.mark.browser, pytest.mark.devserver]

DPO_EMAIL = "dpo@cravelynos.example"
PARIS = ZoneInfo("Europe/Paris")
WAIT_SECONDS = 30.0


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    running = start_dev(tmp_path / "data", dev_ports(), tmp_path / "dev.log")
    try:
        yield running
    finally:
        stop_dev(running)


def _local(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def test_the_dpo_declares_scopes_and_notifies_a_breach(
    page: Page, problems: list[str], stack: DevStack, tmp_path: Path
) -> None:
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Adresse e-mail professionnelle").fill(DPO_EMAIL)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{stack.base_url}/dossiers")

    page.get_by_role("link", name="Violations de données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registre des violations de données")
    check_page(page, "breach-register")

    page.get_by_role("link", name="Déclarer une violation").click()
    now = datetime.now(PARIS)
    description = "Le compte de Camille Demo a été utilisé depuis une adresse inconnue."
    page.get_by_label("Description").fill(description)
    page.get_by_label("Prise de connaissance (heure de Paris)").fill(
        _local(now + timedelta(days=1))
    )
    page.get_by_role("button", name="Déclarer la violation").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("ne peut pas être dans le futur")
    expect(summary).to_contain_text("Nature de la violation")
    expect(page.get_by_label("Description")).to_have_value(description)
    check_page(page, "breach-new-refused")
    page.get_by_label("Prise de connaissance (heure de Paris)").fill(
        _local(now - timedelta(hours=2))
    )
    page.get_by_label("Nature de la violation").select_option(value="confidentiality")
    page.get_by_role("button", name="Déclarer la violation").click()
    expect(page.get_by_role("status").first).to_contain_text("déclarée : le délai de 72 heures")
    expect(page.locator("main")).to_contain_text(re.compile(r"(69|70) h \d\d min restantes"))
    deadline = time.monotonic() + WAIT_SECONDS
    while "Violation déclarée" not in page.locator("main").inner_text():
        assert time.monotonic() < deadline, "the breach's workflow never started"
        time.sleep(0.3)
        page.reload()
    check_page(page, "breach-page")

    # Out of order: the risk before the scope.
    assess = page.locator("#assess")
    assess.get_by_label("Niveau de risque", exact=True).select_option(value="risk")
    assess.get_by_label("Conséquences probables pour les personnes").fill("Hameçonnage.")
    assess.get_by_label("Justification du niveau de risque").fill("Coordonnées exposées.")
    assess.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(page.locator("#action-error")).to_contain_text("Déterminez d'abord la portée")
    expect(page.locator("#action-error")).to_be_focused()
    expect(page.locator("#assess").get_by_label("Niveau de risque", exact=True)).to_have_value(
        "risk"
    )

    # The demo account that seeded the demo dossiers is the compromised one.
    scope = page.locator("#scope")
    scope.get_by_label("Ce qui est compromis").select_option(value="account")
    account = scope.locator("#f-scope-staff_id")
    demo = account.locator("option", has_text="Camille Demo").get_attribute("value")
    assert demo
    account.select_option(value=demo)
    scope.get_by_label("Du (heure de Paris)").fill(_local(now - timedelta(days=1)))
    scope.get_by_label("Au (heure de Paris)").fill(_local(now + timedelta(minutes=1)))
    scope.get_by_role("button", name="Calculer la portée").click()
    expect(page.get_by_role("status").first).to_contain_text("Portée calculée")
    people = page.locator("#scope dd").first
    assert int(people.inner_text()) > 0
    check_page(page, "breach-scoped")

    assess = page.locator("#assess")
    assess.get_by_label("Niveau de risque", exact=True).select_option(value="risk")
    assess.get_by_label("Conséquences probables pour les personnes").fill("Hameçonnage ciblé.")
    assess.get_by_label("Justification du niveau de risque").fill("Coordonnées exposées.")
    assess.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(page.get_by_role("status").first).to_contain_text("Évaluation du risque enregistrée")

    notify = page.locator("#notify")
    notify.get_by_label("Mesures prises ou envisagées").fill(
        "Compte bloqué, mots de passe changés."
    )
    notify.get_by_role("button", name="Générer la notification").click()
    expect(page.get_by_role("status").first).to_contain_text("Notification n° 1 à la CNIL")
    with page.expect_download() as download_info:
        page.locator("#notify").get_by_role("link", name="PDF").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    (tmp_path / "notification.pdf").write_bytes(pdf)
    check_page(page, "breach-notified")
    assert problems == []
