"""A supervisor's day in the browser: "Mon travail" sorted and filtered, a dossier reassigned from
its page (the new case worker gets the email), the team workload, the list exported as CSV and
the printable dossier; every page checked with axe-core at desktop and phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import SQLModel
from support.browser import LiveApp, check_page
from support.stack import (
    STAFF_PASSWORD,
    free_port,
    intake,
    make_dossier,
    make_staff,
    received,
    smtp_catcher,
)

from config.loading import dev_settings
from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from domain.dossier_timeline import TASK_LABEL
from models.database import engine_for, session_scope
from models.dossier import Dossier
from models.staff import Role

pytestmark = pytest.mark.browser

SUPERVISOR = "sacha@cravelynos.example"


@pytest.fixture
def live_settings(tmp_path: Path, closed_port: int) -> Iterator[Settings]:
    """The browser fixtures' settings with an SMTP server of their own, listening."""
    settings = dev_settings(
        tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'web.db'}",
        temporal_address=f"127.0.0.1:{closed_port}",
        smtp_port=free_port(),
    )
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with smtp_catcher(settings.mailbox_dir, settings.smtp_port):
        yield settings


def put(settings: Settings, dossier: Dossier, stage: Stage, days: int | None, label: str) -> None:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage, row.next_deadline_label = stage, label
        row.next_deadline = None if days is None else utcnow() + timedelta(days=days)
        session.add(row)


def test_a_supervisor_works_sorts_reassigns_and_exports(
    live_app: LiveApp, page: Page, problems: list[str], tmp_path: Path
) -> None:
    settings = live_app.settings
    supervisor = make_staff(settings, SUPERVISOR, Role.SUPERVISOR, name="Sacha Durand")
    colleague = make_staff(settings, "bruno@cravelynos.example", name="Bruno Petit")
    late = make_dossier(settings, supervisor, intake("a@example.org", last_name="Zola"))
    soon = make_dossier(settings, supervisor, intake("b@example.org", last_name="Aubert"))
    put(settings, late, Stage.AWAITING_APPROVAL, -2, TASK_LABEL)
    put(settings, soon, Stage.ANALYSIS, None, "")

    page.goto(live_app.url("/login?next=/travail"))
    page.get_by_label("Adresse e-mail professionnelle").fill(SUPERVISOR)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_app.url("/travail"))
    rows = page.get_by_role("row").filter(has_text="CRV-")
    expect(rows.first).to_contain_text("Jeanne Zola")
    expect(rows.first).to_contain_text("En retard")

    # Sort by client with the keyboard: the column header's link.
    page.get_by_role("link", name=re.compile("^Client")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"tri=client"))
    expect(rows.first).to_contain_text("Jeanne Aubert")
    expect(page.get_by_role("columnheader", name=re.compile("^Client"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_label("En retard uniquement").check()
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"retard=1"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jeanne Zola")
    check_page(page, "my-work")

    # Reassign the late dossier from its page.
    rows.first.get_by_role("link").click()
    page.get_by_label("Nouveau conseiller").select_option(label="Bruno Petit")
    page.get_by_role("button", name="Réattribuer").click()
    expect(page.get_by_text("1 dossier confié à Bruno Petit.")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Dossier confié à Bruno Petit")
    check_page(page, "dossier-reassigned")
    [message] = received(settings)
    assert message.recipients == ["bruno@cravelynos.example"]
    assert message.subject == f"Dossier {late.reference} : il vous est confié"

    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {late.reference}")
    check_page(page, "dossier-print")

    page.goto(live_app.url("/travail/equipe"))
    bruno = page.get_by_role("row").filter(has_text="Bruno Petit")
    expect(bruno).to_contain_text("1 en retard")
    check_page(page, "team-workload")
    assert colleague.id is not None

    page.goto(live_app.url("/dossiers?stage=analysis"))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Exporter en CSV")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert soon.reference in text and late.reference not in text
    assert text.splitlines()[0].startswith("Référence;Client;Étape")
    assert problems == []
