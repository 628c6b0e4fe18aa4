"""Checking who makes a request on an ID document: stored encrypted, read by the DPO only,
compared with the client record (accents and case aside), and shredded at the conclusion, of
which only the outcome is kept."""

from __future__ import annotations

import html
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import select
from support.stack import TINY_PDF
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from config.settings import Settings
from models.database import session_scope
from models.privacy_request import PrivacyIdentityDocument, PrivacyRequest

CHECK = {
    "document_kind": "id_card",
    "last_name": "DUPONT",
    "first_name": "JEANNE",
    "conclusion": "verified",
}


def _request_about_client(client: TestClient, token: str, client_id: str) -> str:
    page = client.get(f"/privacy-requests/new?client={client_id}")
    form_token = page.text.split('name="request_token" value="')[1].split('"')[0]
    created = client.post(
        "/privacy-requests/new",
        data={
            "csrf_token": token,
            "request_token": form_token,
            "rights": ["access"],
            "client_id": client_id,
            "channel": "letter",
            "received_at": "2026-12-01T09:00",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


def _documents(settings: Settings) -> list[PrivacyIdentityDocument]:
    with session_scope(settings) as session:
        return list(session.exec(select(PrivacyIdentityDocument)).all())


def test_the_document_is_read_compared_then_shredded(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.dpo)
    url = _request_about_client(client, token, dossier.client_id)
    missing = client.post(
        f"{url}/identity", data={"csrf_token": token, **CHECK, "expires_on": "2030-01-01"}
    )
    assert missing.status_code == 422
    assert "Téléversez d'abord la pièce" in html.unescape(missing.text)

    sent = client.post(
        f"{url}/identity-document",
        data={"csrf_token": token},
        files={"file": ("cni.pdf", TINY_PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    [document] = _documents(web_settings)
    stored = (web_settings.documents_dir / document.stored_name).read_bytes()
    assert TINY_PDF not in stored  # encrypted at rest
    read = client.get(f"{url}/identity-document/{document.id}")
    assert read.status_code == 200 and read.content == TINY_PDF
    assert read.headers["cache-control"] == "no-store"

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    expired = client.post(
        f"{url}/identity", data={"csrf_token": token, **CHECK, "expires_on": yesterday}
    )
    assert expired.status_code == 422 and "expirée" in html.unescape(expired.text)
    other = {**CHECK, "last_name": "Durand", "expires_on": "2031-05-01"}
    mismatch = client.post(f"{url}/identity", data={"csrf_token": token, **other})
    assert mismatch.status_code == 422
    page = html.unescape(mismatch.text)
    assert "ne correspond pas à celui du client" in page and 'value="Durand"' in page
    assert _documents(web_settings)[0].deleted_at is None  # refused: nothing changed

    done = client.post(
        f"{url}/identity", data={"csrf_token": token, **CHECK, "expires_on": "2031-05-01"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303, done.text
    [document] = _documents(web_settings)
    assert document.deleted_at is not None
    assert not (web_settings.documents_dir / document.stored_name).exists()
    assert client.get(f"{url}/identity-document/{document.id}").status_code == 404
    request_id = url.rsplit("/", 1)[1]
    with session_scope(web_settings) as session:
        row = session.get(PrivacyRequest, request_id)
        assert row is not None
        assert (row.identity, row.identity_document_kind) == ("verified", "id_card")
    assert "Vérifiée sur pièce d'identité" in html.unescape(client.get(url).text)
    again = client.post(
        f"{url}/identity", data={"csrf_token": token, **CHECK, "expires_on": "2031-05-01"}
    )
    assert again.status_code == 409
    assert len(audit_entries(web_settings, "privacy_request.identity_read")) == 1


def test_only_the_dpo_receives_or_reads_the_document(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.dpo)
    url = _request_about_client(client, token, dossier.client_id)
    client.post(
        f"{url}/identity-document",
        data={"csrf_token": token},
        files={"file": ("cni.pdf", TINY_PDF, "application/pdf")},
    )
    [document] = _documents(web_settings)
    client.cookies.clear()
    other_token = sign_in(client, staff.case_worker)
    assert client.get(f"{url}/identity-document/{document.id}").status_code == 403
    refused = client.post(
        f"{url}/identity-document",
        data={"csrf_token": other_token},
        files={"file": ("cni.pdf", TINY_PDF, "application/pdf")},
    )
    assert refused.status_code == 403
    assert len(_documents(web_settings)) == 1
