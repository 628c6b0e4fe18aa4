"""The client's page behind the signed link, and the staff form for an approval given another
way. Temporal is unreachable here (web fixtures): approvals take their "nothing changed" path;
tests/workflow/test_analysis_phase.py approves through the page against a running workflow.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlmodel import col, func, select
from support.analysis import analysis_of, record_budget
from support.webapp import PASSWORD, Staff, audit_entries, count, offline, seed_dossier

from config.settings import Settings
from domain.dossier_stages import Stage
from models.audit import AuditEntry
from models.budget import BudgetRecord
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.outbox import OutboxEmail
from models.staff import StaffUser
from rendering.labels import eur
from security.analysis_links import analysis_link_token
from security.tokens import sign_token
from services.budget.report import build_analysis_report
from services.budget.store import snapshot_analysis
from web.app import create_app

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BUTTON = re.compile(r'<button type="submit" class="([^"]*)">([^<]+)</button>')
APPROVE = "J'approuve cette proposition"
DISCUSS = "Je souhaite en parler avec mon conseiller"


@dataclass
class Sent:
    dossier: Dossier
    token: str

    @property
    def url(self) -> str:
        return f"/espace/analyse/{self.token}"


def _send(settings: Settings, dossier: Dossier, submission: int, *, report: bool = False) -> Sent:
    """What the submit_analysis activity leaves behind, and the link of the email."""
    with session_scope(settings) as session:
        snapshot_analysis(session, dossier.id, settings, submission=submission, actor="system")
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.AWAITING_APPROVAL
        session.add(row)
    if report:
        build_analysis_report(settings, dossier.id)
    return Sent(dossier, analysis_link_token(settings, dossier.id, submission))


@pytest.fixture
def dossier(web_settings: Settings, staff: Staff) -> Dossier:
    dossier = seed_dossier(web_settings, staff.case_worker)
    record_budget(web_settings, staff.case_worker, dossier.id)
    return dossier


@pytest.fixture
def sent(web_settings: Settings, dossier: Dossier) -> Sent:
    return _send(web_settings, dossier, 1)


def _state(settings: Settings) -> tuple[int, int, int, tuple[object, ...]]:
    """Everything an answer on the page could change: audit, timeline, outbox, approval."""
    with session_scope(settings) as session:
        records = session.exec(select(BudgetRecord)).all()
        approvals = tuple(
            (r.approved_submission, r.approved_at, r.approval_channel) for r in records
        )
        timeline = session.exec(select(func.count()).select_from(TimelineEvent)).one()
    return count(settings, AuditEntry), int(timeline), count(settings, OutboxEmail), approvals


def _nonce(client: TestClient, sent: Sent) -> str:
    [nonce] = set(NONCE.findall(client.get(sent.url).text))
    return nonce


# ----- the page --------------------------------------------------------------------------------


def test_page_shows_the_submission_with_two_equally_easy_answers(
    client: TestClient, web_settings: Settings, dossier: Dossier
) -> None:
    sent = _send(web_settings, dossier, 1, report=True)
    page = client.get(sent.url)
    assert page.status_code == 200
    analysis = analysis_of(web_settings)
    for figure in (analysis.monthly_resources, analysis.living_budget, analysis.capacity):
        assert eur(figure) in page.text
    assert "Plan amiable au montant de la capacité de remboursement." in page.text
    # Each figure says in plain words what it is.
    for explanation in (
        "Tout ce qui entre chaque mois dans le foyer",
        "pour vivre",
        "la part qui pourrait servir à rembourser",
        "Le total restant dû",
        "La loi fixe un plafond",
    ):
        assert explanation in html.unescape(page.text), explanation
    assert f'href="{sent.url}/rapport.pdf"' in page.text
    # Two answers, as prominent as each other: same element, same style, same kind of form.
    buttons = BUTTON.findall(page.text)
    assert [text for _, text in buttons] == [APPROVE, DISCUSS]
    assert buttons[0][0] == buttons[1][0]
    assert page.text.count('<form method="post" action="') == 2
    # A public page: no cookie, not cached, not indexed; the read is audited as the client's.
    assert "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "no-store"
    assert "noindex" in page.headers["x-robots-tag"]
    reads = audit_entries(web_settings, "budget.submission_read")
    assert [e.actor for e in reads if e.actor != "system"] == [f"client:{dossier.client_id}"]


def test_report_download(client: TestClient, web_settings: Settings, dossier: Dossier) -> None:
    sent = _send(web_settings, dossier, 1, report=True)
    pdf = client.get(f"{sent.url}/rapport.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    [read] = audit_entries(web_settings, "document.read")
    assert read.actor == f"client:{dossier.client_id}"


def test_expired_link_gives_a_clear_410_and_changes_nothing(
    client: TestClient, web_settings: Settings, sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    nonce = _nonce(client, sent)
    signed_at = int(time.time()) - web_settings.analysis_link_days * 24 * 3600 - 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        expired = Sent(sent.dossier, analysis_link_token(web_settings, sent.dossier.id, 1))
    before = _state(web_settings)
    page = client.get(expired.url)
    assert page.status_code == 410
    assert "Ce lien a expiré" in page.text and "Rien n&#39;a été modifié" in page.text
    assert f"{web_settings.analysis_link_days} jours" in page.text
    for action in ("approve", "discuss"):
        assert client.post(f"{expired.url}/{action}", data={"nonce": nonce}).status_code == 410
    assert client.get(f"{expired.url}/rapport.pdf").status_code == 410
    assert _state(web_settings) == before


@pytest.mark.parametrize("how", ["edited", "truncated", "other purpose"])
def test_tampered_link_gives_a_clear_400_and_changes_nothing(
    client: TestClient, web_settings: Settings, sent: Sent, how: str
) -> None:
    nonce = _nonce(client, sent)
    token = {
        # A character well inside the signature (the last one's low bits are only padding).
        "edited": sent.token[:-5] + ("a" if sent.token[-5] != "a" else "b") + sent.token[-4:],
        "truncated": sent.token[: len(sent.token) // 2],
        "other purpose": sign_token("api", {"d": sent.dossier.id, "s": 1}, web_settings),
    }[how]
    forged = Sent(sent.dossier, token)
    before = _state(web_settings)
    page = client.get(forged.url)
    assert page.status_code == 400
    assert "Ce lien n&#39;est pas valable" in page.text
    for action in ("approve", "discuss"):
        assert client.post(f"{forged.url}/{action}", data={"nonce": nonce}).status_code == 400
    assert _state(web_settings) == before


def test_a_link_to_a_replaced_submission_says_so(
    client: TestClient, web_settings: Settings, sent: Sent
) -> None:
    nonce = _nonce(client, sent)
    newer = _send(web_settings, sent.dossier, 2)
    before = _state(web_settings)
    old = client.get(sent.url)
    assert old.status_code == 409
    assert "version mise à jour" in old.text and "ne peut plus être approuvée" in old.text
    assert client.post(f"{sent.url}/approve", data={"nonce": nonce}).status_code == 409
    assert _state(web_settings) == before
    assert client.get(newer.url).status_code == 200


def test_closed_dossier_link_is_gone(
    client: TestClient, web_settings: Settings, sent: Sent
) -> None:
    with session_scope(web_settings) as session:
        row = session.get(Dossier, sent.dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED
        session.add(row)
    page = client.get(sent.url)
    assert page.status_code == 410 and "clôturé" in page.text


def test_answers_need_the_page_nonce_and_our_origin(
    client: TestClient, web_settings: Settings, dossier: Dossier, sent: Sent
) -> None:
    other = seed_dossier(
        web_settings, _case_worker(web_settings, dossier), email="autre@exemple.fr"
    )
    record_budget(web_settings, _case_worker(web_settings, dossier), other.id)
    other_nonce = _nonce(client, _send(web_settings, other, 1))
    nonce = _nonce(client, sent)
    before = _state(web_settings)
    refused = [
        client.post(f"{sent.url}/approve", data={}),
        client.post(f"{sent.url}/approve", data={"nonce": "forged"}),
        client.post(f"{sent.url}/approve", data={"nonce": other_nonce}),
        client.post(
            f"{sent.url}/discuss", data={"nonce": nonce}, headers={"origin": "https://evil.example"}
        ),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "n'a pas été enregistrée" in refused[0].text.replace("&#39;", "'")
    assert _state(web_settings) == before


def _case_worker(settings: Settings, dossier: Dossier) -> StaffUser:
    with session_scope(settings) as session:
        user = session.get(StaffUser, dossier.assignee_id)
        assert user is not None
        return user


def test_approval_while_temporal_is_down_changes_nothing(
    client: TestClient, web_settings: Settings, sent: Sent
) -> None:
    nonce = _nonce(client, sent)
    audit_before = count(web_settings, AuditEntry)
    response = client.post(f"{sent.url}/approve", data={"nonce": nonce})
    assert response.status_code == 503
    assert "Votre accord n&#39;a pas été enregistré" in response.text
    assert "rien n&#39;a été modifié" in response.text
    with session_scope(web_settings) as session:
        record = session.get(BudgetRecord, sent.dossier.id)
        assert record is not None and record.approved_submission is None
    # Only the page's own read of the submission was audited.
    new = count(web_settings, AuditEntry) - audit_before
    assert new == 1 and audit_entries(web_settings, "budget.approve") == []
    # The buttons are still there to try again.
    assert APPROVE in response.text


def test_asking_to_talk_records_one_timeline_event_and_sends_nothing(
    client: TestClient, web_settings: Settings, sent: Sent
) -> None:
    nonce = _nonce(client, sent)
    for _ in range(2):
        response = client.post(f"{sent.url}/discuss", data={"nonce": nonce})
        assert response.status_code == 200
        assert "votre conseiller va vous recontacter" in response.text
    with session_scope(web_settings) as session:
        events = session.exec(
            select(TimelineEvent).where(col(TimelineEvent.kind) == "analysis_discussion")
        ).all()
    [event] = events
    assert event.actor == f"client:{sent.dossier.client_id}"
    assert count(web_settings, OutboxEmail) == 0
    with session_scope(web_settings) as session:
        record = session.get(BudgetRecord, sent.dossier.id)
        assert record is not None and record.approved_submission is None


def test_the_page_is_rate_limited(web_settings: Settings, sent: Sent) -> None:
    app = create_app(offline(web_settings, client_link_requests_per_minute=3))
    with TestClient(app) as limited:
        codes = [limited.get(sent.url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# ----- the staff form --------------------------------------------------------------------------


@pytest.fixture
def signed_in(client: TestClient, staff: Staff) -> Iterator[str]:
    token = CSRF.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"email": staff.case_worker.email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    match = CSRF.search(client.get("/dossiers/new").text)
    assert match
    yield match.group(1)


def test_staff_record_an_approval_given_by_phone(
    client: TestClient, web_settings: Settings, sent: Sent, signed_in: str
) -> None:
    url = f"/dossiers/{sent.dossier.id}/analyse/validation"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="submission" value="1"' in page.text
    assert 'value="phone"' in page.text and 'value="client_link"' not in page.text

    missing = client.post(url, data={"csrf_token": signed_in, "submission": "1"})
    assert missing.status_code == 422
    assert "Indiquez comment le client a donné son accord." in missing.text.replace("&#39;", "'")

    # Temporal is down: the workflow was not told, nothing is recorded.
    down = client.post(url, data={"csrf_token": signed_in, "submission": "1", "channel": "phone"})
    assert down.status_code == 503
    assert "La validation n&#39;a pas été enregistrée." in down.text
    assert audit_entries(web_settings, "budget.approve") == []

    forged = client.post(url, data={"submission": "1", "channel": "phone"})
    assert forged.status_code == 403


def test_staff_of_another_team_cannot_record_an_approval(
    web_settings: Settings, sent: Sent, staff: Staff
) -> None:
    with TestClient(create_app(web_settings)) as other:
        token = CSRF.search(other.get("/login").text)
        assert token
        other.post(
            "/login",
            data={
                "email": staff.other_team.email,
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        response = other.get(f"/dossiers/{sent.dossier.id}/analyse/validation")
    assert response.status_code == 403
    [denied] = audit_entries(web_settings, "access.denied")
    assert denied.actor == f"staff:{staff.other_team.id}"
