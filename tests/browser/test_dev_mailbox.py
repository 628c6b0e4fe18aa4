"""The dev mailbox: a message received by the local SMTP catcher, read in the web app.

The HTML part is shown in an empty-sandbox frame with its own strict policy: its inline styles
render as the client would see them, its script does not run and its remote image is never fetched.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, Request, expect
from support.browser import LiveApp, log_in, screenshot
from support.stack import free_port, make_dossier, smtp_catcher

from config.settings import Settings
from models.database import session_scope
from models.outbox import OutboxEmail
from models.staff import StaffUser

pytestmark = pytest.mark.browser

HTML = (
    "<html><body><h1 id='greeting' style='color: rgb(29, 78, 137)'>Bonjour Jeanne</h1>"
    "<p>Votre dossier est ouvert. <a id='link' href='/dossiers'>Mon espace</a></p>"
    "<img src='http://tracker.example.invalid/pixel.gif' alt=''>"
    "<script>document.getElementById('greeting').textContent = 'SCRIPT RAN';</script>"
    "</body></html>"
)


MESSAGE_ID = "<acknowledgement.test@cravelynos.example>"


def link_to_a_dossier_of(settings: Settings, case_worker: StaffUser) -> None:
    """The mailbox shows a message to the staff who may open its dossier: the outbox row says
    which dossier it is about."""
    dossier = make_dossier(settings, case_worker)
    with session_scope(settings) as session:
        session.add(
            OutboxEmail(
                idempotency_key="test:acknowledgement",
                message_id=MESSAGE_ID,
                client_id=dossier.client_id,
                dossier_id=dossier.id,
                template="acknowledgement",
            )
        )


def send_message(port: int) -> None:
    message = EmailMessage()
    message["From"] = "Cravelynos <dossiers@cravelynos.example>"
    message["To"] = "jeanne.dupont@example.org"
    message["Subject"] = "Votre dossier CRV-2026-000001 est ouvert"
    message["Message-ID"] = MESSAGE_ID
    message.set_content("Bonjour Jeanne,\n\nVotre dossier est ouvert.\n")
    message.add_alternative(HTML, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_received_message_is_readable_and_its_html_is_sandboxed(
    live_app: LiveApp, page: Page, case_worker: StaffUser
):
    link_to_a_dossier_of(live_app.settings, case_worker)
    port = free_port()
    with smtp_catcher(live_app.settings.mailbox_dir, port):
        send_message(port)
    # The browser reports the tracker image as a request that its policy blocked ("csp"); it
    # must never reach the network (no response, no other failure reason).
    answered: list[str] = []
    blocked: dict[str, str | None] = {}

    def on_blocked(request: Request) -> None:
        blocked[request.url] = request.failure

    page.on("response", lambda response: answered.append(response.url))
    page.on("requestfailed", on_blocked)
    log_in(page, live_app)
    page.get_by_role("link", name="Courriels reçus (dev)").click()
    row = page.get_by_role("row").filter(has_text="jeanne.dupont@example.org")
    expect(row).to_contain_text("Votre dossier CRV-2026-000001 est ouvert")
    row.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre dossier CRV-2026-000001 est ouvert"
    )
    expect(page.get_by_text("<acknowledgement.test@cravelynos.example>")).to_be_visible()
    expect(page.locator("pre.mail-text")).to_contain_text("Votre dossier est ouvert.")
    frame = page.locator("iframe.mail-frame")
    # No script, no same-origin access; only links may open (in a new tab).
    expect(frame).to_have_attribute("sandbox", "allow-popups allow-popups-to-escape-sandbox")
    greeting = page.frame_locator("iframe.mail-frame").locator("#greeting")
    expect(greeting).to_have_text("Bonjour Jeanne")
    expect(greeting).to_have_css("color", "rgb(29, 78, 137)")
    screenshot(page, "dev-mailbox-message")
    # A link of the message opens in a new tab, as it would from a mail client.
    with page.expect_popup() as opened:
        page.frame_locator("iframe.mail-frame").locator("#link").click()
    opened.value.wait_for_load_state()
    assert opened.value.url == live_app.url("/dossiers")
    opened.value.close()
    assert not [url for url in answered if "tracker.example.invalid" in url]
    assert {url: why for url, why in blocked.items() if "tracker" in url} in (
        {},
        {"http://tracker.example.invalid/pixel.gif": "csp"},
    )
