"""Removing or replacing a supporting document uploaded by mistake: a confirmation page with
the reason, the file shredded, the row gone, the removal audited without content, the
checklist updated; refusals change nothing."""

from __future__ import annotations

import html
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.files import pdf_with, png_with
from support.webapp import Staff, audit_entries, count, seed_dossier, sign_in

from config.settings import Settings
from domain.dossier_stages import DocumentKind, Stage
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier, ExpectedDocument
from security.datakeys import ClientCipher
from services.documents import document_path, new_generated_pdf

WRONG = pdf_with(b"Bulletin de salaire de quelqu'un d'autre")
RIGHT = png_with(b"Bulletin de salaire du client")
REASON = "Bulletin de paie d'une autre personne"


@pytest.fixture
def dossier(web_settings: Settings, staff: Staff) -> Dossier:
    return seed_dossier(web_settings, staff.case_worker, expected_documents=["income", "rent"])


def _upload(client: TestClient, token: str, dossier: Dossier, data: bytes = WRONG) -> Document:
    done = client.post(
        f"/dossiers/{dossier.id}/documents",
        data={"csrf_token": token, "kind": "income"},
        files={"file": ("paie.pdf", data, "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with session_scope(client.app.state.settings) as session:  # type: ignore[attr-defined]
        return session.exec(select(Document).where(Document.dossier_id == dossier.id)).one()


def _received(settings: Settings, dossier: Dossier) -> bool:
    with session_scope(settings) as session:
        row = session.exec(
            select(ExpectedDocument).where(
                ExpectedDocument.dossier_id == dossier.id,
                ExpectedDocument.kind == DocumentKind.INCOME,
            )
        ).one()
        return row.received_at is not None


def test_removal_is_confirmed_then_shreds_the_file_and_updates_the_checklist(
    client: TestClient, staff: Staff, web_settings: Settings, dossier: Dossier
) -> None:
    token = sign_in(client, staff.case_worker)
    document = _upload(client, token, dossier)
    path = document_path(document, web_settings)
    assert path.exists() and _received(web_settings, dossier)
    url = f"/dossiers/{dossier.id}/documents/{document.id}/retrait"

    page = html.unescape(client.get(f"/dossiers/{dossier.id}").text)
    assert f'href="{url}"' in page and "Retirer ou remplacer" in page

    confirm = client.get(url)
    assert confirm.status_code == 200
    text = html.unescape(confirm.text)
    assert "Justificatifs de revenus (3 derniers mois)" in text
    assert "paie.pdf" in text and "Retirer la pièce et détruire son fichier" in text

    # No reason: refused, the page kept, nothing changed.
    missing = client.post(url, data={"csrf_token": token, "action": "remove", "reason": "  "})
    assert missing.status_code == 422
    assert "Motif :" in html.unescape(missing.text)
    assert path.exists() and count(web_settings, Document) == 1

    # Replace without a file: refused, what was typed kept.
    no_file = client.post(url, data={"csrf_token": token, "action": "replace", "reason": REASON})
    assert no_file.status_code == 422
    body = html.unescape(no_file.text)
    assert "Choisissez le fichier qui remplace cette pièce." in body and REASON in body
    assert path.exists()

    done = client.post(
        url,
        data={"csrf_token": token, "action": "remove", "reason": REASON},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("#documents")
    assert not path.exists() and count(web_settings, Document) == 0
    assert not _received(web_settings, dossier)

    entry = audit_entries(web_settings, "document.remove")[0]
    assert entry.object_id == document.id and entry.actor == f"staff:{staff.case_worker.id}"
    detail = json.loads(entry.detail or "{}")
    assert REASON not in (entry.detail or "") and "paie" not in (entry.detail or "")
    with session_scope(web_settings) as session:
        client_row = session.get(Client, dossier.client_id)
        assert client_row is not None
        cipher = ClientCipher.for_client(client_row, web_settings)
        assert cipher.decrypt("audit", "reason", document.id, detail["reason_enc"]) == REASON

    # Replayed: refused with its own message, nothing else happens.
    again = client.post(url, data={"csrf_token": token, "action": "remove", "reason": REASON})
    assert again.status_code == 409
    assert "Cette pièce a déjà été retirée du dossier" in html.unescape(again.text)
    assert len(audit_entries(web_settings, "document.remove")) == 1


def test_replacement_takes_the_place_of_the_document(
    client: TestClient, staff: Staff, web_settings: Settings, dossier: Dossier
) -> None:
    token = sign_in(client, staff.case_worker)
    document = _upload(client, token, dossier)
    old_path = document_path(document, web_settings)
    done = client.post(
        f"/dossiers/{dossier.id}/documents/{document.id}/retrait",
        data={"csrf_token": token, "action": "replace", "reason": REASON},
        files={"file": ("paie-bonne.png", RIGHT, "image/png")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert not old_path.exists()
    with session_scope(web_settings) as session:
        rows = session.exec(select(Document).where(Document.dossier_id == dossier.id)).all()
    assert len(rows) == 1 and rows[0].id != document.id and rows[0].kind == DocumentKind.INCOME
    assert document_path(rows[0], web_settings).exists()
    assert _received(web_settings, dossier)
    detail = json.loads(audit_entries(web_settings, "document.remove")[0].detail or "{}")
    assert detail["replacement_id"] == rows[0].id


def test_refusals_change_nothing(
    client: TestClient, staff: Staff, web_settings: Settings, dossier: Dossier
) -> None:
    token = sign_in(client, staff.case_worker)
    document = _upload(client, token, dossier)
    path = document_path(document, web_settings)
    url = f"/dossiers/{dossier.id}/documents/{document.id}/retrait"
    form = {"csrf_token": token, "action": "remove", "reason": REASON}

    # Another team's case worker.
    client.cookies.clear()
    other = sign_in(client, staff.other_team)
    assert client.get(url).status_code == 403
    assert client.post(url, data={**form, "csrf_token": other}).status_code == 403
    assert path.exists() and count(web_settings, Document) == 1

    # A closed dossier.
    client.cookies.clear()
    token = sign_in(client, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED
        session.add(row)
    closed = client.post(url, data={**form, "csrf_token": token})
    assert closed.status_code == 409
    assert "Ce dossier est clôturé : ses pièces ne peuvent plus être retirées" in html.unescape(
        closed.text
    )
    assert "Retirer ou remplacer" not in client.get(f"/dossiers/{dossier.id}").text
    assert path.exists() and count(web_settings, Document) == 1
    assert audit_entries(web_settings, "document.remove") == []


def test_a_bad_replacement_or_a_history_document_changes_nothing(
    client: TestClient, staff: Staff, web_settings: Settings, dossier: Dossier
) -> None:
    token = sign_in(client, staff.case_worker)
    document = _upload(client, token, dossier)
    path = document_path(document, web_settings)
    refused = client.post(
        f"/dossiers/{dossier.id}/documents/{document.id}/retrait",
        data={"csrf_token": token, "action": "replace", "reason": REASON},
        files={"file": ("paie.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert refused.status_code == 422
    body = html.unescape(refused.text)
    assert "Fichier de remplacement :" in body and REASON in body
    assert path.exists() and count(web_settings, Document) == 1
    assert audit_entries(web_settings, "document.remove") == []

    with session_scope(web_settings) as session:
        client_row = session.get(Client, dossier.client_id)
        assert client_row is not None
        letter = new_generated_pdf(
            session,
            client_row,
            dossier.id,
            DocumentKind.CREDITOR_LETTER,
            "courrier.pdf",
            pdf_with(b"Courrier"),
            web_settings,
            reason="test",
        ).store(session, web_settings)
    history = client.get(f"/dossiers/{dossier.id}/documents/{letter.id}/retrait")
    assert history.status_code == 409
    assert "fait partie de l'historique du dossier" in html.unescape(history.text)
    assert count(web_settings, Document) == 2
