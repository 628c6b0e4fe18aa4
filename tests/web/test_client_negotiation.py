"""The client's negotiation pages behind signed links: the consent request, the negotiation space
(with the withdrawal of consent) and the decision on a counter-offer.

Temporal is unreachable here (web fixtures): a consent decision or a withdrawal is still
recorded (the row is the client's decision, and every message re-checks it at send time) and
the page says so; a counter-offer decision, which only the workflow applies, changes nothing.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlmodel import col, func, select
from support.db import in_db
from support.devserver import serve_web_app
from support.negotiation import (
    NegotiationSeed,
    creditor_name,
    draft_offer,
    give_consent,
    seed_negotiations,
)
from support.webapp import audit_entries, offline

from config.settings import Settings
from domain.clock import utcnow
from domain.negotiation.sharing import SHARE_CATEGORY_LABELS_FR, ShareCategory
from domain.negotiation.states import NegotiationState
from models.audit import AuditEntry
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import TimelineEvent
from models.negotiation import (
    CreditorConsent,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.outbox import OutboxEmail
from rendering.labels import eur
from security.datakeys import ClientCipher
from security.negotiation_links import (
    CONSENT_LINK_PATH,
    DECISION_LINK_MAX_DAYS,
    DECISION_LINK_PATH,
    SPACE_LINK_PATH,
    consent_link_token,
    decision_link_token,
    space_link_token,
)
from security.tokens import sign_token
from services.negotiations.client_views import client_counter_offer
from services.negotiations.consents import (
    create_consent_request,
    document_label,
    load_consent,
)
from web.app import create_app
from web.ui.rendering import templates

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
DECISION_BUTTON = re.compile(
    r'<button type="submit" class="([^"]*)" name="decision" value="([a-z]+)">([^<]+)</button>'
)
CONSENT_TEXT = re.compile(r'<div class="multiline" id="consent-text">(.*?)</div>', re.S)
CHOSEN = [ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.DOCUMENTS]


# ----- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def seed(web_settings: Settings) -> NegotiationSeed:
    return seed_negotiations(web_settings)


def _ask_consent(settings: Settings, seed: NegotiationSeed, **kwargs: object) -> str:
    """A pending request naming identity, debts and the first document (the identity card)."""
    return in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=CHOSEN,
        document_ids=[seed.document_ids[0]],
        expires_at=kwargs.get("expires_at"),  # type: ignore[arg-type]
        actor=seed.actor,
    )


def _consent_url(settings: Settings, consent_id: str) -> str:
    return f"{CONSENT_LINK_PATH}/{consent_link_token(settings, consent_id)}"


def _space_url(settings: Settings, seed: NegotiationSeed, number: int = 1) -> str:
    token = space_link_token(settings, seed.negotiation_ids[number - 1])
    return f"{SPACE_LINK_PATH}/{token}"


def _decision_url(settings: Settings, offer_id: str) -> str:
    return f"{DECISION_LINK_PATH}/{decision_link_token(settings, offer_id)}"


def _nonce(page_text: str) -> str:
    [nonce] = set(NONCE.findall(page_text))
    return nonce


def _text(page_text: str) -> str:
    return html.unescape(page_text)


def _state(settings: Settings) -> tuple[object, ...]:
    """Everything a page could change: consents, offers, audit, timeline, outbox."""
    with session_scope(settings) as session:
        consents = tuple(
            (c.id, c.status, c.decided_at, c.method, c.decided_by, c.revoked_at)
            for c in session.exec(select(CreditorConsent).order_by(col(CreditorConsent.id)))
        )
        offers = tuple(
            (o.id, o.status, o.client_decision, o.client_decided_at)
            for o in session.exec(select(NegotiationOffer).order_by(col(NegotiationOffer.id)))
        )
        counts = tuple(
            int(session.exec(select(func.count()).select_from(model)).one())
            for model in (AuditEntry, TimelineEvent, OutboxEmail)
        )
    return consents, offers, counts


def _consent_row(settings: Settings, consent_id: str) -> CreditorConsent:
    with session_scope(settings) as session:
        row = session.get(CreditorConsent, consent_id)
        assert row is not None
        return row


def _set_state(settings: Settings, negotiation_id: str, state: NegotiationState) -> None:
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state = state.value
        session.add(row)


def _expired_token(monkeypatch: pytest.MonkeyPatch, age_days: int, make: Callable[[], str]) -> str:
    signed_at = int(time.time()) - age_days * 24 * 3600 - 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        return make()


def _assert_private(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert "set-cookie" not in headers
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"
    assert "noindex" in headers["x-robots-tag"]


def _equal_answers(page_text: str) -> None:
    """Two answers as prominent as each other: same element, same style, none pre-selected."""
    buttons = DECISION_BUTTON.findall(page_text)
    assert [(value, label) for _, value, label in buttons] == [
        ("accept", "J'accepte"),
        ("refuse", "Je refuse"),
    ]
    assert buttons[0][0] == buttons[1][0]
    assert "checked" not in page_text and "autofocus" not in page_text
    assert page_text.count('<form method="post"') == 1


@dataclass
class Counter:
    seed: NegotiationSeed
    ours: str
    offer_id: str
    url: str


def _counter_offer(
    settings: Settings, seed: NegotiationSeed, deadline: datetime | None = None
) -> Counter:
    """Our offer of round 1, sent; the creditor's counter-offer awaiting the client's decision
    (what RECORD_REPLY and SET_OFFER_STATUS leave behind)."""
    negotiation_id = seed.negotiation_ids[0]
    give_consent(settings, negotiation_id, CHOSEN, [seed.document_ids[0]])
    ours = draft_offer(settings, negotiation_id, amount="1200.00")
    counter = draft_offer(
        settings,
        negotiation_id,
        made_by="creditor",
        amount="1450.00",
        instalments=10,
        instalment_amount="145.00",
        balance_share="75.50",
    )
    with session_scope(settings) as session:
        for offer_id, status in ((ours, "countered"), (counter, "sent")):
            row = session.get(NegotiationOffer, offer_id)
            assert row is not None
            row.status = status
            if offer_id == counter:
                row.decision_deadline = deadline or utcnow() + timedelta(days=5)
            else:
                row.sent_at = utcnow() - timedelta(days=10)
            session.add(row)
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None
        negotiation.state, negotiation.round = NegotiationState.COUNTER_OFFER.value, 1
        session.add(negotiation)
    return Counter(seed, ours, counter, _decision_url(settings, counter))


# ----- consent page ----------------------------------------------------------------------------


def test_consent_page_shows_exactly_what_would_be_shared_with_whom(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    consent_id = _ask_consent(web_settings, seed)
    page = client.get(_consent_url(web_settings, consent_id))
    assert page.status_code == 200
    text = _text(page.text)
    stored = in_db(web_settings, load_consent, web_settings, consent_id)
    # The stored text word for word, and nothing else in its place.
    [shown] = CONSENT_TEXT.findall(page.text)
    assert html.unescape(shown) == stored.text
    # The text is the client's own voice; the lists around it speak to the client, and
    # nothing points "below" at what is not there.
    assert "- Mon identité (nom et prénom)\n" in stored.text
    assert "- Les pièces justificatives suivantes :\n    • " in stored.text
    assert "Votre identité" not in stored.text and "ci-dessous" not in text
    assert stored.text_sha256 in text and stored.text_version in text
    # Whom: the directory creditor and its kind; what: the categories in words, the document.
    assert f"Partage de vos informations avec {creditor_name(1)}" in text
    assert "(Banque)" in text
    labels = [SHARE_CATEGORY_LABELS_FR[c] for c in CHOSEN]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    for missing in (ShareCategory.CONTACT, ShareCategory.BUDGET):
        assert SHARE_CATEGORY_LABELS_FR[missing] not in text
    with session_scope(web_settings) as session:
        identity, income = (session.get(Document, i) for i in seed.document_ids)
        assert identity is not None and income is not None
        assert document_label(identity) in text and document_label(income) not in text
    assert "négocier en votre nom un accord de remboursement" in text
    assert "Jusqu'à ce que vous le retiriez" in text
    _equal_answers(page.text)
    _assert_private(page)
    assert '<meta name="referrer" content="no-referrer">' in page.text
    [read] = audit_entries(web_settings, "consent.read")
    assert (read.actor, read.object_id) == (f"client:{seed.client_id}", consent_id)


@pytest.mark.parametrize(
    ("decision", "status", "action"),
    [("accept", "given", "consent.given"), ("refuse", "refused", "consent.refused")],
)
def test_accepting_and_refusing_both_record_the_decision(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    decision: str,
    status: str,
    action: str,
) -> None:
    consent_id = _ask_consent(web_settings, seed)
    url = _consent_url(web_settings, consent_id)
    nonce = _nonce(client.get(url).text)
    # A browser posting a page that sent no referrer says `Origin: null`.
    response = client.post(
        url, data={"nonce": nonce, "decision": decision}, headers={"origin": "null"}
    )
    # Temporal is down: the decision stands, the page says so and that the receipt may be late.
    assert response.status_code == 200
    text = _text(response.text)
    assert "Votre décision est bien enregistrée" in text and "retard" in text
    assert "J'accepte" not in text
    _assert_private(response)
    row = _consent_row(web_settings, consent_id)
    assert (row.status, row.method, row.decided_by) == (
        status,
        "signed_link",
        f"client:{seed.client_id}",
    )
    assert row.decided_at is not None
    [entry] = audit_entries(web_settings, action)
    assert (entry.actor, entry.object_id) == (f"client:{seed.client_id}", consent_id)
    assert json.loads(entry.detail)["method"] == "signed_link"

    # The page now shows the decision; answering again is refused and changes nothing.
    again = client.get(url)
    assert again.status_code == 200
    word = "donné votre consentement" if status == "given" else "refusé ce partage"
    assert word in _text(again.text) and "J'accepte" not in _text(again.text)
    before = _state(web_settings)
    other = "refuse" if decision == "accept" else "accept"
    repeat = client.post(url, data={"nonce": nonce, "decision": other})
    assert repeat.status_code == 409
    assert "déjà" in _text(repeat.text) and "Rien n'a été modifié" in _text(repeat.text)
    assert _state(web_settings) == before


def test_a_post_without_a_choice_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    consent_id = _ask_consent(web_settings, seed)
    url = _consent_url(web_settings, consent_id)
    nonce = _nonce(client.get(url).text)
    before = _state(web_settings)
    for decision in ("", "maybe"):
        response = client.post(url, data={"nonce": nonce, "decision": decision})
        assert response.status_code == 422
        assert "Choisissez « J'accepte » ou « Je refuse »." in _text(response.text)
    assert _state(web_settings) == before


def test_a_replaced_request_says_so_and_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    old = _ask_consent(web_settings, seed)
    url = _consent_url(web_settings, old)
    nonce = _nonce(client.get(url).text)
    newer = _ask_consent(web_settings, seed)
    before = _state(web_settings)
    page = client.get(url)
    assert page.status_code == 409
    assert "remplacée par une demande plus récente" in _text(page.text)
    assert client.post(url, data={"nonce": nonce, "decision": "accept"}).status_code == 409
    assert _state(web_settings) == before
    assert _consent_row(web_settings, old).status == "superseded"
    assert _consent_row(web_settings, newer).status == "pending"
    assert client.get(_consent_url(web_settings, newer)).status_code == 200


@pytest.mark.parametrize("why", ["consent expiry passed", "negotiation ended", "dossier closed"])
def test_a_request_that_no_longer_awaits_an_answer_is_gone(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, why: str
) -> None:
    consent_id = _ask_consent(web_settings, seed, expires_at=utcnow() + timedelta(days=30))
    url = _consent_url(web_settings, consent_id)
    nonce = _nonce(client.get(url).text)
    with session_scope(web_settings) as session:
        if why == "consent expiry passed":
            row = session.get(CreditorConsent, consent_id)
            assert row is not None
            row.expires_at = utcnow() - timedelta(minutes=1)
            session.add(row)
        elif why == "negotiation ended":
            negotiation = session.get(Negotiation, seed.negotiation_ids[0])
            assert negotiation is not None
            negotiation.state = NegotiationState.ABANDONED.value
            session.add(negotiation)
        else:
            from models.dossier import Dossier

            dossier = session.get(Dossier, seed.dossier_id)
            assert dossier is not None
            dossier.stage = "closed"  # type: ignore[assignment]
            session.add(dossier)
    assert client.get(url).status_code == 410
    before = _state(web_settings)
    response = client.post(url, data={"nonce": nonce, "decision": "accept"})
    assert response.status_code == 410
    assert "Rien n'a été modifié" in _text(response.text)
    assert _state(web_settings) == before
    assert _consent_row(web_settings, consent_id).status == "pending"


def test_consent_answers_need_the_page_nonce_and_our_origin(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    consent_id = _ask_consent(web_settings, seed)
    url = _consent_url(web_settings, consent_id)
    nonce = _nonce(client.get(url).text)
    give_consent(web_settings, seed.negotiation_ids[1], [ShareCategory.IDENTITY])
    other_nonce = _nonce(client.get(_space_url(web_settings, seed, 2)).text)
    before = _state(web_settings)
    refused = [
        client.post(url, data={"decision": "accept"}),
        client.post(url, data={"nonce": "forged", "decision": "accept"}),
        # A nonce of another page (another link, another form) does not fit this one.
        client.post(url, data={"nonce": other_nonce, "decision": "accept"}),
        client.post(
            url,
            data={"nonce": nonce, "decision": "accept"},
            headers={"origin": "https://evil.example"},
        ),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert "Votre réponse n'a pas été enregistrée" in _text(refused[0].text)
    assert _state(web_settings) == before
    assert _consent_row(web_settings, consent_id).status == "pending"


# ----- every link: expired, tampered, private, rate-limited --------------------------------------


LINKS = ["consent", "space", "decision"]


def _link(settings: Settings, seed: NegotiationSeed, kind: str) -> tuple[str, str, str]:
    """(path, token, id) of a usable link of each kind."""
    if kind == "consent":
        target = _ask_consent(settings, seed)
        return CONSENT_LINK_PATH, consent_link_token(settings, target), target
    if kind == "space":
        target = seed.negotiation_ids[0]
        return SPACE_LINK_PATH, space_link_token(settings, target), target
    target = _counter_offer(settings, seed).offer_id
    return DECISION_LINK_PATH, decision_link_token(settings, target), target


def _posts(path: str, token: str) -> list[str]:
    base = f"{path}/{token}"
    return [f"{base}/retrait", f"{base}/retrait/confirmer"] if path == SPACE_LINK_PATH else [base]


@pytest.mark.parametrize("kind", LINKS)
def test_every_page_is_private(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, kind: str
) -> None:
    path, token, _ = _link(web_settings, seed, kind)
    page = client.get(f"{path}/{token}")
    assert page.status_code == 200
    _assert_private(page)
    assert '<meta name="referrer" content="no-referrer">' in page.text


@pytest.mark.parametrize("kind", LINKS)
def test_an_expired_link_gives_a_clear_410_and_changes_nothing(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, token, target = _link(web_settings, seed, kind)
    nonce = _nonce(client.get(f"{path}/{token}").text) if kind != "space" else ""
    age, make = {
        "consent": (
            web_settings.consent_link_days,
            lambda: consent_link_token(web_settings, target),
        ),
        "space": (
            web_settings.negotiation_space_link_days,
            lambda: space_link_token(web_settings, target),
        ),
        "decision": (DECISION_LINK_MAX_DAYS, lambda: decision_link_token(web_settings, target)),
    }[kind]
    expired = _expired_token(monkeypatch, age, make)
    before = _state(web_settings)
    page = client.get(f"{path}/{expired}")
    assert page.status_code == 410
    assert "Ce lien a expiré" in _text(page.text) and "Rien n'a été modifié" in _text(page.text)
    if kind == "consent":
        assert f"{web_settings.consent_link_days} jours" in _text(page.text)
    for url in _posts(path, expired):
        response = client.post(url, data={"nonce": nonce, "decision": "accept"})
        assert response.status_code == 410
    _assert_private(page)
    assert _state(web_settings) == before


@pytest.mark.parametrize("kind", LINKS)
@pytest.mark.parametrize("how", ["edited", "truncated", "other purpose"])
def test_a_tampered_link_gives_a_clear_400_and_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, kind: str, how: str
) -> None:
    path, token, target = _link(web_settings, seed, kind)
    forged = {
        # A character well inside the signature (the last one's low bits are only padding).
        "edited": token[:-5] + ("a" if token[-5] != "a" else "b") + token[-4:],
        "truncated": token[: len(token) // 2],
        # A genuine token of another kind of link, naming the same id.
        "other purpose": sign_token(
            "analysis-approval" if kind != "consent" else "negotiation-space",
            {"c": target, "o": target, "n": target},
            web_settings,
        ),
    }[how]
    before = _state(web_settings)
    page = client.get(f"{path}/{forged}")
    assert page.status_code == 400
    assert "Ce lien n'est pas valable" in _text(page.text)
    # The page cannot name the adviser (the link is unreadable), so it says how to reach one.
    assert f'href="mailto:{web_settings.client_contact_email}"' in page.text
    for url in _posts(path, forged):
        assert client.post(url, data={"nonce": "x", "decision": "accept"}).status_code == 400
    assert _state(web_settings) == before


def test_the_client_links_share_one_rate_limit(
    web_settings: Settings, seed: NegotiationSeed
) -> None:
    consent_id = _ask_consent(web_settings, seed)
    app = create_app(offline(web_settings, client_link_requests_per_minute=3))
    with TestClient(app) as limited:
        codes = [
            limited.get(_consent_url(web_settings, consent_id)).status_code,
            limited.get(_space_url(web_settings, seed)).status_code,
            limited.get(_consent_url(web_settings, consent_id)).status_code,
            limited.get(_space_url(web_settings, seed)).status_code,
        ]
        refused = limited.post(_consent_url(web_settings, consent_id), data={})
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert _consent_row(web_settings, consent_id).status == "pending"


# ----- negotiation space -----------------------------------------------------------------------


def _shared(settings: Settings, seed: NegotiationSeed, consent_id: str, offer_id: str) -> None:
    """What SEND_CREDITOR_MESSAGE and CREATE_SCHEDULE leave behind: a ledger row for our offer
    and an agreed schedule of two instalments (the first one paid)."""
    negotiation_id = seed.negotiation_ids[0]
    with session_scope(settings) as session:
        client_row = session.get(Client, seed.client_id)
        assert client_row is not None
        cipher = ClientCipher.for_client(client_row, settings)
        session.add(
            SharingLedgerEntry(
                negotiation_id=negotiation_id,
                dossier_id=seed.dossier_id,
                client_id=seed.client_id,
                creditor_id=seed.creditor_ids[0],
                consent_id=consent_id,
                message_kind="offer",
                categories=json.dumps(["identity", "debts", "documents"]),
                document_ids=json.dumps([seed.document_ids[0]]),
                message_key=f"negotiation:{negotiation_id}:offer:1",
                message_id="<offre-1@cravelynos.example>",
                channel="email",
                shared_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
            )
        )
        offer = session.get(NegotiationOffer, offer_id)
        assert offer is not None
        offer.status, offer.sent_at = "accepted", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
        session.add(offer)
        for number, amount, paid in ((1, "612.48", True), (2, "587.52", False)):
            row = RepaymentInstalment(
                negotiation_id=negotiation_id,
                offer_id=offer_id,
                number=number,
                due_date=datetime(2026, 4 + number, 5).date(),
                paid_at=datetime(2026, 5, 4, 10, tzinfo=UTC) if paid else None,
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            row.amount_enc = cipher.encrypt("repayment_instalment", "amount", row.id, amount)
            session.add(row)
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None
        negotiation.state = NegotiationState.PLAN_RUNNING.value
        session.add(negotiation)


def test_space_page_shows_state_consents_ledger_offers_and_schedule(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    consent_id = give_consent(web_settings, negotiation_id, CHOSEN, [seed.document_ids[0]])
    offer_id = draft_offer(web_settings, negotiation_id, amount="1200.00", instalments=2)
    draft_offer(web_settings, negotiation_id, round=2, amount="8765.43")  # a draft: not shown
    _shared(web_settings, seed, consent_id, offer_id)
    page = client.get(_space_url(web_settings, seed))
    assert page.status_code == 200
    text = _text(page.text)
    assert f"Négociation avec {creditor_name(1)}" in text
    assert "Plan de remboursement en cours" in text and "réglez les échéances" in text
    # The consent, its status and text.
    stored = in_db(web_settings, load_consent, web_settings, consent_id)
    assert "Donné" in text and stored.text in text
    # The ledger in words: when, which message, which categories and documents, how.
    ledger = text[text.index('id="sharing-ledger"') : text.index('id="h-offers"')]
    assert "2 mars 2026 à 10 h 30" in ledger  # Paris time
    assert "Proposition de règlement" in ledger and "E-mail" in ledger
    for category in CHOSEN:
        assert SHARE_CATEGORY_LABELS_FR[category] in ledger
    for category in (ShareCategory.CONTACT, ShareCategory.BUDGET):
        assert SHARE_CATEGORY_LABELS_FR[category] not in ledger
    with session_scope(web_settings) as session:
        identity = session.get(Document, seed.document_ids[0])
        assert identity is not None
        assert document_label(identity) in ledger
    # Offers sent (not drafts) and the schedule, amounts in French.
    assert eur("1200.00") == "1\u202f200,00\u00a0€" and eur("1200.00") in text
    assert eur("8765.43") not in text
    schedule = text[text.index('id="schedule"') :]
    assert eur("612.48") in schedule and eur("587.52") in schedule
    assert "5 mai 2026" in schedule and "5 juin 2026" in schedule
    assert "Oui, le 4 mai 2026" in schedule and "Non" in schedule
    # Withdrawal is offered; the read is audited as the client's.
    assert "Retirer mon consentement" in text
    [read] = audit_entries(web_settings, "negotiation.read")
    assert (read.actor, read.object_id) == (f"client:{seed.client_id}", negotiation_id)
    _assert_private(page)


def test_withdrawal_needs_the_confirmation_step_and_is_recorded(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    consent_id = give_consent(web_settings, negotiation_id, CHOSEN, [seed.document_ids[0]])
    _set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY)
    url = _space_url(web_settings, seed)
    nonce = _nonce(client.get(url).text)
    before = _state(web_settings)

    # The space page's form only opens the confirmation step; its nonce cannot confirm.
    step = client.post(f"{url}/retrait", data={"nonce": nonce, "consent_id": consent_id})
    assert step.status_code == 200
    assert "Oui, je retire mon consentement" in _text(step.text)
    _assert_private(step)
    skipped = client.post(
        f"{url}/retrait/confirmer", data={"nonce": nonce, "consent_id": consent_id}
    )
    assert skipped.status_code == 403
    assert _state(web_settings) == before
    assert _consent_row(web_settings, consent_id).status == "given"

    confirm_nonce = _nonce(step.text)
    done = client.post(
        f"{url}/retrait/confirmer",
        data={"nonce": confirm_nonce, "consent_id": consent_id},
        headers={"origin": "null"},
    )
    # Temporal is down: the withdrawal stands (nothing more can be sent), the page says so.
    assert done.status_code == 200
    assert "Votre retrait est bien enregistré" in _text(done.text)
    assert "Retirer mon consentement" not in _text(done.text)
    row = _consent_row(web_settings, consent_id)
    assert (row.status, row.revocation_channel, row.revoked_by) == (
        "revoked",
        "client_link",
        f"client:{seed.client_id}",
    )
    [entry] = audit_entries(web_settings, "consent.revoked")
    assert (entry.actor, entry.object_id) == (f"client:{seed.client_id}", consent_id)
    assert json.loads(entry.detail)["channel"] == "client_link"

    after = _state(web_settings)
    again = client.post(
        f"{url}/retrait/confirmer", data={"nonce": confirm_nonce, "consent_id": consent_id}
    )
    assert again.status_code == 409 and "déjà été retiré" in _text(again.text)
    assert _state(web_settings) == after


def test_withdrawal_of_another_negotiations_consent_is_refused(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    mine = give_consent(web_settings, seed.negotiation_ids[0], [ShareCategory.IDENTITY])
    other = give_consent(web_settings, seed.negotiation_ids[1], [ShareCategory.IDENTITY])
    url = _space_url(web_settings, seed)
    nonce = _nonce(client.get(url).text)
    before = _state(web_settings)
    assert (
        client.post(f"{url}/retrait", data={"nonce": nonce, "consent_id": other}).status_code == 409
    )
    assert _state(web_settings) == before
    assert _consent_row(web_settings, other).status == "given"
    assert _consent_row(web_settings, mine).status == "given"


def test_no_withdrawal_once_the_negotiation_ended(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    consent_id = give_consent(web_settings, seed.negotiation_ids[0], [ShareCategory.IDENTITY])
    url = _space_url(web_settings, seed)
    nonce = _nonce(client.get(url).text)
    _set_state(web_settings, seed.negotiation_ids[0], NegotiationState.COMPLETED)
    page = client.get(url)
    assert page.status_code == 200 and "Retirer mon consentement" not in _text(page.text)
    before = _state(web_settings)
    response = client.post(f"{url}/retrait", data={"nonce": nonce, "consent_id": consent_id})
    assert response.status_code == 409
    assert _state(web_settings) == before


# ----- counter-offer ---------------------------------------------------------------------------


def test_counter_offer_page_shows_the_terms_and_the_deadline(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    deadline = datetime(2099, 1, 15, 22, 59, tzinfo=UTC)  # 23 h 59 in Paris
    counter = _counter_offer(web_settings, seed, deadline)
    page = client.get(counter.url)
    assert page.status_code == 200
    text = _text(page.text)
    terms = text[text.index('id="h-terms"') : text.index('id="h-ours"')]
    assert "Échéancier de remboursement" in terms
    assert eur("1450.00") in terms and "10 × " + eur("145.00") in terms
    assert "75,50\u00a0%" in terms
    ours = text[text.index('id="h-ours"') : text.index('id="h-answer"')]
    assert eur("1200.00") in ours and eur("1450.00") not in ours
    assert "jusqu'au 15 janvier 2099 à 23 h 59" in text
    _equal_answers(page.text)
    _assert_private(page)
    [read] = audit_entries(web_settings, "offer.read")
    assert (read.actor, read.object_id) == (f"client:{seed.client_id}", counter.offer_id)


def test_counter_offer_decision_while_temporal_is_down_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    counter = _counter_offer(web_settings, seed)
    nonce = _nonce(client.get(counter.url).text)
    before = _state(web_settings)
    response = client.post(
        counter.url,
        data={"nonce": nonce, "decision": "accept", "confirmed": "1"},
        headers={"origin": "null"},
    )
    assert response.status_code == 503
    text = _text(response.text)
    assert "Votre décision n'a pas été enregistrée" in text and "rien n'a été modifié" in text
    _equal_answers(response.text)  # still there, to try again
    assert _state(web_settings) == before
    assert audit_entries(web_settings, "offer.client_decision") == []


def test_counter_offer_after_its_deadline_is_gone_and_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    counter = _counter_offer(web_settings, seed)
    nonce = _nonce(client.get(counter.url).text)
    with session_scope(web_settings) as session:
        row = session.get(NegotiationOffer, counter.offer_id)
        assert row is not None
        row.decision_deadline = utcnow() - timedelta(minutes=1)
        session.add(row)
    before = _state(web_settings)
    page = client.get(counter.url)
    assert page.status_code == 410
    assert "Délai dépassé" in _text(page.text) and "Rien n'a été modifié" in _text(page.text)
    for decision in ("accept", "refuse"):
        response = client.post(counter.url, data={"nonce": nonce, "decision": decision})
        assert response.status_code == 410
    assert _state(web_settings) == before


def test_a_decided_counter_offer_says_so_and_changes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    counter = _counter_offer(web_settings, seed)
    nonce = _nonce(client.get(counter.url).text)
    with session_scope(web_settings) as session:
        row = session.get(NegotiationOffer, counter.offer_id)
        assert row is not None
        row.status, row.client_decision = "accepted", "accepted"
        row.client_decided_at = datetime(2026, 5, 4, 10, tzinfo=UTC)
        session.add(row)
    page = client.get(counter.url)
    assert page.status_code == 409
    assert "déjà été acceptée le 4 mai 2026" in _text(page.text)
    before = _state(web_settings)
    response = client.post(counter.url, data={"nonce": nonce, "decision": "refuse"})
    assert response.status_code == 409
    assert _state(web_settings) == before


def test_only_a_creditors_counter_offer_has_a_decision_page(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    counter = _counter_offer(web_settings, seed)
    ours = client.get(_decision_url(web_settings, counter.ours))
    assert ours.status_code == 404
    _assert_private(ours)


def test_the_accepted_counter_offer_page_says_what_really_comes_next(
    web_settings: Settings, seed: NegotiationSeed
) -> None:
    """What the page shows once the workflow took the client's acceptance (it needs a running
    workflow to get there, so the template is rendered with the page's own view)."""
    counter = _counter_offer(web_settings, seed)
    view = in_db(web_settings, client_counter_offer, web_settings, counter.offer_id)
    shown = templates.env.get_template("web/client/counter_offer.html").render(
        view=view,
        o=view.offer,
        n=view.negotiation,
        page_url=counter.url,
        space_url="/espace/negociation/jeton",
        nonce="",
        decided="accept",
        error="",
    )
    text = " ".join(_text(shown).split())
    assert "vous avez accepté cette contre-proposition" in text
    # The agreement email carries a link, not the schedule: the page must not promise more.
    assert "l'échéancier par courriel" not in text
    assert (
        "Dès qu'il l'aura envoyée, vous recevrez un courriel avec un lien vers le suivi de la "
        "négociation, où l'échéancier (dates et montants) sera affiché" in text
    )
    assert 'href="/espace/negociation/jeton"' in shown


# ----- narrow screens --------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every box of a page's content, with its right edge and whether it can be seen.
OVERFLOWING = """() => [...document.querySelectorAll('main td, main dd, main p, main li')]
    .filter(e => e.getClientRects().length > 0)
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                 || e.scrollWidth > e.clientWidth + 1)
    .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))"""


@pytest.mark.browser
async def test_the_client_pages_fit_a_phone_without_sideways_scrolling(
    web_settings: Settings, seed: NegotiationSeed
) -> None:
    """390 px wide (a common phone): every table row, amount and hash of the three pages is
    within the screen, the tables read as one card per row; 1280 px keeps the tables."""
    from playwright.async_api import async_playwright

    negotiation_id = seed.negotiation_ids[0]
    consent_id = give_consent(web_settings, negotiation_id, CHOSEN, [seed.document_ids[0]])
    offer_id = draft_offer(web_settings, negotiation_id, amount="1200.00", instalments=2)
    _shared(web_settings, seed, consent_id, offer_id)
    pending = in_db(
        web_settings,
        create_consent_request,
        web_settings,
        negotiation_id=seed.negotiation_ids[1],
        categories=list(ShareCategory),
        document_ids=seed.document_ids,
        expires_at=None,
        actor=seed.actor,
    )
    counter = _counter_offer(web_settings, seed_negotiations(web_settings))
    paths = [_space_url(web_settings, seed), _consent_url(web_settings, pending), counter.url]
    with serve_web_app(web_settings) as base_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            try:
                for width, height in ((390, 844), (1280, 800)):
                    context = await browser.new_context(
                        viewport={"width": width, "height": height}, locale="fr-FR"
                    )
                    page = await context.new_page()
                    for path in paths:
                        await page.goto(base_url + path)
                        assert (
                            await page.evaluate("document.documentElement.scrollWidth") <= width
                        ), (width, path)
                        assert await page.evaluate(OVERFLOWING) == [], (width, path)
                        if path != paths[0]:
                            continue
                        amount = page.locator("#schedule td", has_text=eur("612.48"))
                        box = await amount.bounding_box()
                        assert box is not None and box["x"] + box["width"] <= width
                        # On the phone each cell names its column; on a wide screen the
                        # column headings do.
                        headings = await page.locator("#sharing-ledger thead").bounding_box()
                        headings_shown = headings is not None and headings["height"] > 1
                        label = await page.locator("#sharing-ledger td").first.evaluate(
                            "e => getComputedStyle(e, '::before').content"
                        )
                        if width < 640:
                            assert label == '"Date"' and not headings_shown
                        else:
                            assert label in ("none", "normal") and headings_shown
                    await context.close()
            finally:
                await browser.close()
