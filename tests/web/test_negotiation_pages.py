"""The "Négociations" section of the dossier page and its actions.

Temporal is unreachable here (tests/web/conftest.py): an action that gets as far as its workflow
update is refused with the 503 message, and what it staged stays inert (no page shows it, no
rule counts it) until the sweep removes it. The workflow's own refusals go through the same path
(web/staff/negotiations/common.perform).
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from support.db import effective_count, in_db
from support.negotiation import (
    NegotiationSeed,
    draft_offer,
    give_consent,
    paris_today,
    record_reply_row,
    seed_negotiations,
)
from support.stack import TINY_PDF
from support.webapp import Staff, audit_entries, count, sign_in

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import CreditorKind, DocumentKind, Stage
from domain.french_dates import french_datetime
from domain.negotiation.consent_rules import ConsentMethod, ConsentStatus
from domain.negotiation.offer_terms import (
    CHOOSE_DOCUMENTS,
    INSTALMENTS_SHORT,
    INSTALMENTS_TOO_MANY,
    PAID_ON_FUTURE,
    VALIDITY_PASSED,
    parse_reply,
)
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState
from domain.staged_writes import STAGED_WRITE_TTL
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier, DossierCreditor, TimelineEvent
from models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.staff import StaffUser
from models.staged_write import StagedWrite
from services.effective import effective
from services.negotiations.consents import (
    ConsentChoice,
    create_consent_request,
    current_consent,
    decide_consent,
    document_label,
    negotiation_consents,
)
from services.negotiations.replies import stage_reply
from services.negotiations.store import NOT_NEGOTIATING, stage_consent_request, stage_end_reason
from services.staged_writes import StagedWriteUnknown, apply_staged_write, sweep_staged_writes
from web.staff.negotiations import common as negotiation_card_actions
from web.staff.negotiations import creditor_actions as negotiation_creditor_actions
from web.staff.negotiations.consent_actions import WITHDRAWAL_KEPT
from web.workflow_gateway import TransitionRefused
from workflows.negotiation_messages import ADD_NEGOTIATION_UPDATE, AddNegotiation

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
        "instalments": "13",
        "instalment_amount": "95",
        "first_due_date": (today + timedelta(days=40)).strftime("%d/%m/%Y"),
        "valid_until": (today + timedelta(days=30)).strftime("%d/%m/%Y"),
    }
    form.update(overrides)
    return form


def negotiation_rows(settings: Settings) -> tuple[int, int, int, int]:
    """Offers, replies, consents and negotiation documents that are data (not staged)."""
    kinds = [DocumentKind.CREDITOR_REPLY, DocumentKind.CONSENT_SCAN]
    return (
        effective_count(settings, NegotiationOffer),
        effective_count(settings, CreditorReply),
        effective_count(settings, CreditorConsent),
        effective_count(settings, Document, col(Document.kind).in_(kinds)),
    )


def sweep_after_the_ttl(settings: Settings) -> int:
    """The worker's sweep, run as if the staged writes had waited past their time."""
    later = utcnow() + STAGED_WRITE_TTL + timedelta(minutes=1)
    return in_db(settings, sweep_staged_writes, settings, later)


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
    preview = client.post(url(seed, 0, "offre"), data={"csrf_token": token, **offer_form()})
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', preview.text)
    assert preview.status_code == 200 and fingerprint
    response = client.post(
        url(seed, 0, "offre/confirmer"),
        data={"csrf_token": token, "fingerprint": fingerprint.group(1), **offer_form()},
    )
    assert response.status_code == 503
    shown = card(html.unescape(response.text), negotiation_id)
    assert UNAVAILABLE in shown and 'value="1 234,50"' in shown
    assert negotiation_rows(web_settings)[0] == 0
    # Staged, never applied: on record, inert, then swept.
    assert len(audit_entries(web_settings, "negotiation.offer_drafted")) == 1
    assert count(web_settings, NegotiationOffer) == 1
    assert sweep_after_the_ttl(web_settings) == 1
    assert count(web_settings, NegotiationOffer) == 0


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
    with session_scope(web_settings) as session:
        consent = session.get(CreditorConsent, consent_id)
        assert consent is not None and consent.status == "given"
    # The extended consent was asked (staged with the reply), then swept with it and its file.
    assert len(audit_entries(web_settings, "consent.requested")) == 2
    assert sweep_after_the_ttl(web_settings) == 1
    assert stored_files(web_settings) == files_before
    assert count(web_settings, CreditorConsent) == 1


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
    assert sweep_after_the_ttl(web_settings) == 1
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
    # Staged only: the reason becomes the negotiation's when the workflow ends it.
    assert count(web_settings, StagedWrite) == 1


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
    # The timeline event names the creditor it concerns, once: in its badge.
    assert "Créancier n°1 · Banque Exemple 1</span> Destinataire choisi dans l'annuaire" in page
    assert "</span> Créancier n°1 :" not in page
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
    staged = in_db(
        web_settings,
        stage_end_reason,
        web_settings,
        staff_user,
        negotiation_id,
        "Le client a soldé cette dette.",
    )
    in_db(
        web_settings,
        apply_staged_write,
        staged,
        dossier_id=seed.dossier_id,
        negotiation_id=negotiation_id,
    )
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, negotiation_id)
        assert row is not None
        row.state, row.ended_at = NegotiationState.ABANDONED.value, utcnow()
        session.add(row)
    sign_in(client, staff_user)
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    assert "Abandonnée" in shown and "Le client a soldé cette dette." in shown
    assert actions_in(shown) == set()


# ----- QA fixes ------------------------------------------------------------------------------


def field_of(card_html: str, name: str) -> str:
    """The <input> tag named `name` in a card."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', card_html)
    assert found, name
    return found.group(0)


def value_of(card_html: str, name: str) -> str:
    found = re.search(r'value="([^"]*)"', field_of(card_html, name))
    assert found
    return found.group(1)


def test_the_prefilled_offer_is_consistent_and_its_share_is_computed(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, negotiation_id, NegotiationState.READY)
    sign_in(client, case_worker(web_settings, seed))
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    # The share of the balance can no longer be typed: it is computed from the total.
    assert 'name="balance_share"' not in shown
    assert "Part du solde : <strong>100,00\u00a0%</strong>, calculée" in shown
    values = {
        name: value_of(shown, name) for name in ("amount", "instalments", "instalment_amount")
    }
    total = Decimal(values["amount"].replace(",", "."))
    each = Decimal(values["instalment_amount"].replace(",", "."))
    count_ = int(values["instalments"])
    assert (count_ - 1) * each < total <= count_ * each, values
    assert "la dernière peut être plus petite" in shown  # the rule, in the hint


def test_an_offer_whose_figures_contradict_each_other_is_refused(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, negotiation_id, NegotiationState.READY)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(
        url(seed, 0, "offre"),
        data={
            "csrf_token": token,
            **offer_form(amount="1 240", instalments="7", instalment_amount="239,70"),
        },
    )
    assert response.status_code == 422
    shown = card(html.unescape(response.text), negotiation_id)
    assert INSTALMENTS_TOO_MANY in shown and "il en faut 6" in shown
    assert 'aria-invalid="true"' in field_of(shown, "instalments")
    assert count(web_settings, NegotiationOffer) == 0
    assert audit_entries(web_settings, "negotiation.offer_drafted") == []


def test_a_counter_offer_whose_figures_contradict_each_other_is_refused(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    give_consent(web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY, round_=1)
    token = sign_in(client, case_worker(web_settings, seed))
    counter = offer_form(amount="980", instalments="36", instalment_amount="27,22")
    response = client.post(
        url(seed, 0, "reponse"),
        data={
            "csrf_token": token,
            "kind": "counter_offer",
            "received_on": paris_today().strftime("%d/%m/%Y"),
            "channel": "email",
            **{f"counter_{k}": v for k, v in counter.items()},
        },
    )
    assert response.status_code == 422
    shown = card(html.unescape(response.text), negotiation_id)
    assert INSTALMENTS_SHORT in shown and "36 × 27,22" in shown
    assert 'aria-invalid="true"' in field_of(shown, "counter_instalments")
    assert negotiation_rows(web_settings) == (0, 0, 1, 0)


def test_an_information_request_for_documents_picks_them_and_extends_the_consent(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    """QA: ticking "documents" failed with "Choisissez les pièces à partager, une par une." as
    the reply form had no document picker."""
    negotiation_id = seed.negotiation_ids[0]
    identity, income = seed.document_ids[:2]
    give_consent(
        web_settings,
        negotiation_id,
        [ShareCategory.IDENTITY, ShareCategory.DOCUMENTS],
        document_ids=[identity],
    )
    set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY, round_=1)
    token = sign_in(client, case_worker(web_settings, seed))
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    reply_form = shown[shown.index("/reponse#") :]
    assert "Pièces demandées, une par une" in reply_form
    assert f'name="document_ids" value="{income}"' in reply_form

    data = {
        "csrf_token": token,
        "kind": "information_requested",
        "received_on": paris_today().strftime("%d/%m/%Y"),
        "channel": "email",
        "requested_categories": ["documents"],
    }
    none_chosen = client.post(url(seed, 0, "reponse"), data=data)
    assert none_chosen.status_code == 422
    assert CHOOSE_DOCUMENTS in html.unescape(none_chosen.text)
    # Chosen: the page stages the reply and the extended consent, then reaches the workflow
    # (unreachable here: 503, none of it effective).
    chosen = client.post(url(seed, 0, "reponse"), data={**data, "document_ids": [income]})
    assert chosen.status_code == 503, html.unescape(chosen.text)
    again = card(html.unescape(chosen.text), negotiation_id)
    assert re.search(rf'name="document_ids" value="{income}" checked', again)
    assert len(audit_entries(web_settings, "consent.requested")) == 2
    assert negotiation_rows(web_settings) == (0, 0, 1, 0)

    # What the page writes when the workflow takes it: current ∪ chosen documents.
    staff_user = case_worker(web_settings, seed)
    reply = parse_reply(
        {k: v for k, v in data.items() if isinstance(v, str)},
        ["documents"],
        today=paris_today(),
        documents=[income],
    )
    recorded = in_db(web_settings, stage_reply, web_settings, staff_user, negotiation_id, reply, [])
    assert recorded.new_consent_id is not None
    with session_scope(web_settings) as session:
        extended = session.get(CreditorConsent, recorded.new_consent_id)
        assert extended is not None and extended.status == "pending"
        assert json.loads(extended.document_ids) == [identity, income]
        assert set(json.loads(extended.categories)) == {"identity", "documents"}
    # A request for documents the consent already names asks the client nothing new.
    covered = parse_reply(
        {k: v for k, v in data.items() if isinstance(v, str)},
        ["documents"],
        today=paris_today(),
        documents=[identity],
    )
    staged = in_db(web_settings, stage_reply, web_settings, staff_user, negotiation_id, covered, [])
    assert staged.new_consent_id is None


def offers_table(card_html: str) -> str:
    start = card_html.index("<caption>Offres</caption>")
    return card_html[start : card_html.index("</table>", start)]


def test_the_offers_table_fits_in_five_columns_with_the_status_early(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    ours = draft_offer(
        web_settings, negotiation_id, amount="980.00", instalments=37, instalment_amount="27.22"
    )
    with session_scope(web_settings) as session:
        offer = session.get(NegotiationOffer, ours)
        assert offer is not None
        offer.status, offer.shared_categories = "sent", '["identity", "debts"]'
        session.add(offer)
    set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY, round_=1)
    sign_in(client, case_worker(web_settings, seed))
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    table = offers_table(shown)
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    assert headers == ["Tour", "Par", "Statut", "Conditions", "Valable jusqu'au"]
    row = table[table.index("<tbody>") :]
    # One cell says it all, the smaller last instalment included (no "37 × 27,22 €" alone for
    # a 980 € offer), with how it travelled and what it carried on its last line.
    assert "37 × 27,22\u00a0€</span> (dernière : 0,08\u00a0€)" in row
    assert "980,00\u00a0€" in row
    assert "E-mail · Données partagées : Identité, Dettes concernées" in row


def test_offer_statuses_read_with_the_negotiation_state(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    first, second, third = seed.negotiation_ids
    # 1. A counter-offer awaiting the client's decision.
    ours = draft_offer(web_settings, first)
    counter = draft_offer(web_settings, first, made_by="creditor")
    deadline = utcnow() + timedelta(days=10)
    # 2. Our offer left "sent" by a suspension. 3. Ours withdrawn with the mandate; escalated.
    suspended = draft_offer(web_settings, second)
    withdrawn = draft_offer(web_settings, third)
    with session_scope(web_settings) as session:
        for offer_id, status_ in (
            (ours, "countered"),
            (counter, "sent"),
            (suspended, "sent"),
            (withdrawn, "withdrawn"),
        ):
            row = session.get(NegotiationOffer, offer_id)
            assert row is not None
            row.status = status_
            if offer_id == counter:
                row.decision_deadline = deadline
            session.add(row)
        escalated = session.get(Negotiation, third)
        assert escalated is not None
        escalated.escalation_route, escalated.ended_at = "banque_de_france", utcnow()
        session.add(escalated)
    set_state(web_settings, first, NegotiationState.COUNTER_OFFER, round_=1)
    set_state(web_settings, second, NegotiationState.SUSPENDED, round_=1)
    set_state(web_settings, third, NegotiationState.ESCALATED, round_=1)
    sign_in(client, case_worker(web_settings, seed))
    page = html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text)

    awaiting = offers_table(card(page, first))
    expected = f"En attente de la décision du client (avant le {french_datetime(deadline)})"
    assert expected in awaiting
    assert "Envoyée" not in awaiting
    assert "Sans suite" in offers_table(card(page, second))
    ended = card(page, third)
    assert "Retirée (mandat terminé)" in offers_table(ended)
    assert "Terminée : orientée vers la Banque de France" in ended
    assert "Dépôt d'un dossier de surendettement à la Banque de France" in ended


def plan_running(settings: Settings, seed: NegotiationSeed) -> str:
    negotiation_id = seed.negotiation_ids[0]
    offer_id = draft_offer(settings, negotiation_id)
    with session_scope(settings) as session:
        for number in (1, 2):
            session.add(
                RepaymentInstalment(
                    negotiation_id=negotiation_id,
                    offer_id=offer_id,
                    number=number,
                    due_date=paris_today() + timedelta(days=30 * number - 40),
                )
            )
    set_state(settings, negotiation_id, NegotiationState.PLAN_RUNNING, round_=1)
    return negotiation_id


def test_an_instalment_is_paid_on_a_day_that_is_not_in_the_future(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = plan_running(web_settings, seed)
    token = sign_in(client, case_worker(web_settings, seed))
    shown = card(html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text), negotiation_id)
    today = paris_today().strftime("%d/%m/%Y")
    assert "Payée le" in shown and value_of(shown, "paid_on") == today  # today in Paris

    tomorrow = (paris_today() + timedelta(days=1)).strftime("%d/%m/%Y")
    future = client.post(
        url(seed, 0, "echeance"), data={"csrf_token": token, "number": "2", "paid_on": tomorrow}
    )
    assert future.status_code == 422
    refused = card(html.unescape(future.text), negotiation_id)
    paid_on = field_of(refused, "paid_on")
    assert f'value="{tomorrow}"' in paid_on and 'aria-invalid="true"' in paid_on
    error = re.search(
        r'id="n1-instalment-paid-on-error">(?:<span[^>]*>[^<]*</span>)?([^<]*)', refused
    )
    assert error and error.group(1) == PAID_ON_FUTURE  # next to the field
    assert re.search(r'<option value="2" selected>', refused)  # the instalment chosen, kept
    # A day in the past reaches the workflow (unreachable here).
    past = (paris_today() - timedelta(days=3)).strftime("%d/%m/%Y")
    down = client.post(
        url(seed, 0, "echeance"), data={"csrf_token": token, "number": "1", "paid_on": past}
    )
    assert down.status_code == 503


def test_a_withdrawal_stands_while_the_workflow_engine_is_unreachable(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    negotiation_id = seed.negotiation_ids[0]
    consent_id = give_consent(
        web_settings, negotiation_id, [ShareCategory.IDENTITY, ShareCategory.DEBTS]
    )
    set_state(web_settings, negotiation_id, NegotiationState.AWAITING_REPLY, round_=1)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(
        url(seed, 0, "consentement/retrait"),
        data={"csrf_token": token, "consent_id": consent_id, "confirm": "on"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = html.unescape(client.get(response.headers["location"]).text)
    assert WITHDRAWAL_KEPT in page
    with session_scope(web_settings) as session:
        consent = session.get(CreditorConsent, consent_id)
        assert consent is not None and consent.status == "revoked"
        assert consent.revoked_at is not None
    # Nothing can leave now: the consent checked at send time is no longer given.
    current = in_db(web_settings, current_consent, web_settings, negotiation_id)
    assert current is None or current.status != ConsentStatus.GIVEN


# ----- adding a creditor once the dossier negotiates ------------------------------------------


def add_url(seed: NegotiationSeed) -> str:
    return f"/dossiers/{seed.dossier_id}/creanciers"


def added_rows(settings: Settings) -> tuple[int, int]:
    """Dossier creditors and negotiations that are data (not staged)."""
    with session_scope(settings) as session:
        return (
            len(session.exec(select(DossierCreditor).where(effective(DossierCreditor))).all()),
            len(session.exec(select(Negotiation).where(effective(Negotiation))).all()),
        )


def add_form(page: str) -> str:
    start = page.rindex("<form", 0, page.index('id="ajout-creancier"'))
    return page[start : page.index("</form>", start)]


NEW_CREDITOR = {"name": "Énergie Nouvelle", "kind": "energy", "account_reference": "EN-99812"}


def test_the_add_creditor_form_shows_only_while_negotiating_to_writers(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, staff: Staff
) -> None:
    sign_in(client, case_worker(web_settings, seed))
    page = html.unescape(client.get(f"/dossiers/{seed.dossier_id}").text)
    form = add_form(page)
    assert "Ajouter un créancier" in form and f'action="{add_url(seed)}#' in form
    assert 'name="csrf_token"' in form
    assert "Fournisseur d'énergie" in form and "Société de recouvrement" in form

    sign_in(client, staff.dpo)  # read-only role: the cards, no form
    page = client.get(f"/dossiers/{seed.dossier_id}").text
    assert 'id="negociation-' in page and 'id="ajout-creancier"' not in page

    with session_scope(web_settings) as session:
        row = session.get(Dossier, seed.dossier_id)
        assert row is not None
        row.stage = Stage.AWAITING_APPROVAL
        session.add(row)
    sign_in(client, case_worker(web_settings, seed))
    page = client.get(f"/dossiers/{seed.dossier_id}").text
    assert 'id="ajout-creancier"' not in page


def test_adding_a_creditor_outside_the_negotiation_writes_nothing(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    with session_scope(web_settings) as session:
        row = session.get(Dossier, seed.dossier_id)
        assert row is not None
        row.stage = Stage.APPROVED
        session.add(row)
    before = added_rows(web_settings)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(add_url(seed), data={"csrf_token": token, **NEW_CREDITOR})
    assert response.status_code == 409
    page = html.unescape(response.text)
    assert NOT_NEGOTIATING in add_form(page)
    assert 'value="Énergie Nouvelle"' in page  # the form comes again, with what was typed
    assert added_rows(web_settings) == before


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": "  "}, "name", "Indiquez le nom du créancier."),
        ({"name": "B" * 121}, "name", "120 caractères au maximum."),
        ({"kind": ""}, "kind", "Choisissez le type de créancier."),
        ({"kind": "casino"}, "kind", "Type de créancier inconnu."),
        ({"account_reference": "mot de passe : Soleil42"}, "account_reference", "mot de passe"),
        ({"name": "Banque, code PIN 1234"}, "name", "Cravelynos ne recueille jamais"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    typed: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = added_rows(web_settings)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(add_url(seed), data={"csrf_token": token, **NEW_CREDITOR, **typed})
    assert response.status_code == 422
    form = add_form(html.unescape(response.text))
    fid = "ajout-creancier-" + field.replace("_", "-")
    error = re.search(rf'id="{fid}-error">(.*?)</span>\s*$', form, re.M | re.S)
    assert error and message in error.group(1), form
    assert f'aria-describedby="{fid}' in form and 'aria-invalid="true"' in form
    assert added_rows(web_settings) == before


def test_an_added_creditor_stays_inert_when_the_engine_is_unreachable(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed
) -> None:
    before = added_rows(web_settings)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(add_url(seed), data={"csrf_token": token, **NEW_CREDITOR})
    assert response.status_code == 503
    form = add_form(html.unescape(response.text))
    assert UNAVAILABLE in form
    assert 'value="Énergie Nouvelle"' in form and 'value="EN-99812"' in form
    assert '<option value="energy" selected>' in form
    assert added_rows(web_settings) == before
    [added] = audit_entries(web_settings, "dossier.creditor_added")
    assert added.object_id == seed.dossier_id
    assert sweep_after_the_ttl(web_settings) == 1


def test_an_added_creditor_refused_by_the_workflow_stays_inert(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refused(*_: object) -> int:
        raise TransitionRefused(
            "Ce dossier est clôturé : aucune négociation ne peut y être ajoutée."
        )

    monkeypatch.setattr(negotiation_creditor_actions, "send_update", refused)
    before = added_rows(web_settings)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(add_url(seed), data={"csrf_token": token, **NEW_CREDITOR})
    assert response.status_code == 409
    assert "aucune négociation ne peut y être ajoutée" in add_form(html.unescape(response.text))
    assert added_rows(web_settings) == before


def test_an_accepted_creditor_gets_its_card_awaiting_the_clients_consent(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, str, AddNegotiation]] = []

    async def accepted(_: object, dossier_id: str, name: str, arg: AddNegotiation) -> int:
        """What the dossier workflow does with the update: its activity applies the write."""
        sent.append((dossier_id, name, arg))
        in_db(
            web_settings,
            apply_staged_write,
            arg.staged_write_id,
            dossier_id=dossier_id,
            negotiation_id=None,
        )
        return 4

    monkeypatch.setattr(negotiation_creditor_actions, "send_update", accepted)
    token = sign_in(client, case_worker(web_settings, seed))
    response = client.post(
        add_url(seed), data={"csrf_token": token, **NEW_CREDITOR}, follow_redirects=False
    )
    assert response.status_code == 303
    [(dossier_id, name, arg)] = sent
    assert (dossier_id, name) == (seed.dossier_id, ADD_NEGOTIATION_UPDATE)
    assert (
        response.headers["location"]
        == f"/dossiers/{seed.dossier_id}#negociation-{arg.negotiation_id}"
    )
    with session_scope(web_settings) as session:
        row = session.get(Negotiation, arg.negotiation_id)
        assert row is not None and row.number == 4 and row.dossier_id == seed.dossier_id
        creditor = session.get(DossierCreditor, row.dossier_creditor_id)
        assert creditor is not None and creditor.kind == CreditorKind.ENERGY
        assert creditor.account_reference_enc and "EN-99812" not in creditor.account_reference_enc
    page = html.unescape(client.get(response.headers["location"]).text)
    assert "Créancier ajouté : Énergie Nouvelle." in page
    new_card = card(page, arg.negotiation_id)
    assert "Créancier n°4 · Énergie Nouvelle" in new_card
    assert "Consentement du client attendu" in new_card
    assert "EN-99812" in page  # decrypted for the page's creditor list


def test_adding_a_creditor_needs_the_csrf_token_and_write_access(
    client: TestClient, web_settings: Settings, seed: NegotiationSeed, staff: Staff
) -> None:
    before = added_rows(web_settings)
    sign_in(client, case_worker(web_settings, seed))
    response = client.post(add_url(seed), data=NEW_CREDITOR)
    assert response.status_code == 403
    assert "Le formulaire a expiré" in html.unescape(response.text)
    for user in (staff.dpo, staff.other_team):
        token = sign_in(client, user)
        response = client.post(
            add_url(seed), data={"csrf_token": token, **NEW_CREDITOR, "name": ""}
        )
        assert response.status_code == 403, user.role  # before the form is looked at
        assert "Indiquez le nom du créancier." not in html.unescape(response.text)
    assert added_rows(web_settings) == before
    assert audit_entries(web_settings, "access.denied")[-1].object_id == seed.dossier_id


# ----- the web→workflow protocol: a refusal never takes anything back ---------------------------


def test_a_client_decision_made_while_a_staff_action_is_refused_survives(
    client: TestClient,
    web_settings: Settings,
    seed: NegotiationSeed,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case worker asks a new consent while the client, at the same moment, gives the one
    asked before; the workflow then refuses the new request. The client's decision stands: a
    refusal leaves the staged request inert instead of restoring a snapshot of the consents."""
    negotiation_id = seed.negotiation_ids[0]
    staff_user = case_worker(web_settings, seed)
    earlier = in_db(
        web_settings,
        create_consent_request,
        web_settings,
        negotiation_id=negotiation_id,
        categories=[ShareCategory.IDENTITY],
        document_ids=[],
        expires_at=None,
        actor=f"staff:{staff_user.id}",
    )
    client_actor = seed.client_actor

    async def client_gives_then_the_workflow_refuses(*_: object) -> str:
        in_db(
            web_settings,
            decide_consent,
            web_settings,
            earlier,
            given=True,
            method=ConsentMethod.SIGNED_LINK,
            actor=client_actor,
        )
        raise TransitionRefused("Cette négociation est terminée : elle ne peut plus changer.")

    monkeypatch.setattr(
        negotiation_card_actions,
        "send_negotiation_update",
        client_gives_then_the_workflow_refuses,
    )
    token = sign_in(client, staff_user)
    response = client.post(
        url(seed, 0, "consentement"),
        data={"csrf_token": token, "categories": ["identity", "debts"]},
    )
    assert response.status_code == 409
    assert "ne peut plus changer" in html.unescape(response.text)
    with session_scope(web_settings) as session:
        given = session.get(CreditorConsent, earlier)
        assert given is not None and given.status == ConsentStatus.GIVEN
        assert given.decided_by == client_actor
    current = in_db(web_settings, current_consent, web_settings, negotiation_id)
    assert current is not None and current.id == earlier
    # The refused request is on record but is no one's consent: not listed, not decidable.
    listed = in_db(web_settings, negotiation_consents, web_settings, negotiation_id)
    assert [c.id for c in listed] == [earlier]
    assert effective_count(web_settings, CreditorConsent) == 1
    assert count(web_settings, CreditorConsent) == 2
    assert sweep_after_the_ttl(web_settings) == 1
    assert count(web_settings, CreditorConsent) == 1
    with session_scope(web_settings) as session:
        given = session.get(CreditorConsent, earlier)
        assert given is not None and given.status == ConsentStatus.GIVEN


def test_an_accepted_staff_action_applies_its_write_and_replaces_the_older_request(
    web_settings: Settings, seed: NegotiationSeed
) -> None:
    """What the workflow's activity does once it accepted the update: the staged request
    becomes the consent asked, and the older pending request is superseded only now."""
    negotiation_id = seed.negotiation_ids[0]
    staff_user = case_worker(web_settings, seed)
    older = in_db(
        web_settings,
        create_consent_request,
        web_settings,
        negotiation_id=negotiation_id,
        categories=[ShareCategory.IDENTITY],
        document_ids=[],
        expires_at=None,
        actor=f"staff:{staff_user.id}",
    )
    choice = ConsentChoice([ShareCategory.IDENTITY, ShareCategory.DEBTS], [], None)
    staged = in_db(
        web_settings, stage_consent_request, web_settings, staff_user, negotiation_id, choice
    )
    with session_scope(web_settings) as session:
        row = session.get(CreditorConsent, older)
        assert row is not None and row.status == ConsentStatus.PENDING  # not yet replaced
    with pytest.raises(StagedWriteUnknown):  # never applied for another negotiation
        in_db(
            web_settings,
            apply_staged_write,
            staged.staged_write_id,
            dossier_id=seed.dossier_id,
            negotiation_id=seed.negotiation_ids[1],
        )
    for _ in range(2):  # idempotent: a retried activity changes nothing more
        in_db(
            web_settings,
            apply_staged_write,
            staged.staged_write_id,
            dossier_id=seed.dossier_id,
            negotiation_id=negotiation_id,
        )
    with session_scope(web_settings) as session:
        row = session.get(CreditorConsent, older)
        assert row is not None and row.status == ConsentStatus.SUPERSEDED
        new = session.get(CreditorConsent, staged.row_id)
        assert new is not None and new.status == ConsentStatus.PENDING
        assert new.staged_write_id is None
    assert len(audit_entries(web_settings, "staged_write.applied")) == 1
    assert sweep_after_the_ttl(web_settings) == 0
