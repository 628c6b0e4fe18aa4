"""Supporting documents: checked, encrypted under the client's data key, stored under random names.

The document store (settings.documents_dir) lies outside the web root and is readable by the
service account only. A file's name on disk says nothing about it; its ciphertext is bound to
the document id, so a file swapped for another one no longer decrypts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
    "delete_document_file",
    "document_aad",
    "document_path",
    "read_document",
    "store_document",
]

DOCUMENT_NOT_FOUND = "Pièce introuvable : elle n'existe pas ou plus."


def document_aad(document_id: str) -> str:
    return field_aad("document", "content", document_id)


def document_path(document: Document, settings: Settings) -> Path:
    return settings.documents_dir / document.stored_name


def _store_dir(settings: Settings) -> Path:
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
    _write_private(_store_dir(settings) / document.stored_name, blob)


def _write_private(path: Path, blob: bytes) -> None:
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

    document_kind = DocumentKind(kind)
    document = Document(
        id=new_id(),
        dossier_id=dossier.id,
        client_id=client.id,
        kind=document_kind,
        stored_name=secrets.token_hex(24),
        content_type=accepted.content_type,
        size_bytes=len(data),
        uploaded_by=actor.id,
    )
    document.filename_enc = cipher.encrypt("document", "filename", document.id, accepted.filename)
    session.add(document)
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
    append_audit(
        session,
        actor=actor_of(actor),
        action="document.upload",
        object_type="document",
        object_id=document.id,
        reason="dépôt de pièce justificative",
        detail={
            "dossier_id": dossier.id,
            "kind": document_kind.value,
            "size_bytes": len(data),
            "content_type": accepted.content_type,
        },
    )
    session.flush()
    write_document_file(document, data, cipher, settings)
    return document


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
    cipher = ClientCipher.for_client(client, settings)
    try:
        blob = document_path(document, settings).read_bytes()
    except FileNotFoundError:
        raise NotFound("Le fichier de cette pièce est introuvable dans le stockage.") from None
    data = cipher.decrypt_blob(document_aad(document.id), blob)
    filename = cipher.decrypt("document", "filename", document.id, document.filename_enc)
    append_audit(
        session,
        actor=actor_of(viewer),
        action="document.read",
        object_type="document",
        object_id=document.id,
        reason="consultation de pièce justificative",
        detail={"dossier_id": document.dossier_id},
    )
    return document, filename or f"piece-{document.id[:8]}", data


def delete_document_file(document: Document, settings: Settings) -> None:
    """Remove the encrypted file; nothing happens if it is already gone (retries are safe)."""
    document_path(document, settings).unlink(missing_ok=True)
