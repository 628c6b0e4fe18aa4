"""A creditor's counter-offer, from the case worker's card to the client's "J'accepte", on the
whole stack that `make run` starts (web app, worker, Temporal dev server, SMTP catcher).

The demo data brings Nadia Négociée's first creditor to "awaiting the creditor's reply". The case
worker records the creditor's counter-offer (a past validity date is refused first, with what was
typed kept); the client gets an email without any amount, opens its link in a browser that has
no staff session, accepts; the workflow tells the creditor and the card says so. The link then
refuses a second decision, also from a tab opened before the first one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    expect,
)
from support.browser import screenshot
from support.dev_command import DevStack, dev_ports, start_dev, stop_dev

# Drives Chromium against `cravelynos dev`, which runs the Temporal dev server.
pytestmark = [pytest.mark.browser, pytest.mark.devserver]

DEMO_EMAIL = "demo@cravelynos.example"
CLIENT_EMAIL = "nadia.negociee@example.org"
CREDITOR_EMAIL = "recouvrement@banque.exemple"
AWAITING_REPLY = "Réponse du créancier attendue"
COUNTER_OFFER = "Contre-proposition : décision du client attendue"
AGREEMENT_PENDING = "Accord en attente de confirmation écrite"
VALIDITY_PASSED = "La date de validité de l'offre est déjà passée."
TERMS = "Le service recouvrement propose 8 échéances de 135 € (courriel du jour)."
DECISION_LINK = re.compile(r"https?://\S+/espace/contre-proposition/[^\s<>\"']+")
# Amounts as the pages print them (narrow or plain non-breaking spaces between groups).
TOTAL = re.compile(r"1\s?080,00\s?€")
INSTALMENTS = re.compile(r"8 × 135,00\s?€")
WAIT_SECONDS = 30.0
PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def fr_date(day: date) -> str:
    """As typed in the forms."""
    return day.strftime("%d/%m/%Y")


def long_date(day: date) -> str:
    """As the pages print a date: "5 janvier 2027", "1er mars 2027"."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    """`cravelynos dev` on free ports with its own data directory; Ctrl-C at the end."""
    running = start_dev(tmp_path / "data", dev_ports(), tmp_path / "dev.log")
    try:
        yield running
    finally:
        stop_dev(running)


@pytest.fixture
def client_context(browser: Browser) -> Iterator[BrowserContext]:
    """The client's own browser: no staff cookie."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def watch(page: Page) -> list[str]:
    """What the conftest's `problems` fixture collects, for pages of other contexts."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            seen.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            seen.append(f"{response.status} {response.url}")

    def on_failed(request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":
            seen.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return seen


def reload_until(page: Page, locator: Locator, expected: str | re.Pattern[str]) -> None:
    """The workflow moves on its own time: reload, as a person would, until the page shows it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            expect(locator).to_contain_text(expected, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.reload()


def creditor_card(page: Page) -> Locator:
    return page.get_by_role("article", name=re.compile(r"^Créancier n°1 · Banque Exemple"))


def card_state(page: Page) -> Locator:
    return creditor_card(page).get_by_role("heading", level=3)


def open_mail(page: Page, base_url: str, recipient: str, subject: str) -> str:
    """Open the newest message to `recipient` whose subject contains `subject`; its text."""
    page.goto(f"{base_url}/dev/mailbox")
    row = page.get_by_role("row").filter(has_text=recipient).filter(has_text=subject)
    deadline = time.monotonic() + WAIT_SECONDS
    while row.count() == 0:
        assert time.monotonic() < deadline, f"no message to {recipient} about « {subject} »"
        time.sleep(0.5)
        page.reload()
    row.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(subject, ignore_case=True)
    return page.locator("pre.mail-text").inner_text()


def sign_in(page: Page, stack: DevStack) -> None:
    page.goto(f"{stack.base_url}/login?next=/dossiers")
    page.get_by_label("Adresse e-mail professionnelle").fill(DEMO_EMAIL)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{stack.base_url}/dossiers")


def open_nadia_dossier(page: Page) -> None:
    page.get_by_label("Rechercher", exact=True).fill("Négociée")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status").filter(has_text="dossier")).to_have_text("1 dossier")
    row = page.get_by_role("row").filter(has_text="Nadia")
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Négociations", level=2)).to_be_visible()


def fill_counter_offer(page: Page, today: date, valid_until: date) -> Locator:
    card = creditor_card(page)
    card.locator("summary", has_text="Enregistrer la réponse du créancier").click()
    form = card.locator("form").filter(
        has=page.get_by_role("button", name="Enregistrer la réponse")
    )
    form.get_by_label("Réponse", exact=True).select_option(label="Contre-proposition")
    expect(form.get_by_label("Reçue le", exact=True)).to_have_value(fr_date(today))
    form.get_by_label("Reçue par", exact=True).select_option(label="E-mail")
    form.get_by_label("Termes de la réponse").fill(TERMS)
    counter = form.get_by_role("group", name="Contre-proposition (si la réponse en est une)")
    counter.get_by_label("Type d'offre").select_option(label="Échéancier de remboursement")
    counter.get_by_label("Montant total (€)").fill("1080,00")
    counter.get_by_label("Nombre d'échéances").fill("8")
    counter.get_by_label("Montant de chaque échéance (€)").fill("135,00")
    counter.get_by_label("Première échéance").fill(fr_date(today + timedelta(days=25)))
    counter.get_by_label("Offre valable jusqu'au").fill(fr_date(valid_until))
    return form


def test_case_worker_records_counter_offer_and_client_accepts_it_by_link(
    stack: DevStack, client_context: BrowserContext, page: Page, problems: list[str]
) -> None:
    today = datetime.now(PARIS).date()  # the forms' "today" is the Paris date
    page.set_default_timeout(15_000)

    # 1. The case worker signs in and opens Nadia's dossier.
    sign_in(page, stack)
    open_nadia_dossier(page)
    dossier_url = page.url
    expect(card_state(page)).to_contain_text(AWAITING_REPLY)
    offers = creditor_card(page).get_by_role("table", name="Offres")
    expect(offers.locator("tbody tr")).to_have_count(1)
    replies = creditor_card(page).get_by_role("table", name="Réponses du créancier")

    # 2a. A counter-offer whose validity date has passed: refused next to the field, nothing lost.
    yesterday = today - timedelta(days=1)
    form = fill_counter_offer(page, today, yesterday)
    form.get_by_role("button", name="Enregistrer la réponse").click()
    counter = form.get_by_role("group", name="Contre-proposition (si la réponse en est une)")
    valid_until = counter.get_by_label("Offre valable jusqu'au")
    expect(valid_until).to_have_attribute("aria-invalid", "true")
    expect(valid_until).to_have_accessible_description(re.compile(re.escape(VALIDITY_PASSED)))
    expect(valid_until).to_have_value(fr_date(yesterday))
    expect(form.get_by_role("alert")).to_contain_text("Action non effectuée")
    expect(form.get_by_label("Réponse", exact=True)).to_have_value("counter_offer")
    expect(form.get_by_label("Reçue par", exact=True)).to_have_value("email")
    expect(form.get_by_label("Termes de la réponse")).to_have_value(TERMS)
    expect(counter.get_by_label("Montant total (€)")).to_have_value("1080,00")
    expect(counter.get_by_label("Nombre d'échéances")).to_have_value("8")
    expect(counter.get_by_label("Montant de chaque échéance (€)")).to_have_value("135,00")
    expect(card_state(page)).to_contain_text(AWAITING_REPLY)
    expect(offers.locator("tbody tr")).to_have_count(1)
    # The refused page is drawn from the database: no reply row was kept.
    expect(replies).to_have_count(0)
    screenshot(page, "negotiation-counter-offer-refused")

    # 2b. Corrected on the refused form itself: the counter-offer is recorded.
    valid_until_day = today + timedelta(days=40)
    valid_until.fill(fr_date(valid_until_day))
    form.get_by_role("button", name="Enregistrer la réponse").click()
    expect(
        page.get_by_role("status").filter(has_text="Réponse du créancier enregistrée")
    ).to_be_visible()
    reload_until(page, card_state(page), COUNTER_OFFER)
    theirs = offers.locator("tbody tr").filter(has_text="Le créancier")
    expect(theirs).to_have_count(1)
    expect(theirs).to_contain_text("Échéancier de remboursement")
    expect(theirs).to_contain_text(TOTAL)
    expect(theirs).to_contain_text(INSTALMENTS)
    expect(theirs).to_contain_text(long_date(valid_until_day))
    reload_until(page, theirs, "En attente de la décision du client (avant le")
    found = re.search(r"décision du client \(avant le ([^)]+)\)", theirs.inner_text())
    assert found, theirs.inner_text()
    decision_deadline = found.group(1).strip()
    expect(replies).to_contain_text(TERMS)
    # Readable at 1280 px without scrolling sideways (QA: 11 columns overflowed).
    assert offers.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    screenshot(page, "negotiation-counter-offer-recorded")

    # 3. The client's email: no amount at all, one decision link.
    text = open_mail(page, stack.base_url, CLIENT_EMAIL, "fait une contre-proposition")
    links = set(DECISION_LINK.findall(text))
    assert len(links) == 1, text
    link = links.pop()
    assert link.startswith(stack.base_url + "/"), link
    body = text.replace(link, "")
    assert "€" not in body, body
    assert not re.search(r"1\s?080|135|\d,\d{2}", body), body
    html = page.frame_locator("iframe.mail-frame").locator("body")
    expect(html).to_contain_text("contre-proposition")
    expect(html).not_to_contain_text("€")
    screenshot(page, "negotiation-counter-offer-email")

    # 4. The client opens the link in their own browser and accepts.
    tab, older_tab = client_context.new_page(), client_context.new_page()
    client_problems = {"tab": watch(tab), "older tab": watch(older_tab)}
    tab.goto(link)
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Contre-proposition de Banque Exemple")
    )
    terms = tab.get_by_role("region", name="Ce que propose le créancier")
    expect(terms).to_contain_text("Échéancier de remboursement")
    expect(terms).to_contain_text(TOTAL)
    expect(terms).to_contain_text(INSTALMENTS)
    expect(terms).to_contain_text(long_date(valid_until_day))
    answer = tab.get_by_role("region", name="Votre décision")
    expect(answer).to_contain_text(f"jusqu'au {decision_deadline}")
    accept = answer.get_by_role("button", name="J'accepte")
    refuse = answer.get_by_role("button", name="Je refuse")
    expect(accept).to_be_visible()
    expect(refuse).to_be_visible()
    assert accept.get_attribute("class") == refuse.get_attribute("class")
    screenshot(tab, "negotiation-client-counter-offer")
    # The same link opened in a second tab before deciding: its form is still on screen.
    older_tab.goto(link)
    expect(older_tab.get_by_role("button", name="J'accepte")).to_be_visible()

    accept.click()
    # "J'accepte" binds the client: the terms again, and the button that really accepts.
    confirm = tab.get_by_role("region", name="Confirmez votre acceptation")
    expect(confirm).to_contain_text(TOTAL)
    expect(confirm).to_contain_text("l'accord vous engagera")
    confirm.get_by_role("button", name="Je confirme : j'accepte cette contre-proposition").click()
    expect(tab.get_by_role("status")).to_contain_text(
        "Votre décision est enregistrée : vous avez accepté cette contre-proposition."
    )
    expect(tab.get_by_role("button", name="J'accepte")).to_have_count(0)
    screenshot(tab, "negotiation-client-accepted")

    # 5. Staff side: the workflow applied the decision and told the creditor.
    page.goto(dossier_url)
    reload_until(page, card_state(page), AGREEMENT_PENDING)
    expect(theirs).to_contain_text("Acceptée")
    ledger = creditor_card(page).get_by_role("table", name="Registre des partages")
    expect(
        ledger.locator("tbody tr").filter(has_text="Acceptation de la contre-proposition")
    ).to_have_count(1)
    screenshot(page, "negotiation-agreement-pending")
    text = open_mail(page, stack.base_url, CREDITOR_EMAIL, "Acceptation de la contre-proposition")
    assert "Nadia Négociée accepte votre contre-proposition" in text, text
    assert re.search(r"Montant : 1\s?080,00\s?€", text), text
    screenshot(page, "negotiation-creditor-acceptance-email")

    # 6. No second decision: not from the tab opened before, not by opening the link again.
    older_tab.get_by_role("button", name="J'accepte").click()
    expect(older_tab.get_by_role("heading", level=1)).to_have_text("Réponse déjà enregistrée")
    expect(older_tab.get_by_role("button", name="J'accepte")).to_have_count(0)
    older_tab.goto(link)
    expect(older_tab.get_by_role("heading", level=1)).to_have_text("Réponse déjà enregistrée")
    expect(older_tab.locator("body")).to_contain_text(
        "Cette contre-proposition a déjà été acceptée"
    )
    expect(older_tab.get_by_role("button", name="J'accepte")).to_have_count(0)
    expect(older_tab.get_by_role("button", name="Je refuse")).to_have_count(0)
    screenshot(older_tab, "negotiation-client-already-decided")
    # Still one acceptance sent to the creditor, and the card has not moved.
    page.goto(f"{stack.base_url}/dev/mailbox")
    acceptances = (
        page.get_by_role("row")
        .filter(has_text=CREDITOR_EMAIL)
        .filter(has_text="Acceptation de la contre-proposition")
    )
    expect(acceptances).to_have_count(1)
    page.goto(dossier_url)
    expect(card_state(page)).to_contain_text(AGREEMENT_PENDING)
    expect(ledger.locator("tbody tr").filter(has_text="Acceptation")).to_have_count(1)
    assert client_problems == {"tab": [], "older tab": []}
    assert problems == []
