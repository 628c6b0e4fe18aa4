"""/supervision: each role sees the SLA board within its scope, references only for ops; the
outbox shows its backlog and refused emails without any address; Temporal down is said plainly.

The web fixtures point Temporal at a closed port, so every test here also checks that the page
is served without it."""

from __future__ import annotations

import html
import uuid
from datetime import datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.breaches import declare_breach
from support.privacy import record_privacy_request
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from config.settings import Settings
from domain.clock import utcnow
from domain.french_dates import PARIS
from domain.negotiation.states import NegotiationState
from domain.privacy.request import Right
from models.database import session_scope
from models.dossier import Dossier, DossierCreditor
from models.negotiation import Negotiation
from models.outbox import EmailStatus, OutboxEmail
from models.privacy_request import PrivacyRequest
from web.auth import ROLE_REFUSED

ADDRESS = "jeanne.dupont@exemple.fr"
REQUESTER = "ines.moreau@example.org"


class Seeded:
    def __init__(self, settings: Settings, staff: Staff) -> None:
        now = utcnow()
        self.dossier = seed_dossier(settings, staff.case_worker)
        self.request = record_privacy_request(
            settings, staff.supervisor, now - timedelta(days=45), Right.ERASURE, email=REQUESTER
        )
        self.breach = declare_breach(settings, now - timedelta(hours=80), now)
        noon_in_paris = datetime.combine(now.astimezone(PARIS).date(), time(12), tzinfo=PARIS)
        with session_scope(settings) as session:
            dossier = session.get(Dossier, self.dossier.id)
            request = session.get(PrivacyRequest, self.request.id)
            assert dossier is not None and request is not None
            dossier.next_deadline = noon_in_paris
            dossier.next_deadline_label = "Relance des pièces"
            # A request of the Paris team, so the Paris supervisor sees it.
            request.team = "paris"
            session.add_all([dossier, request])
            creditor = session.exec(
                select(DossierCreditor).where(DossierCreditor.dossier_id == dossier.id)
            ).first()
            assert creditor is not None and creditor.id is not None
            self.negotiation_reference = f"{dossier.reference}-C1"
            session.add(
                Negotiation(
                    id=uuid.uuid4().hex,
                    dossier_id=dossier.id,
                    dossier_creditor_id=creditor.id,
                    number=1,
                    reference=self.negotiation_reference,
                    state=NegotiationState.AWAITING_REPLY.value,
                    next_deadline=now - timedelta(days=2),
                )
            )
            common = {"dossier_id": self.dossier.id, "recipient_enc": "chiffré"}
            session.add(
                OutboxEmail(
                    idempotency_key="board-queued",
                    message_id="<board-queued@cravelynos>",
                    template="dossier_progress",
                    created_at=now - timedelta(minutes=30),
                    **common,
                )
            )
            session.add(
                OutboxEmail(
                    idempotency_key="board-failed",
                    message_id="<board-failed@cravelynos>",
                    template="document_reminder",
                    status=EmailStatus.FAILED,
                    attempts=3,
                    # What a careless relay message would hold: the class and code are kept.
                    last_error=f"SMTPRecipientsRefused 550 <{ADDRESS}> unknown user",
                    created_at=now - timedelta(days=1),
                    **common,
                )
            )


@pytest.fixture
def seeded(web_settings: Settings, staff: Staff) -> Seeded:
    return Seeded(web_settings, staff)


def _page(client: TestClient, user: object) -> str:
    sign_in(client, user)  # type: ignore[arg-type]
    response = client.get("/supervision")
    assert response.status_code == 200, response.text
    # The board itself (the menu links to the breach report form for everyone).
    return html.unescape(response.text.split("<main", 1)[1])


def test_ops_see_references_and_counts_without_names_or_links(
    client: TestClient, staff: Staff, seeded: Seeded, web_settings: Settings
) -> None:
    page = _page(client, staff.ops)
    for reference in (seeded.dossier.reference, seeded.request.reference, seeded.breach.reference):
        assert reference in page
    assert "Relance des pièces" in page
    assert seeded.negotiation_reference in page
    assert "Attente du créancier" in page and "Relance dépassée de 2 jours" in page
    assert "En retard" in page
    for private in ("Dupont", "Jeanne", ADDRESS, REQUESTER):
        assert private not in page
    for link in ('href="/dossiers/', 'href="/privacy-requests/', 'href="/breaches/'):
        assert link not in page
    # Nothing personal shown: no audit entry for the view.
    assert not [e for e in audit_entries(web_settings, "access.denied")]


def test_a_supervisor_opens_the_team_s_dossiers_and_requests_not_breaches(
    client: TestClient, staff: Staff, seeded: Seeded
) -> None:
    page = _page(client, staff.supervisor)
    assert f'href="/dossiers/{seeded.dossier.id}"' in page
    assert f'href="/privacy-requests/{seeded.request.id}"' in page
    assert seeded.breach.reference in page
    assert f'href="/breaches/{seeded.breach.id}"' not in page


def test_another_team_s_supervisor_sees_neither_the_dossier_nor_the_request(
    client: TestClient, staff: Staff, seeded: Seeded
) -> None:
    page = _page(client, staff.other_supervisor)
    assert seeded.dossier.reference not in page  # nor its negotiation "<reference>-C1"
    assert seeded.request.reference not in page
    assert seeded.breach.reference in page


def test_the_dpo_opens_every_line(client: TestClient, staff: Staff, seeded: Seeded) -> None:
    page = _page(client, staff.dpo)
    assert f'href="/dossiers/{seeded.dossier.id}"' in page
    assert f'href="/privacy-requests/{seeded.request.id}"' in page
    assert f'href="/breaches/{seeded.breach.id}"' in page


def test_the_outbox_shows_the_backlog_and_refusals_without_the_address(
    client: TestClient, staff: Staff, seeded: Seeded
) -> None:
    page = _page(client, staff.ops)
    assert "1 courriel en attente d'envoi" in page
    assert "Refusés par le serveur d'envoi ces 7 derniers jours : 1" in page
    assert "document_reminder" in page
    assert "SMTPRecipientsRefused 550" in page
    assert "unknown user" not in page and ADDRESS not in page


def test_temporal_unreachable_is_said_and_the_board_still_shown(
    client: TestClient, staff: Staff, seeded: Seeded
) -> None:
    page = _page(client, staff.admin)
    assert "Temporal ne répond pas" in page
    assert seeded.breach.reference in page
    assert f'href="/breaches/{seeded.breach.id}"' in page


def test_a_case_worker_is_refused(client: TestClient, staff: Staff, web_settings: Settings) -> None:
    sign_in(client, staff.case_worker)
    response = client.get("/supervision")
    assert response.status_code == 403
    assert ROLE_REFUSED in html.unescape(response.text)
    assert any(e.object_id == "/supervision" for e in audit_entries(web_settings, "access.denied"))
    assert 'href="/supervision"' not in response.text
