"""Helpers of the browser tests: the running app, signing in, screenshots to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from config.settings import Settings
from support.stack import STAFF_PASSWORD

# Gitignored; the screenshots are there to be looked at after a run.
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
STAFF_EMAIL = "camille.laurent@cravelynos.example"
STAFF_NAME = "Camille Laurent"


@dataclass
class LiveApp:
    base_url: str
    settings: Settings

    def url(self, path: str) -> str:
        return self.base_url + path


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, app: LiveApp) -> None:
    page.goto(app.url("/login"))
    page.get_by_label("Adresse e-mail professionnelle").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(app.url("/dossiers"))
