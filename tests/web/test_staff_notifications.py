"""Notifications to staff: each client action on a dossier (and a document someone else adds)
gives its assignee exactly one in-app notification and one email through the outbox, however
often the action is told; the header's badge counts them; a staff member reads and marks only
their own. The creditor's silence is told by the negotiation workflow (tests/workflow)."""

from __future__ import annotations

import asyncio
import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select
from support.db import in_db
from support.negotiation import NegotiationSeed, draft_offer, seed_negotiations
from support.stack import TINY_PDF, free_port, received, smtp_catcher
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from activities.analysis import AnalysisActivities
from activities.contracts import dossier as dossier_io
from activities.contracts import negotiation as negotiation_io
from activities.negotiation_records import NegotiationRecordActivities
from activities.staff_notifications import deliver_staff_emails
from config.settings import Settings
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.sharing import ShareCategory
from domain.staff_notifications import NotificationKind
from models.database import session_scope
from models.dossier_note import StaffNotification
from models.outbox import OutboxEmail
from security.negotiation_links import CONSENT_LINK_PATH, consent_link_token
from services.budget.store import snapshot_analysis
from services.negotiations.consents import (
    ConsentStateError,
    create_consent_request,
    decide_consent,
    revoke_consent,
)
from services.staff_notifications import TEMPLATE, notify_assignee

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
BADGE = re.compile(
    r'href="/notifications"[^>]*>Notifications(?: <span class="badge badge-count">(\d+))?'
)


def _notifications(settings: Settings) -> list[StaffNotification]:
    with session_scope(settings) as session:
        return list(session.exec(select(StaffNotification).order_by(StaffNotification.id)).all())


def _staff_emails(settings: Settings) -> list[OutboxEmail]:
    with session_scope(settings) as session:
        return list(session.exec(select(OutboxEmail).where(OutboxEmail.template == TEMPLATE)).all())


def _kinds(settings: Settings) -> list[tuple[int, str]]:
    return [(n.staff_id, n.kind) for n in _notifications(settings)]


def _consent(settings: Settings, seed: NegotiationSeed) -> str:
    """A pending request, asked by the assignee (who is told nothing of their own action)."""
    return in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=[ShareCategory.IDENTITY],
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )


def test_a_consent_given_on_its_page_notifies_the_assignee_once_and_emails_them(
    app: FastAPI, web_settings: Settings
) -> None:
    seed = seed_negotiations(web_settings, creditors=1)
    consent_id = _consent(web_settings, seed)
    assert _notifications(web_settings) == []
    url = f"{CONSENT_LINK_PATH}/{consent_link_token(web_settings, consent_id)}"
    with TestClient(app) as browser:
        page = browser.get(url)
        [nonce] = set(NONCE.findall(page.text))
        decided = browser.post(url, data={"nonce": nonce, "decision": "accept"})
        assert decided.status_code == 200  # recorded; Temporal unreachable here
        again = browser.post(url, data={"nonce": nonce, "decision": "accept"})
        assert again.status_code == 409  # the same decision told twice changes nothing
    assert _kinds(web_settings) == [(seed.staff_id, NotificationKind.CONSENT_GIVEN.value)]
    [email] = _staff_emails(web_settings)
    assert email.status == "queued" and email.dossier_id == seed.dossier_id

    port = free_port()
    mail_settings = web_settings.model_copy(update={"smtp_port": port})
    with smtp_catcher(mail_settings.mailbox_dir, port):
        assert asyncio.run(deliver_staff_emails(mail_settings)) == 1
        assert asyncio.run(deliver_staff_emails(mail_settings)) == 0  # sent once
        [message] = received(mail_settings)
    assert message.recipients == ["conseillere@cravelynos.example"]
    assert f"Dossier {seed.reference}" in message.subject
    body = message.text
    assert f"/dossiers/{seed.dossier_id}" in body
    assert "le client a donné son consentement" in body
    for personal in ("Jeanne", "Dupont", "client@example.org", "06 12"):
        assert personal not in body and personal not in message.subject


def test_a_refusal_and_a_withdrawal_each_notify_once(
    web_settings: Settings,
) -> None:
    seed = seed_negotiations(web_settings, creditors=1)
    refused = _consent(web_settings, seed)
    decide = {"method": ConsentMethod.SIGNED_LINK, "actor": seed.client_actor}
    in_db(web_settings, decide_consent, web_settings, refused, given=False, **decide)
    try:
        in_db(web_settings, decide_consent, web_settings, refused, given=False, **decide)
        raise AssertionError("a consent is decided once")
    except ConsentStateError:
        pass
    given = _consent(web_settings, seed)
    in_db(web_settings, decide_consent, web_settings, given, given=True, **decide)
    in_db(
        web_settings,
        revoke_consent,
        web_settings,
        given,
        actor=seed.client_actor,
        channel="client_link",
    )
    assert _kinds(web_settings) == [
        (seed.staff_id, NotificationKind.CONSENT_REFUSED.value),
        (seed.staff_id, NotificationKind.CONSENT_GIVEN.value),
        (seed.staff_id, NotificationKind.CONSENT_WITHDRAWN.value),
    ]
    assert len(_staff_emails(web_settings)) == 3
    # The same event told again (a retried caller) is still one notification and one email.
    with session_scope(web_settings) as session:
        notify_assignee(
            session,
            web_settings,
            dossier_id=seed.dossier_id,
            kind=NotificationKind.CONSENT_WITHDRAWN,
            source_key=f"consent:{given}:revoked",
        )
    assert len(_notifications(web_settings)) == 3 and len(_staff_emails(web_settings)) == 3


def test_an_approval_and_a_counter_offer_decision_recorded_twice_notify_once(
    web_settings: Settings,
) -> None:
    seed = seed_negotiations(web_settings, creditors=1, approved=False)
    in_db(web_settings, snapshot_analysis, seed.dossier_id, web_settings, submission=1)
    approval = dossier_io.AnalysisApproval(
        dossier_id=seed.dossier_id,
        submission=1,
        channel="client_link",
        actor=seed.client_actor,
        approved_at=None,  # type: ignore[arg-type]
    )
    activities = AnalysisActivities(web_settings)
    activities.record_analysis_approval(approval)
    activities.record_analysis_approval(approval)  # an activity retried after its commit
    assert _kinds(web_settings) == [(seed.staff_id, NotificationKind.ANALYSIS_APPROVED.value)]

    negotiated = seed_negotiations(web_settings, creditors=1)
    counter = draft_offer(web_settings, negotiated.negotiation_ids[0], made_by="creditor")
    change = negotiation_io.OfferStatusChange(
        offer_id=counter, status="refused", client_decision="refused"
    )
    records = NegotiationRecordActivities(web_settings)
    records.set_offer_status(change)
    records.set_offer_status(change)
    assert _kinds(web_settings)[1:] == [
        (negotiated.staff_id, NotificationKind.COUNTER_OFFER_REFUSED.value)
    ]
    assert len(_staff_emails(web_settings)) == 2


def test_a_document_added_by_a_colleague_notifies_the_assignee_not_their_own(
    client: TestClient, app: FastAPI, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.case_worker)
    files = {"file": ("releve.pdf", TINY_PDF, "application/pdf")}
    own = client.post(
        f"/dossiers/{dossier.id}/documents",
        data={"csrf_token": token, "kind": "income"},
        files=files,
        follow_redirects=False,
    )
    assert own.status_code == 303 and _notifications(web_settings) == []
    with TestClient(app) as other:
        colleague_token = sign_in(other, staff.colleague)
        added = other.post(
            f"/dossiers/{dossier.id}/documents",
            data={"csrf_token": colleague_token, "kind": "identity"},
            files=files,
            follow_redirects=False,
        )
    assert added.status_code == 303
    assert _kinds(web_settings) == [
        (staff.case_worker.id, NotificationKind.DOCUMENT_RECEIVED.value)
    ]


def _notify(settings: Settings, dossier_id: str, key: str, kind: NotificationKind) -> int:
    with session_scope(settings) as session:
        row = notify_assignee(session, settings, dossier_id=dossier_id, kind=kind, source_key=key)
        assert row is not None and row.id is not None
        return row.id


def test_the_badge_the_list_opening_one_and_marking_all_read_are_ones_own(
    client: TestClient, app: FastAPI, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    first = _notify(web_settings, dossier.id, "a", NotificationKind.ANALYSIS_APPROVED)
    second = _notify(web_settings, dossier.id, "b", NotificationKind.CONSENT_GIVEN)
    token = sign_in(client, staff.case_worker)

    page = client.get("/dossiers").text
    assert BADGE.search(page) and BADGE.search(page).group(1) == "2"  # type: ignore[union-attr]
    listing = html.unescape(client.get("/notifications").text)
    assert listing.index("le client a donné son consentement".capitalize()) < listing.index(
        "Le client a validé l'analyse budgétaire"
    )  # newest first
    assert listing.count("notification-unread") == 2 and f"Dossier {dossier.reference}" in listing

    # Someone else can neither open nor mark them, nor sees them.
    with TestClient(app) as other:
        other_token = sign_in(other, staff.colleague)
        assert other.get(f"/notifications/{first}", follow_redirects=False).status_code == 404
        assert dossier.reference not in other.get("/notifications").text
        other.post("/notifications/read-all", data={"csrf_token": other_token})
        other_page = other.get("/dossiers").text
        assert BADGE.search(other_page).group(1) is None  # type: ignore[union-attr]
    assert all(n.read_at is None for n in _notifications(web_settings))
    assert audit_entries(web_settings, "access.denied")[-1].object_id == str(first)

    opened = client.get(f"/notifications/{first}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/dossiers/{dossier.id}"
    read = {n.id: n.read_at for n in _notifications(web_settings)}
    assert read[first] is not None and read[second] is None
    assert BADGE.search(client.get("/notifications").text).group(1) == "1"  # type: ignore[union-attr]

    done = client.post("/notifications/read-all", data={"csrf_token": token})
    assert "Toutes vos notifications sont marquées comme lues." in html.unescape(done.text)
    assert all(n.read_at is not None for n in _notifications(web_settings))
    assert BADGE.search(done.text).group(1) is None  # type: ignore[union-attr]
    assert client.post("/notifications/read-all", data={}).status_code == 403  # CSRF

    # Roles that are never assigned a dossier get no badge.
    with TestClient(app) as dpo:
        sign_in(dpo, staff.dpo)
        assert 'href="/notifications"' not in dpo.get("/dossiers").text
