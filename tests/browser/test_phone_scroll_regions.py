"""At phone width (390 px) every table that scrolls sideways can be reached and scrolled with
the keyboard, on the pages a case worker and a supervisor use most: the dossier list, a dossier
with its negotiations, its analysis, the Forfaits (axe-core: no violation at all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from support.browser import accessibility_violations, screenshot
from support.dev_command import DevStack, dev_ports, start_dev, stop_dev

pytestmark = [pytest.mark.browser, pytest.mark.devserver]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    running = start_dev(tmp_path / "data", dev_ports(), tmp_path / "dev.log")
    try:
        yield running
    finally:
        stop_dev(running)


def _sign_in(page: Page, stack: DevStack, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _axe_at_phone_width(page: Page, name: str) -> list[str]:
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"phone-{name}")
    return [f"{name}: {v}" for v in accessibility_violations(page)]


def test_tables_that_scroll_on_a_phone_are_reachable_with_the_keyboard(
    page: Page, problems: list[str], stack: DevStack
) -> None:
    found: list[str] = []
    _sign_in(page, stack, "demo@cravelynos.example")
    page.goto(f"{stack.base_url}/dossiers")
    found += _axe_at_phone_width(page, "dossier-list")
    page.get_by_role("row").filter(has_text="Nadia").get_by_role("link").first.click()
    page.wait_for_load_state()
    found += _axe_at_phone_width(page, "dossier-negotiating")
    dossier_url = page.url
    page.goto(f"{dossier_url}/budget/analysis")
    found += _axe_at_phone_width(page, "analysis")
    _sign_in(page, stack, "superviseur@cravelynos.example")
    page.goto(f"{stack.base_url}/allowances")
    found += _axe_at_phone_width(page, "allowances")
    assert found == []
    assert problems == []
