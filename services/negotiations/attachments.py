"""Files a case worker attaches to a negotiation: a creditor's reply or written confirmation
(CREDITOR_REPLY), a consent signed on paper (CONSENT_SCAN).

Checked, encrypted and stored like any supporting document (services/documents.py), but these
kinds are not pieces the client was asked for: no expected document is ticked, no "Pièce reçue"
event. They belong to the staged write of the action they came with (domain/staged_writes.py):
inert until the workflow accepts it, swept with it otherwise.
"""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings
from domain.dossier_stages import NEGOTIATION_DOCUMENT_KINDS, DocumentKind
from models.dossier import Dossier
from models.staff import StaffUser
from services.documents import Upload, new_document

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
    pending = new_document(
        session,
        dossier,
        kind,
        upload,
        viewer,
        settings,
        reason="pièce de négociation",
        staged_write_id=staged_write_id,
    )
    return pending.store(session, settings).id
