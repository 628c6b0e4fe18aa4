"""Supporting documents: checked, encrypted under the client's data key, stored under random names.

The document store (settings.documents_dir) lies outside the web root and is readable by the
service account only. A file's name on disk says nothing about it; its ciphertext is bound to
the document id, so a file swapped for another one no longer decrypts.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import utcnow
from domain.credentials import credential_message, looks_like_credential
from domain.dossier_stages import (
    CLIENT_DOCUMENT_KINDS,
    DOCUMENT_LABELS_FR,
    OPEN_STAGES,
    DocumentKind,
)
from domain.errors import NotFound
from domain.file_types import UploadRefused, check_upload
from models.client import Client
from models.document import Document
from models.dossier import Dossier, ExpectedDocument, TimelineEvent
from models.staff import StaffUser
from security.crypto import field_aad
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.dossiers.intake import new_id

__all__ = [
    "UploadRefused",
    "Upload",
    "delete_document_file",
    "document_aad",
    "document_path",
    "new_document",
    "read_document",
    "store_document",
]

# What a form sends: (file name as typed by the browser, content).
Upload = tuple[str | None, bytes]

DOCUMENT_NOT_FOUND = "Pièce introuvable : elle n'existe pas ou plus."


def document_aad(document_id: str) -> str:
    return field_aad("document", "content", document_id)


def document_path(document: Document, settings: Settings) -> Path:
    return settings.documents_dir / document.stored_name


def store_dir(settings: Settings) -> Path:
    directory = settings.documents_dir
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask and ignored for an existing directory.
    os.chmod(directory, 0o700)
    return directory


def write_document_file(
    document: Document, data: bytes, cipher: ClientCipher, settings: Settings
) -> None:
    """Encrypt `data` under the client's key, bound to the document row, into the store."""
    blob = cipher.encrypt_blob(document_aad(document.id), data)
    write_private(store_dir(settings) / document.stored_name, blob)


def write_private(path: Path, blob: bytes) -> None:
    """Write to a temporary name then rename, so a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def store_document(
    session: Session,
    dossier: Dossier,
    kind: DocumentKind | str,
    filename: str | None,
    data: bytes,
    actor: StaffUser,
    settings: Settings,
) -> Document:
    """Check, encrypt and store one upload in the caller's transaction; UploadRefused if not OK.

    The rows are flushed before the file is written, so a database refusal leaves no file.
    """
    dossier = load_dossier(session, actor, dossier.id, DossierAction.WRITE, "document.upload")
    if dossier.stage not in OPEN_STAGES:
        raise UploadRefused("Ce dossier est clôturé : il n'accepte plus de pièces justificatives.")
    if kind not in {k.value for k in CLIENT_DOCUMENT_KINDS}:
        raise UploadRefused("Type de pièce inconnu.")
    document_kind = DocumentKind(kind)
    pending = new_document(
        session,
        dossier,
        document_kind,
        (filename, data),
        actor,
        settings,
        reason="dépôt de pièce justificative",
    )
    expected = session.exec(
        select(ExpectedDocument).where(
            ExpectedDocument.dossier_id == dossier.id,
            ExpectedDocument.kind == document_kind,
            col(ExpectedDocument.received_at).is_(None),
        )
    ).first()
    if expected is not None:
        expected.received_at = utcnow()
        session.add(expected)
    session.add(
        TimelineEvent(
            dossier_id=dossier.id,
            kind="document_received",
            summary=f"Pièce reçue : {DOCUMENT_LABELS_FR[document_kind]}",
            actor=actor_of(actor),
        )
    )
    return pending.store(session, settings)


@dataclass(frozen=True)
class PendingDocument:
    """A document row added to the session whose file is not yet written."""

    document: Document
    data: bytes
    cipher: ClientCipher

    def store(self, session: Session, settings: Settings) -> Document:
        """Flush the rows, then write the file: a database refusal leaves no file behind."""
        session.flush()
        write_document_file(self.document, self.data, self.cipher, settings)
        return self.document


def new_document(
    session: Session,
    dossier: Dossier,
    kind: DocumentKind,
    upload: Upload,
    uploader: StaffUser,
    settings: Settings,
    *,
    reason: str,
    staged_write_id: str | None = None,
) -> PendingDocument:
    """Check one upload (UploadRefused with a French message) and add its encrypted, audited
    row. The caller has checked access; it adds its own rows, then calls `store`."""
    filename, data = upload
    accepted = check_upload(filename, data, settings.upload_max_bytes)
    if looks_like_credential(accepted.filename):
        raise UploadRefused(credential_message("Nom du fichier"))
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    try:
        cipher = ClientCipher.for_client(client, settings)
    except ClientErasedError:
        raise UploadRefused("Les données de ce client ont été effacées.") from None
    document = Document(
        id=new_id(),
        dossier_id=dossier.id,
        client_id=client.id,
        kind=kind,
        stored_name=secrets.token_hex(24),
        content_type=accepted.content_type,
        size_bytes=len(data),
        uploaded_by=uploader.id,
        staged_write_id=staged_write_id,
    )
    document.filename_enc = cipher.encrypt("document", "filename", document.id, accepted.filename)
    session.add(document)
    append_audit(
        session,
        actor_of(uploader),
        "document.upload",
        "document",
        document.id,
        reason=reason,
        detail={
            "dossier_id": dossier.id,
            "kind": kind.value,
            "size_bytes": len(data),
            "content_type": accepted.content_type,
        },
    )
    return PendingDocument(document, data, cipher)


def new_generated_pdf(
    session: Session,
    client: Client,
    dossier_id: str,
    kind: DocumentKind,
    filename: str,
    pdf: bytes,
    settings: Settings,
    *,
    reason: str,
    **detail: Any,
) -> PendingDocument:
    """A PDF Cravelynos made (report, receipt, letter): its encrypted row, audited as the
    system; the caller adds its own rows, then calls `store`."""
    cipher = ClientCipher.for_client(client, settings)
    document = Document(
        id=new_id(),
        dossier_id=dossier_id,
        client_id=client.id,
        kind=kind,
        stored_name=secrets.token_hex(24),
        content_type="application/pdf",
        size_bytes=len(pdf),
        uploaded_by=None,
    )
    document.filename_enc = cipher.encrypt("document", "filename", document.id, filename)
    session.add(document)
    append_audit(
        session,
        "system",
        "document.generate",
        "document",
        document.id,
        reason=reason,
        detail={"dossier_id": dossier_id, "kind": kind.value, "size_bytes": len(pdf), **detail},
    )
    return PendingDocument(document, pdf, cipher)


def decrypt_document(
    document: Document, cipher: ClientCipher, settings: Settings
) -> tuple[str | None, bytes]:
    """(original file name, plaintext); NotFound when the file has left the store."""
    try:
        blob = document_path(document, settings).read_bytes()
    except FileNotFoundError:
        raise NotFound("Le fichier de cette pièce est introuvable dans le stockage.") from None
    data = cipher.decrypt_blob(document_aad(document.id), blob)
    return cipher.decrypt("document", "filename", document.id, document.filename_enc), data


def read_document(
    session: Session, document_id: str, viewer: StaffUser, settings: Settings
) -> tuple[Document, str, bytes]:
    """(metadata, original file name, plaintext) after the access check; the read is audited."""
    document = session.get(Document, document_id) if len(document_id) <= 32 else None
    if document is None:
        raise NotFound(DOCUMENT_NOT_FOUND)
    load_dossier(session, viewer, document.dossier_id, DossierAction.READ, "document.read")
    client = session.get(Client, document.client_id)
    if client is None or client.wrapped_key is None:
        raise NotFound("Les données de ce client ont été effacées.")
    filename, data = decrypt_document(document, ClientCipher.for_client(client, settings), settings)
    append_audit(
        session,
        actor_of(viewer),
        "document.read",
        "document",
        document.id,
        reason="consultation de pièce justificative",
        detail={"dossier_id": document.dossier_id},
    )
    return document, filename or f"piece-{document.id[:8]}", data


def shred_file(path: Path) -> None:
    """Overwrite the file with random bytes, flushed to disk, then unlink it: what the disk
    keeps of it after a removal is noise. Nothing happens if it is already gone."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        return
    path.unlink(missing_ok=True)


def delete_document_file(document: Document, settings: Settings) -> None:
    """Remove the encrypted file; nothing happens if it is already gone (retries are safe)."""
    document_path(document, settings).unlink(missing_ok=True)
