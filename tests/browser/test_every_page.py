"""Every page a signed-in role can reach by following links, and every client page an email of
the demo leads to, at 1280 px and 390 px: no accessibility violation (axe-core), no duplicate id,
nothing wider than a phone's screen, one date format.

The pages are found by crawling the demo stack rather than listed by hand, so a new page is
checked as soon as a link leads to it. One page per route (ids in the path are what vary) keeps
the walk short.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response
from playwright.sync_api import Error as PlaywrightError
from support.browser import check_page
from support.dev_command import DevStack, dev_ports, start_dev, stop_dev

pytestmark = [pytest.mark.browser, pytest.mark.devserver]

ROLES = (
    "demo@cravelynos.example",
    "superviseur@cravelynos.example",
    "dpo@cravelynos.example",
    "admin@cravelynos.example",
)
# Not pages: downloads, the way out, the Temporal UI, and the API's own documentation.
SKIPPED = re.compile(r"^/(logout|static/|api/|codec)|\.(pdf|csv|json)$|/(export|telecharger)\b")
# A path segment that names one object rather than a kind of page.
OBJECT_SEGMENT = re.compile(r"^(\d+|(?=.*\d)[\w.~%-]{12,}|[A-Z]{2,5}-[\w-]+)$")
# "04/12/2026 17:12": the app writes moments as "4 décembre 2026 à 17 h 12" everywhere.
NUMERIC_MOMENT = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")
MAX_PAGES = 60
# Routes whose pages differ a lot from one object to the next: a dossier's page shows what its
# stage needs (documents, analysis, negotiations, closure).
VARIANTS = {"/dossiers/*": 3}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    folder = tmp_path_factory.mktemp("every-page")
    running = start_dev(folder / "data", dev_ports(), folder / "dev.log")
    try:
        yield running
    finally:
        stop_dev(running)


def _route(url: str) -> str:
    path = urlsplit(url).path
    return "/".join("*" if OBJECT_SEGMENT.match(part) else part for part in path.split("/"))


def _sign_in(page: Page, stack: DevStack, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _links(page: Page, base_url: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "(all) => all.map((a) => a.href)")
    return [
        href.split("#")[0]
        for href in hrefs
        if href.startswith(base_url) and not SKIPPED.search(urlsplit(href).path)
    ]


def _visit(page: Page, url: str) -> Response | None:
    """The page at the address; None when the address is a file download."""
    try:
        return page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in error.message:
            return None
        raise


def _check(page: Page, url: str, name: str, problems: list[str]) -> bool:
    """Whether the address was a page (a file download is not)."""
    response = _visit(page, url)
    if response is None:
        return False
    assert response is not None
    if response.status >= 500:
        problems.append(f"{url}: {response.status}")
        return True
    text = page.inner_text("body")
    if NUMERIC_MOMENT.search(text):
        problems.append(f"{url}: a moment written {NUMERIC_MOMENT.search(text).group(0)}")  # type: ignore[union-attr]
    try:
        check_page(page, name)
    except AssertionError as failure:
        problems.append(f"{url}: {failure}")
    return True


def _crawl(page: Page, stack: DevStack, checked: Counter[str], problems: list[str]) -> None:
    """Every route the signed-in role reaches from the home page. Each route is checked once
    over all roles (the pages differ little between them; VARIANTS says where they do), but
    every role walks its own."""
    queue = deque([f"{stack.base_url}/"])
    visited: set[str] = set()
    walked: set[str] = set()
    while queue and len(walked) < MAX_PAGES:
        url = queue.popleft()
        route = _route(url)
        check = checked[route] < VARIANTS.get(route, 1)
        if url in visited or (route in walked and not check):
            continue
        visited.add(url)
        if check:
            checked[route] += 1
            name = "every-page" + route.replace("/", "-").replace("*", "x")
            is_page = _check(page, url, f"{name}-{checked[route]}", problems)
        else:
            is_page = _visit(page, url) is not None
        if is_page and route not in walked:
            walked.add(route)
            queue.extend(urljoin(url, link) for link in _links(page, stack.base_url))


def _client_links(page: Page, stack: DevStack) -> dict[str, str]:
    """One link of each kind that the demo's emails gave clients (read in the dev mailbox)."""
    page.goto(f"{stack.base_url}/dev/mailbox")
    messages = [link for link in _links(page, stack.base_url) if "/dev/mailbox/" in link]
    found: dict[str, str] = {}
    for message in dict.fromkeys(messages):
        page.goto(message)
        # The text version writes each link out in full (a sentence may end right after it).
        text = page.inner_text("pre.mail-text")
        for link in re.findall(re.escape(stack.base_url) + r"/[^\s<>\"]+", text):
            found.setdefault(_route(link.rstrip(".")), link.rstrip("."))
    return found


def test_every_page_fits_a_phone_and_passes_axe(
    browser: Browser, page: Page, problems: list[str], stack: DevStack
) -> None:
    seen: Counter[str] = Counter()
    found: list[str] = []
    for email in ROLES:
        _sign_in(page, stack, email)
        _crawl(page, stack, seen, found)
    assert len(seen) >= 20, sorted(seen)
    _sign_in(page, stack, ROLES[0])
    client_routes = _client_links(page, stack)
    assert len(client_routes) >= 4, sorted(client_routes)
    # The client's pages, as the client sees them: no staff session in the browser.
    client = browser.new_context()
    client_page = client.new_page()
    try:
        for route, link in sorted(client_routes.items()):
            _check(client_page, link, "client" + route.replace("/", "-").replace("*", "x"), found)
        # What a client meets when a link is damaged.
        damaged = next(iter(client_routes.values()))[:-6] + "abcdef"
        _check(client_page, damaged, "client-damaged-link", found)
    finally:
        client.close()
    assert found == [], "\n".join(found + sorted(seen) + sorted(client_routes))
    assert problems == []
