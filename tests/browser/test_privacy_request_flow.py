"""The DPO's day with data-subject requests, on the whole stack that `make run` starts: the queue
(the overdue demo request first, in words and colour), a letter recorded with its moment of
receipt (a refused form keeps what was typed), a refusal without reasons refused, the answer
sent and received by the person; every page checked with axe-core at 1280 and 390 px."""

from __future__ import annotations

import email
import email.policy
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
PERSON = "jules.courrier@example.org"
PARIS = ZoneInfo("Europe/Paris")
WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    # One demo stack for both walks (the second files its own request; the first counts the
    # demo's before it adds one).
    folder = tmp_path_factory.mktemp("privacy-flow")
    running = start_dev(folder / "data", dev_ports(), folder / "dev.log")
    try:
        yield running
    finally:
        stop_dev(running)


def sign_in_as_dpo(page: Page, stack: DevStack) -> None:
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Adresse e-mail professionnelle").fill(DPO_EMAIL)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{stack.base_url}/dossiers")


def messages_to(data_dir: Path, recipient: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted((data_dir / "mailbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if recipient in str(message["To"]):
            found.append(message)  # type: ignore[arg-type]
    return found


def wait_for_message(data_dir: Path, recipient: str) -> email.message.EmailMessage:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if found := messages_to(data_dir, recipient):
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no message to {recipient}")


def test_the_dpo_records_decides_and_answers_a_request(
    page: Page, problems: list[str], stack: DevStack
) -> None:
    sign_in_as_dpo(page, stack)
    page.get_by_role("link", name="Demandes RGPD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes d'exercice des droits")
    # The demo requests, nearest due date first: the overdue one on top, said in words.
    rows = page.get_by_role("row")
    expect(rows).to_have_count(4)
    # (received 40 and 26 days ago: 10 or 11 days late, 3 or 4 left, by the hour in Paris)
    expect(rows.nth(1)).to_contain_text(re.compile(r"En retard de 1[01] jours"))
    expect(rows.nth(2)).to_contain_text(re.compile(r"Encore [34] jours"))
    check_page(page, "privacy-queue")
    page.get_by_label("Demandes", exact=True).select_option(label="En retard")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_have_text("1 demande")

    # A letter received yesterday morning: the form refuses it without a right, keeps the rest.
    page.get_by_role("link", name="Enregistrer une demande").click()
    received = (datetime.now(PARIS) - timedelta(days=1)).replace(hour=9, minute=45)
    page.get_by_label("Adresse e-mail de la personne").fill(PERSON)
    page.get_by_label("Reçue le (heure de Paris)").fill(received.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Droits demandés : Cochez au moins un droit.")
    expect(page.get_by_label("Adresse e-mail de la personne")).to_have_value(PERSON)
    check_page(page, "privacy-new-refused")
    page.get_by_label("Droit d'accès").check()
    page.get_by_label("Droit à l'effacement").check()
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_role("status")).to_contain_text("enregistrée : le délai court")
    expect(page.locator("main")).to_contain_text("à 09 h 45 · Courrier")
    expect(page.locator("main")).to_contain_text(re.compile(r"Encore 2[7-9] jours"))
    # The workflow records its start in the timeline (the page reads what it wrote).
    deadline = time.monotonic() + WAIT_SECONDS
    while "délai de réponse ouvert" not in page.locator("main").inner_text():
        assert time.monotonic() < deadline, "the request's workflow never started"
        time.sleep(0.3)
        page.reload()
    check_page(page, "privacy-request")

    # A partial refusal without its reasons is refused; what was chosen stays chosen.
    decide = page.locator("#decide")
    decide.get_by_label("Droit", exact=True).select_option(label="Droit à l'effacement")
    decide.get_by_label("Décision").select_option(label="Satisfait en partie")
    decide.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#action-error")).to_contain_text("motifs du refus")
    expect(page.locator("#action-error")).to_be_focused()
    expect(page.locator("#decide").get_by_label("Décision")).to_have_value("partial")
    check_page(page, "privacy-decide-refused")
    why = "L'historique de votre négociation est conservé 5 ans : c'est une obligation légale."
    page.locator("#decide").get_by_label("Motifs").fill(why)
    page.locator("#decide").get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status")).to_contain_text("Droit à l'effacement : satisfait en partie")
    decide = page.locator("#decide")
    decide.get_by_label("Droit", exact=True).select_option(label="Droit d'accès")
    decide.get_by_label("Décision").select_option(label="Satisfait")
    decide.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("status")).to_contain_text("Droit d'accès : satisfait")

    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("status")).to_contain_text("Réponse envoyée à la personne")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Répondue")
    expect(page.locator("main")).to_contain_text(why)
    check_page(page, "privacy-answered")
    answer = wait_for_message(stack.log.parent / "data", PERSON)
    text = answer.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert why in text and "CNIL" in text
    assert not problems


def test_a_person_files_a_request_on_the_site_and_confirms_it(
    page: Page, problems: list[str], stack: DevStack
) -> None:
    person = "camille.visiteuse@example.org"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{stack.base_url}/droits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercer vos droits sur vos données")
    check_page(page, "privacy-public-form")
    # Without a right ticked, the form comes back with the address kept.
    page.get_by_label("Votre adresse e-mail").fill(person)
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("alert")).to_contain_text("Cochez au moins un droit.")
    expect(page.get_by_label("Votre adresse e-mail")).to_have_value(person)
    check_page(page, "privacy-public-form-refused")
    page.get_by_label("Droit d'accès").check()
    page.get_by_label("Droit à la portabilité").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    check_page(page, "privacy-public-form-sent")

    mail = wait_for_message(stack.log.parent / "data", person)
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    [link] = re.findall(r"https?://\S+/droits/confirmer/\S+", text)
    page.goto(link)
    check_page(page, "privacy-public-confirm")
    page.get_by_role("button", name="Confirmer ma demande").click()
    expect(page.get_by_role("heading", name="Demande confirmée")).to_be_visible()
    due = datetime.now(PARIS) + timedelta(days=30)
    expect(page.locator("main")).to_contain_text("au plus tard le")
    check_page(page, "privacy-public-confirmed")
    reference = page.get_by_role("heading", level=1).inner_text().removeprefix("Votre demande ")

    # Now, and only now, the DPO's queue has it.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as_dpo(page, stack)
    page.goto(f"{stack.base_url}/privacy-requests")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Encore")
    expect(row).to_contain_text(str(due.year))
    assert not problems
