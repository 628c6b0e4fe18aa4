"""Files a case worker attaches to a negotiation: a creditor's reply or written confirmation
(CREDITOR_REPLY), a consent signed on paper (CONSENT_SCAN).

Checked, encrypted and stored like any supporting document (models/document_files.py), but
these kinds are not pieces the client was asked for: no expected document is ticked, no
"Pièce reçue" event. They can be removed again when the workflow refuses the action they came
with, so that a refused action leaves nothing behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.credentials import credential_message, looks_like_credential
from domain.dossier_stages import NEGOTIATION_DOCUMENT_KINDS, DocumentKind
from domain.file_types import UploadRefused, check_upload
from models.client import Client
from models.document import Document
from models.dossier import Dossier
from models.staff import StaffUser
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit
from services.documents import delete_document_file, write_document_file
from services.dossiers.access import actor_of
from services.dossiers.intake import new_id

# What a form sends: (file name as typed by the browser, content).
Upload = tuple[str | None, bytes]
UPLOADED_KINDS = frozenset({DocumentKind.CREDITOR_REPLY, DocumentKind.CONSENT_SCAN})


def store_attachment(
    session: Session,
    dossier: Dossier,
    kind: DocumentKind,
    upload: Upload,
    viewer: StaffUser,
    settings: Settings,
) -> str:
    """The new document's id; UploadRefused with a French message. The caller checked access."""
    assert kind in UPLOADED_KINDS and kind in NEGOTIATION_DOCUMENT_KINDS
    filename, data = upload
    accepted = check_upload(filename, data, settings.upload_max_bytes)
    if looks_like_credential(accepted.filename):
        raise UploadRefused(credential_message("Nom du fichier"))
    client = session.get(Client, dossier.client_id)
    assert client is not None
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
        uploaded_by=viewer.id,
    )
    document.filename_enc = cipher.encrypt("document", "filename", document.id, accepted.filename)
    session.add(document)
    append_audit(
        session,
        actor=actor_of(viewer),
        action="document.upload",
        object_type="document",
        object_id=document.id,
        reason="pièce de négociation",
        detail={"dossier_id": dossier.id, "kind": kind.value, "size_bytes": len(data)},
    )
    session.flush()
    write_document_file(document, data, cipher, settings)
    return document.id


def remove_attachments(
    session: Session, document_ids: Sequence[str], actor: str, settings: Settings
) -> None:
    """Delete rows and files of attachments whose action was refused (nothing else)."""
    if not document_ids:
        return
    rows = session.exec(select(Document).where(col(Document.id).in_(list(document_ids)))).all()
    for document in rows:
        if document.kind not in UPLOADED_KINDS:
            continue
        session.delete(document)
        delete_document_file(document, settings)
        append_audit(
            session,
            actor=actor,
            action="document.removed",
            object_type="document",
            object_id=document.id,
            reason="action refusée : pièce retirée",
            detail={"dossier_id": document.dossier_id, "kind": document.kind},
        )
