"""Helpers of the browser tests: the running app, signing in, screenshots to look at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from config.settings import Settings
from support.stack import STAFF_PASSWORD

# Gitignored; the screenshots are there to be looked at after a run.
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"
# axe-core, installed from npm by `make install` (package.json): the accessibility rules.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
  );
}"""
# What sticks out past the right edge, leaving out what a narrower scroll container (a table's
# .table-wrap) clips: named in a failure, to know what to fix.
WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth + 0.5;
  const clipped = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") {
        return box.getBoundingClientRect().right <= width;
      }
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width && !clipped(e))
    .slice(0, 8)
    .map((e) => `${e.tagName}#${e.id}.${e.className}: ${e.getBoundingClientRect().right}`);
}"""
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


def accessibility_violations(page: Page) -> list[str]:
    """What axe-core finds wrong with the page as it stands (WCAG 2 A/AA and best practices).

    Loaded by evaluation, which the page's Content-Security-Policy does not govern: the page is
    tested with its real CSP, which a <script> tag would break."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[str] = page.evaluate(AXE_RUN)
    return violations


def check_page(page: Page, name: str) -> None:
    """No accessibility violation, no duplicate id and no sideways scrolling, at desktop and
    phone width; a screenshot of each (`name`-<width>.png)."""
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert accessibility_violations(page) == [], (name, width)
        ids = page.evaluate("[...document.querySelectorAll('[id]')].map((e) => e.id)")
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, (name, width, overflow, page.evaluate(WIDER_THAN_SCREEN))
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def log_in(page: Page, app: LiveApp) -> None:
    # Case workers land on "Mon travail"; the flows start from the list.
    page.goto(app.url("/login?next=/dossiers"))
    page.get_by_label("Adresse e-mail professionnelle").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(app.url("/dossiers"))
