"""The consent receipt: a PDF with the exact text shown, its version and SHA-256, stored
encrypted once per decision."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select
from support.db import in_db
from support.negotiation import give_consent, seed_negotiations
from temporalio.exceptions import ApplicationError

from activities.consent_receipt import build_consent_receipt
from config.settings import Settings
from domain.dossier_stages import DocumentKind
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.consent_text import CONSENT_TEXT_VERSION, text_digest
from domain.negotiation.sharing import ShareCategory
from models.client import Client
from models.database import session_scope
from models.document import Document
from security.datakeys import ClientCipher
from services.documents import document_aad, document_path
from services.negotiations.consents import create_consent_request, decide_consent, load_consent


def receipt_text(settings: Settings, document_id: str) -> tuple[Document, str]:
    with session_scope(settings) as session:
        document = session.get(Document, document_id)
        assert document is not None
        client = session.get(Client, document.client_id)
        assert client is not None
    blob = document_path(document, settings).read_bytes()
    pdf = ClientCipher.for_client(client, settings).decrypt_blob(document_aad(document.id), blob)
    assert pdf.startswith(b"%PDF")
    return document, "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Whitespace as a PDF's lines wrap it does not count."""
    return " ".join(text.split())


def test_the_receipt_has_the_exact_text_its_version_and_its_hash(settings: Settings) -> None:
    seed = seed_negotiations(settings)
    consent_id = give_consent(
        settings,
        seed.negotiation_ids[0],
        [ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.DOCUMENTS],
        seed.document_ids[:1],
    )
    consent = in_db(settings, load_consent, settings, consent_id)
    document_id = build_consent_receipt(settings, consent_id)
    document, text = receipt_text(settings, document_id)
    assert document.kind == DocumentKind.CONSENT_RECEIPT
    assert flat(consent.text) in flat(text)
    assert "Banque Exemple 1" in consent.text  # the text names the creditor: not an empty match
    assert CONSENT_TEXT_VERSION in text
    assert consent.text_sha256 == text_digest(consent.text)
    assert consent.text_sha256 in "".join(text.split())
    assert "Jeanne Dupont" in text and "consentement donné" in text
    assert "par le lien sécurisé envoyé par e-mail" in text
    assert "(heure de Paris)" in text
    # The file on disk is ciphertext.
    assert b"%PDF" not in document_path(document, settings).read_bytes()


def test_the_receipt_lists_the_categories_for_the_client_and_each_document(
    settings: Settings,
) -> None:
    seed = seed_negotiations(settings)
    consent_id = give_consent(
        settings,
        seed.negotiation_ids[0],
        [ShareCategory.IDENTITY, ShareCategory.DOCUMENTS],
        seed.document_ids[:1],
    )
    consent = in_db(settings, load_consent, settings, consent_id)
    _, text = receipt_text(settings, build_consent_receipt(settings, consent_id))
    listed = flat(text[text.index("Informations concernées") : text.index("Texte exact")])
    [document] = consent.document_labels
    assert listed.startswith(
        "Informations concernées Votre identité (nom et prénom) Certaines de vos pièces "
        f"justificatives, désignées une par une : {document}"
    ), listed
    # The labels stand alone: nothing below them to point at.
    assert "ci-dessous" not in text


def test_the_receipt_is_made_once_per_decision(settings: Settings) -> None:
    seed = seed_negotiations(settings)
    consent_id = give_consent(settings, seed.negotiation_ids[0], [ShareCategory.IDENTITY])
    first = build_consent_receipt(settings, consent_id)
    again = build_consent_receipt(settings, consent_id)
    assert first == again
    assert in_db(settings, load_consent, settings, consent_id).receipt_document_id == first
    with session_scope(settings) as session:
        receipts = session.exec(
            select(Document).where(Document.kind == DocumentKind.CONSENT_RECEIPT)
        ).all()
    assert [r.id for r in receipts] == [first]


def test_a_refusal_gets_its_receipt_too(settings: Settings) -> None:
    seed = seed_negotiations(settings)
    consent_id = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=[ShareCategory.IDENTITY, ShareCategory.BUDGET],
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )
    in_db(
        settings,
        decide_consent,
        settings,
        consent_id,
        given=False,
        method=ConsentMethod.SIGNED_LINK,
        actor=seed.client_actor,
    )
    _, text = receipt_text(settings, build_consent_receipt(settings, consent_id))
    assert "consentement refusé" in text and "consentement donné" not in text
    assert flat(in_db(settings, load_consent, settings, consent_id).text) in flat(text)


def test_no_receipt_before_the_client_decided(settings: Settings) -> None:
    seed = seed_negotiations(settings)
    consent_id = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=[ShareCategory.IDENTITY],
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )
    with pytest.raises(ApplicationError) as refused:
        build_consent_receipt(settings, consent_id)
    assert refused.value.non_retryable
    with session_scope(settings) as session:
        assert (
            session.exec(
                select(Document).where(Document.kind == DocumentKind.CONSENT_RECEIPT)
            ).all()
            == []
        )
