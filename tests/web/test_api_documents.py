"""Supporting documents: sniffed type, size limit, encrypted storage, audited download."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.files import encrypted_pdf, jpeg_with, pdf_with, png_with
from support.webapp import Staff, audit_entries, count, offline, seed_dossier

from config.settings import Settings
from domain.dossier_stages import Stage
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier, ExpectedDocument, TimelineEvent
from services.documents import delete_document_file
from web.app import create_app

Auth = Callable[..., dict[str, str]]

SECRET_TEXT = b"Avis d'imposition 2024 - revenu fiscal de reference 23 456 euros"
PDF = pdf_with(SECRET_TEXT)
PNG = png_with(SECRET_TEXT)
JPEG = jpeg_with(SECRET_TEXT)
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + SECRET_TEXT
POLYGLOT = (
    b"%PDF-1.7\n<html><body><script>fetch('/api/v1/dossiers')</script></body></html>\n%%EOF\n"
)
ENCRYPTED_PDF = encrypted_pdf()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + SECRET_TEXT


def upload(
    client: TestClient,
    headers: dict[str, str],
    dossier_id: str,
    name: str,
    data: bytes,
    kind: str = "tax_notice",
    declared: str = "application/pdf",
) -> dict:
    response = client.post(
        f"/api/v1/dossiers/{dossier_id}/documents",
        data={"kind": kind},
        files={"file": (name, data, declared)},
        headers=headers,
    )
    return {"status": response.status_code, "body": response.json()}


def stored_files(settings: Settings) -> list:
    directory = settings.documents_dir
    return sorted(directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "content_type", "kind"),
    [
        ("avis-imposition.pdf", PDF, "application/pdf", "tax_notice"),
        ("Carte d'identité.png", PNG, "image/png", "identity"),
        ("fiche de paie.JPEG", JPEG, "image/jpeg", "income"),
    ],
)
def test_upload_and_download(
    client: TestClient,
    staff: Staff,
    auth: Auth,
    web_settings: Settings,
    name: str,
    data: bytes,
    content_type: str,
    kind: str,
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker, expected_documents=[kind, "rent"])
    # The declared type is ignored: the content decides.
    result = upload(client, auth(staff.colleague), dossier.id, name, data, kind, "text/plain")
    assert result["status"] == 201, result
    body = result["body"]
    assert (body["content_type"], body["size_bytes"], body["kind"]) == (
        content_type,
        len(data),
        kind,
    )
    # Temporal is unreachable here: stored all the same, and said so.
    assert body["workflow_notified"] is False
    assert "enregistrée" in body["notice"]

    [path] = stored_files(web_settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(web_settings.documents_dir.stat().st_mode) == 0o700
    on_disk = path.read_bytes()
    assert SECRET_TEXT not in on_disk and data[:8] not in on_disk
    assert name.split(".")[0] not in path.name

    with session_scope(web_settings) as session:
        document = session.get(Document, body["id"])
        assert document is not None and document.stored_name == path.name
        assert document.filename_enc and name not in document.filename_enc
        received = {
            str(e.kind): e.received_at
            for e in session.exec(
                select(ExpectedDocument).where(ExpectedDocument.dossier_id == dossier.id)
            )
        }
        assert received[kind] is not None and received["rent"] is None
        events = session.exec(select(TimelineEvent.kind)).all()
        assert "document_received" in events
    [uploaded] = audit_entries(web_settings, "document.upload")
    assert json.loads(uploaded.detail)["dossier_id"] == dossier.id

    download = client.get(f"/api/v1/documents/{body['id']}", headers=auth(staff.supervisor))
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == content_type
    assert download.headers["cache-control"] == "no-store"
    assert "attachment" in download.headers["content-disposition"]
    [read] = audit_entries(web_settings, "document.read")
    assert read.actor == f"staff:{staff.supervisor.id}"

    refused = client.get(f"/api/v1/documents/{body['id']}", headers=auth(staff.other_team))
    assert refused.status_code == 403


REFUSED = [
    ("releve.pdf", ZIP, "n'est pas un vrai PDF : il s'agit en réalité d'une archive ZIP"),
    ("attestation.pdf", EXE, "d'un programme exécutable"),
    ("photo.jpg", PNG, "est en réalité un PNG"),
    ("scan.exe", PDF, "son extension (.exe) ne correspond pas"),
    ("notes.txt", b"Mon mot de passe bancaire : azerty", "seuls les fichiers PDF, JPEG et PNG"),
    ("vide.pdf", b"", "Le fichier est vide"),
    ("mot de passe banque.pdf", PDF, "« Nom du fichier » semble contenir un mot de passe"),
    # First bytes of a PDF, then a web page with a script: parsed, it is no PDF at all.
    ("facture.pdf", POLYGLOT, "commence comme un PDF mais n'en est pas un lisible"),
    ("scan.pdf", PDF[: len(PDF) // 2], "commence comme un PDF mais n'en est pas un lisible"),
    ("photo.png", PNG[:40], "commence comme un PNG mais n'en est pas un lisible"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + SECRET_TEXT, "commence comme un JPEG mais n'en"),
    ("protege.pdf", ENCRYPTED_PDF, "est protégé par un mot de passe"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED)
def test_refused_uploads_change_nothing(
    client: TestClient,
    staff: Staff,
    auth: Auth,
    web_settings: Settings,
    name: str,
    data: bytes,
    message: str,
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    headers = auth(staff.case_worker)
    before = (count(web_settings, Document), count(web_settings, TimelineEvent))
    result = upload(client, headers, dossier.id, name, data)
    assert result["status"] == 422, result
    [error] = result["body"]["detail"]
    assert error["field"] == "file"
    assert message in error["message"]
    assert (count(web_settings, Document), count(web_settings, TimelineEvent)) == before
    assert stored_files(web_settings) == []
    assert audit_entries(web_settings, "document.upload") == []


def test_size_limit(settings: Settings, staff: Staff) -> None:
    small = offline(settings, upload_max_bytes=2048)
    dossier = seed_dossier(small, staff.case_worker)
    with TestClient(create_app(small)) as client:
        token = client.post(
            "/api/v1/auth/token",
            data={"username": staff.case_worker.email, "password": "correct horse battery staple"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        just_over = PDF + b"0" * (2049 - len(PDF))
        result = upload(client, headers, dossier.id, "gros.pdf", just_over)
        assert result["status"] == 422
        assert result["body"]["detail"] == [
            {
                "field": "file",
                "message": "Le fichier dépasse la taille maximale autorisée (2 Ko).",
            }
        ]
        # Far over: refused while the body is still arriving, before it is all read.
        huge = upload(client, headers, dossier.id, "enorme.pdf", PDF + b"0" * 3_000_000)
        assert huge["status"] == 413
        assert "ne peut pas dépasser 2 Ko" in huge["body"]["detail"][0]["message"]
        at_limit = upload(client, headers, dossier.id, "juste.pdf", PDF + b"0" * (2048 - len(PDF)))
        assert at_limit["status"] == 201
    assert count(small, Document) == 1


def test_upload_needs_write_access_and_an_open_dossier(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    for user in (staff.other_team, staff.dpo, staff.ops):
        result = upload(client, auth(user), dossier.id, "a.pdf", PDF)
        assert result["status"] == 403, user.role
    assert len(audit_entries(web_settings, "access.denied")) == 3

    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED
        session.add(row)
    closed = upload(client, auth(staff.case_worker), dossier.id, "a.pdf", PDF)
    assert closed["status"] == 422
    assert "clôturé" in closed["body"]["detail"][0]["message"]

    unknown_kind = upload(client, auth(staff.case_worker), dossier.id, "a.pdf", PDF, kind="selfie")
    assert unknown_kind["status"] == 422
    assert unknown_kind["body"]["detail"] == [
        {"field": "kind", "message": "Type de pièce inconnu."}
    ]
    missing_file = client.post(
        f"/api/v1/dossiers/{dossier.id}/documents",
        data={"kind": "identity"},
        headers=auth(staff.case_worker),
    )
    assert missing_file.status_code == 422
    assert missing_file.json()["detail"] == [
        {"field": "file", "message": "Ce champ est obligatoire."}
    ]
    assert count(web_settings, Document) == 0
    assert stored_files(web_settings) == []


def test_unknown_document_is_404(client: TestClient, staff: Staff, auth: Auth) -> None:
    response = client.get("/api/v1/documents/" + "0" * 32, headers=auth(staff.case_worker))
    assert response.status_code == 404
    assert response.json()["detail"][0]["message"].startswith("Pièce introuvable")


def test_retention_deletes_the_file_idempotently(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    stored = upload(client, auth(staff.case_worker), dossier.id, "a.pdf", PDF)
    with session_scope(web_settings) as session:
        document = session.get(Document, stored["body"]["id"])
        assert document is not None
    assert len(stored_files(web_settings)) == 1
    delete_document_file(document, web_settings)
    delete_document_file(document, web_settings)
    assert stored_files(web_settings) == []
    gone = client.get(f"/api/v1/documents/{document.id}", headers=auth(staff.case_worker))
    assert gone.status_code == 404
    assert "introuvable dans le stockage" in gone.json()["detail"][0]["message"]
