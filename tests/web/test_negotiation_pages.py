"""The "Négociations" section of the dossier page and its actions.

Temporal is unreachable here (tests/web/conftest.py): an action that gets as far as its workflow
update is refused with the 503 message, which proves the rows it wrote were taken back. The
workflow's own refusals go through the same path (web/pages/negotiation_common.perform).
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.negotiation import (
    NegotiationSeed,
    draft_offer,
    give_consent,
    paris_today,
    record_reply_row,
    seed_negotiations,
)
from support.stack import TINY_PDF
from web_support import Staff, audit_entries, count, sign_in

from cravelynos.domain.clock import utcnow
from cravelynos.domain.dossier_stages import DocumentKind
from cravelynos.domain.negotiation.offer_terms import VALIDITY_PASSED
from cravelynos.domain.negotiation.sharing import ShareCategory
from cravelynos.domain.negotiation.states import NegotiationState
from cravelynos.models.consent_store import document_label
from cravelynos.models.db import session_scope
from cravelynos.models.document import Document
from cravelynos.models.dossier import TimelineEvent
from cravelynos.models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from cravelynos.models.negotiation_store import set_end_reason
from cravelynos.models.staff import StaffUser
from cravelynos.settings import Settings

UNAVAILABLE = "momentanément indisponible"


@pytest.fixture
def seed(web_settings: Settings) -> NegotiationSeed:
    return seed_negotiations(web_settings, creditors=3)


def case_worker(settings: Settings, seed: NegotiationSeed) -> StaffUser:
    with session_scope(settings) as session:
        user = session.get(StaffUser, seed.staff_id)
        assert user is not None
        return user


def set_state(
    settings: Settings, negotiation_id: str, state: NegotiationState, round_: int = 0
) -> None:
    with session_scope(settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state, row.round = state.value, round_
        session.add(row)


def url(seed: NegotiationSeed, index: int, action: str) -> str:
    return f"/dossiers/{seed.dossier_id}/negociations/{seed.negotiation_ids[index]}/{action}"


def card(page: str, negotiation_id: str) -> str:
    """The HTML of one negotiation card."""
    start = page.index(f'id="negociation-{negotiation_id}"')
    end = page.find("</article>", start)
    return page[start:end]


def actions_in(card_html: str) -> set[str]:
    return set(re.findall(r"/negociations/[0-9a-f]+/([a-z/]+)#", card_html))


def offer_form(**overrides: str) -> dict[str, str]:
    today = paris_today()
    form = {
        "offer_type": "payment_plan",
        "amount": "1 234,50",
        "balance_share": "60",
        "instalments": "13",
        "instalment_amount": "95",
        "first_due_date": (today + timedelta(days=40)).strftime("%d/%m/%Y"),
        "valid_until": (today + timedelta(days=30)).strftime("%d/%m/%Y"),
    }
    form.update(overrides)
    return form


def negotiation_rows(settings: Settings) -> tuple[int, int, int, int]:
    with session_scope(settings) as session:
        documents = session.exec(
            select(Document).where(
                Document.kind.in_([DocumentKind.CREDITOR_REPLY, DocumentKind.CONSENT_SCAN])  # type: ignore[attr-defined]
            )
        ).all()
    return (
        count(settings, NegotiationOffer),
        count(settings, CreditorReply),
        count(settings, CreditorConsent),
        len(documents),
    )


def stored_files(settings: Settings) -> set[Path]:
    return set(settings.documents_dir.iterdir())


def test_each_card_offers_the_forms_its_state_allows(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    first, second, third = seed.negotiation_ids
    give_consent(web_settings, second, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, second, NegotiationState.READY)
    set_state(web_settings, third, NegotiationState.AWAITING_REPLY, round_=1)
    sign_in(client, case_worker(web_settings, seed))
    page = html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text)
    assert "Négociations" in page

    pending = card(page, first)
    assert "Banque Exemple 1" in pending and "Consentement du client attendu" in pending
    assert actions_in(pending) == {"creancier", "consentement", "consentement/papier", "fin"}

    ready = card(page, second)
    assert actions_in(ready) == {
        "consentement", "consentement/papier", "consentement/retrait", "offre", "recours", "fin",
    }  # fmt: skip
    assert "Prérempli d'après la stratégie validée par le client" in ready
    assert 'name="valid_until" value="' in ready
    assert "Identité, Dettes concernées" in ready  # the consent's categories

    awaiting = card(page, third)
    assert {"reponse", "recours", "fin"} <= actions_in(awaiting)
    assert "offre" not in actions_in(awaiting)


def test_read_only_roles_see_the_cards_without_any_form(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, staff: Staff
) -> None:
    sign_in(client, staff.dpo)
    page = client.get(f"/dossiers/{seed.dossier_id}").text
    assert 'id="negociation-' in page
    assert "/negociations/" not in page


def test_an_offer_valid_until_yesterday_is_refused_with_the_typed_values_kept(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, negotiation_id, NegotiationState.READY)
    token = sign_in(client, case_worker(web_settings, seed))
    yesterday = (paris_today() - timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(
        url(seed, 0, "offre"), data={"csrf_token": token, **offer_form(valid_until=yesterday)}
    )
    assert response.status_code == 422
    shown = card(html.unescape(response.text), negotiation_id)
    assert VALIDITY_PASSED in shown
    assert 'value="1 234,50"' in shown and f'value="{yesterday}"' in shown
    assert 'aria-invalid="true"' in shown
    assert negotiation_rows(web_settings) == (0, 0, 1, 0)
    assert audit_entries(web_settings, "negotiation.offer_drafted") == []


def test_an_offer_the_workflow_does_not_take_leaves_no_draft(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, negotiation_id, NegotiationState.READY)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(url(seed, 0, "offre"), data={"csrf_token": token, **offer_form()})
    assert response.status_code == 503
    shown = card(html.unescape(response.text), negotiation_id)
    assert UNAVAILABLE in shown and 'value="1 234,50"' in shown
    assert count(web_settings, NegotiationOffer) == 0
    # Written, then taken back: both are on record.
    assert len(audit_entries(web_settings, "negotiation.offer_drafted")) == 1
    assert len(audit_entries(web_settings, "negotiation.offer_removed")) == 1


def test_a_reply_in_the_wrong_state_is_refused_and_writes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    set_state(web_settings, negotiation_id, NegotiationState.READY)  # no offer sent yet
    token = sign_in(client, case_worker(web_settings, seed))
    files_before = stored_files(web_settings)
    response = client.post(
        url(seed, 0, "reponse"),
        data={
            "csrf_token": token,
            "kind": "counter_offer",
            "received_on": paris_today().strftime("%d/%m/%Y"),
            "channel": "post",
            "terms": "Le créancier propose 18 mensualités.",
            **{f"counter_{k}": v for k, v in offer_form().items()},
        },
        files={"attachments": ("reponse.pdf", TINY_PDF, "application/pdf")},
    )
    assert response.status_code == 409
    shown = card(html.unescape(response.text), negotiation_id)
    assert "n'est pas possible à ce stade de la négociation" in shown
    assert "Prête : offre à préparer" in shown
    assert "Le créancier propose 18 mensualités." in shown
    assert negotiation_rows(web_settings) == (0, 0, 0, 0)
    assert stored_files(web_settings) == files_before


def test_a_reply_the_workflow_does_not_take_is_taken_back_entirely(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    """An information request needing a new category writes a reply, its attachment and an
    extended consent; when the update fails all of it goes, the given consent stays given."""
    negotiation_id = seed.negotiation_ids[0]
    consent_id = give_consent(
        web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS]
    )
    set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY, round_=1)
    token = sign_in(client, case_worker(web_settings, seed))
    files_before = stored_files(web_settings)
    response = client.post(
        url(seed, 0, "reponse"),
        data={
            "csrf_token": token,
            "kind": "information_requested",
            "received_on": paris_today().strftime("%d/%m/%Y"),
            "channel": "email",
            "requested_categories": ["budget"],
        },
        files={"attachments": ("demande.pdf", TINY_PDF, "application/pdf")},
    )
    assert response.status_code == 503
    assert UNAVAILABLE in html.unescape(response.text)
    assert negotiation_rows(web_settings) == (0, 0, 1, 0)
    assert stored_files(web_settings) == files_before
    with session_scope(web_settings) as session:
        consent = session.get(CreditorConsent, consent_id)
        assert consent is not None and consent.status == "given"
    # The extended consent was asked, then withdrawn from the record with the reply.
    assert len(audit_entries(web_settings, "consent.requested")) == 2
    assert len(audit_entries(web_settings, "consent.rolled_back")) == 1


def test_a_paper_consent_the_workflow_does_not_take_is_taken_back(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    token = sign_in(client, case_worker(web_settings, seed))
    files_before = stored_files(web_settings)
    response = client.post(
        url(seed, 0, "consentement/papier"),
        data={
            "csrf_token": token,
            "categories": ["identity", "debts"],
            "document_ids": [seed.document_ids[0]],
        },
        files={"scan": ("consentement.pdf", TINY_PDF, "application/pdf")},
    )
    assert response.status_code == 503
    assert negotiation_rows(web_settings) == (0, 0, 0, 0)
    assert stored_files(web_settings) == files_before


def test_ending_needs_a_reason_and_a_refused_end_keeps_none(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    token = sign_in(client, case_worker(web_settings, seed))
    missing = client.post(
        url(seed, 0, "fin"), data={"csrf_token": token, "outcome": "abandoned", "reason": " "}
    )
    assert missing.status_code == 422
    assert "Indiquez pourquoi la négociation s'arrête." in html.unescape(missing.text)
    down = client.post(
        url(seed, 0, "fin"),
        data={"csrf_token": token, "outcome": "abandoned", "reason": "Dette soldée par un tiers"},
    )
    assert down.status_code == 503
    assert "Dette soldée par un tiers" in html.unescape(down.text)  # kept in the form
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, seed.negotiation_ids[0])
        assert row is not None and row.end_reason_enc is None


def test_another_teams_case_worker_can_neither_see_nor_act(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, staff: Staff
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    set_state(web_settings, negotiation_id, NegotiationState.READY)
    token = sign_in(client, staff.other_team)
    assert client.get(f"/dossiers/{seed.dossier_id}").status_code == 403
    response = client.post(
        url(seed, 0, "offre"), data={"csrf_token": token, **offer_form(valid_until="")}
    )
    # Refused before the form is even looked at (no "validity" message), and audited.
    assert response.status_code == 403
    assert "Indiquez la date de validité" not in html.unescape(response.text)
    denied = audit_entries(web_settings, "access.denied")
    assert denied and denied[-1].object_id == seed.dossier_id
    assert count(web_settings, NegotiationOffer) == 0


def test_a_negotiation_of_another_dossier_is_not_found_here(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    other = seed_negotiations(web_settings, creditors=1, client_email="autre@example.org")
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(
        f"/dossiers/{seed.dossier_id}/negociations/{other.negotiation_ids[0]}/fin",
        data={"csrf_token": token, "outcome": "abandoned", "reason": "Erreur"},
    )
    assert response.status_code == 404


def test_every_action_needs_the_csrf_token(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    set_state(web_settings, seed.negotiation_ids[0], NegotiationState.READY)
    sign_in(client, case_worker(web_settings, seed))
    for action, data in (
        ("offre", offer_form()),
        ("fin", {"outcome": "abandoned", "reason": "Erreur"}),
        ("creancier", {"creditor_id": str(seed.creditor_ids[1])}),
    ):
        response = client.post(url(seed, 0, action), data=data)
        assert response.status_code == 403, action
        assert "Le formulaire a expiré" in html.unescape(response.text)
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, seed.negotiation_ids[0])
        assert row is not None and row.creditor_id == seed.creditor_ids[0]
    assert count(web_settings, NegotiationOffer) == 0


def test_choosing_the_directory_creditor(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(
        url(seed, 0, "creancier"),
        data={"csrf_token": token, "creditor_id": str(seed.creditor_ids[1])},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = html.unescape(client.get(response.headers["location"]).text)
    assert "Destinataire choisi dans l'annuaire : Banque Exemple 2." in page
    # The timeline event names the creditor it concerns.
    assert "Créancier n°1 · Banque Exemple 1</span> Créancier n°1 : destinataire choisi" in page
    # Once a consent names the creditor, it can no longer change.
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY])
    locked = client.post(
        url(seed, 0, "creancier"),
        data={"csrf_token": token, "creditor_id": str(seed.creditor_ids[0])},
    )
    assert locked.status_code == 409
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None and row.creditor_id == seed.creditor_ids[1]
        events = session.exec(
            select(TimelineEvent).where(TimelineEvent.negotiation_id == negotiation_id)
        ).all()
        assert len(events) == 1


def test_the_card_tables_show_offers_replies_what_was_shared_and_the_schedule(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    ours = draft_offer(web_settings, negotiation_id, amount="1200.00", balance_share="62.50")
    counter = draft_offer(
        web_settings,
        negotiation_id,
        made_by="creditor",
        amount="1500.00",
        instalment_amount="125.00",
    )
    record_reply_row(web_settings, negotiation_id, "counter_offer", counter_offer_id=counter)
    with session_scope(web_settings) as session:
        offer = session.get(NegotiationOffer, ours)
        assert offer is not None
        offer.status = "countered"
        session.add(offer)
        session.add(
            SharingLedgerEntry(
                negotiation_id=negotiation_id,
                dossier_id=seed.dossier_id,
                client_id=seed.client_id,
                creditor_id=seed.creditor_ids[0],
                message_kind="offer",
                categories='["identity", "debts"]',
                document_ids=json.dumps([seed.document_ids[0]]),
                message_key="test-ledger-1",
                channel="email",
            )
        )
        for number in (1, 2):
            session.add(
                RepaymentInstalment(
                    negotiation_id=negotiation_id,
                    offer_id=counter,
                    number=number,
                    due_date=paris_today() + timedelta(days=30 * number),
                )
            )
    set_state(web_settings, negotiation_id, NegotiationState.PLAN_RUNNING, round_=1)
    sign_in(client, case_worker(web_settings, seed))
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    assert "1\u202f200,00\u00a0€" in shown and "62,50\u00a0%" in shown
    assert "1\u202f500,00\u00a0€" in shown and "Contre-proposition reçue" in shown
    assert "Réponse du créancier (counter_offer)" in shown  # the terms, decrypted
    assert "Proposition de règlement" in shown and "Identité, Dettes concernées" in shown
    with session_scope(web_settings) as session:
        identity = session.get(Document, seed.document_ids[0])
        assert identity is not None
        assert document_label(identity) in shown  # the document shared, by its label
    assert "Échéancier convenu" in shown
    assert {"echeance", "fin"} <= actions_in(shown) and "offre" not in actions_in(shown)


def test_an_ended_negotiation_shows_its_reason_and_no_form(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    staff_user = case_worker(web_settings, seed)
    set_end_reason(web_settings, staff_user, negotiation_id, "Le client a soldé cette dette.")
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state, row.ended_at = NegotiationState.ABANDONED.value, utcnow()
        session.add(row)
    sign_in(client, staff_user)
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    assert "Abandonnée" in shown and "Le client a soldé cette dette." in shown
    assert actions_in(shown) == set()
