"""Files a case worker attaches to a negotiation: a creditor's reply or written confirmation
(CREDITOR_REPLY), a consent signed on paper (CONSENT_SCAN).

Checked, encrypted and stored like any supporting document (services/documents.py), but these
kinds are not pieces the client was asked for: no expected document is ticked, no "Pièce reçue"
event. They belong to the staged write of the action they came with (domain/staged_writes.py):
inert until the workflow accepts it, swept with it otherwise.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session

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
from services.documents import write_document_file
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
    staged_write_id: str,
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
        staged_write_id=staged_write_id,
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
