"""Removing or replacing a supporting document uploaded by mistake.

The row goes (its metadata is the document's own: no trace of the file stays in the tables),
the encrypted file is overwritten then unlinked, and the audit log keeps who removed which
document id and when, with the reason encrypted under the client's key (free text may name
the person). The expected-document checklist follows: a kind with no document left is missing
again; a replacement of the same kind keeps it received.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import utcnow
from domain.credentials import credential_message, looks_like_credential
from domain.dossier_stages import CLIENT_DOCUMENT_KINDS, DOCUMENT_LABELS_FR, OPEN_STAGES
from domain.errors import InvalidInput, NotFound, Refused
from domain.intake import DocumentRemovalRequest
from models.audit import AuditEntry
from models.client import Client
from models.document import Document
from models.dossier import ExpectedDocument, TimelineEvent
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.documents import (
    DOCUMENT_NOT_FOUND,
    Upload,
    document_path,
    new_document,
    shred_file,
)
from services.dossiers.access import DossierAction, actor_of, load_dossier

REMOVED_ACTION = "document.remove"
ALREADY_REMOVED = "Cette pièce a déjà été retirée du dossier : il n'y a plus rien à retirer."
CLOSED = "Ce dossier est clôturé : ses pièces ne peuvent plus être retirées ni remplacées."
GENERATED = (
    "Ce document fait partie de l'historique du dossier (rapport, courrier, reçu, réponse "
    "d'un créancier) : il ne se retire pas."
)
ERASED = "Les données de ce client ont été effacées."


@dataclass(frozen=True)
class Removal:
    document_id: str
    kind_label: str
    replacement_id: str | None


def removable_document(
    session: Session, viewer: StaffUser, dossier_id: str, document_id: str, purpose: str
) -> Document:
    """The document, once the viewer may change its dossier and the dossier still takes
    changes; a clear refusal otherwise (404, 403 audited, 409)."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, purpose)
    document = session.get(Document, document_id) if len(document_id) <= 32 else None
    if document is None or document.dossier_id != dossier.id or document.staged_write_id:
        removed = session.exec(
            select(AuditEntry.seq).where(
                AuditEntry.action == REMOVED_ACTION,
                AuditEntry.object_type == "document",
                AuditEntry.object_id == document_id,
            )
        ).first()
        if removed is not None and document is None:
            raise Refused(ALREADY_REMOVED)
        raise NotFound(DOCUMENT_NOT_FOUND)
    if dossier.stage not in OPEN_STAGES:
        raise Refused(CLOSED)
    if document.kind not in CLIENT_DOCUMENT_KINDS:
        raise Refused(GENERATED)
    return document


def remove_document(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    dossier_id: str,
    document_id: str,
    data: DocumentRemovalRequest,
    replacement: Upload | None = None,
) -> Removal:
    """Remove the document (or replace it with `replacement`, of the same kind) in the
    caller's transaction. Every check comes first: a refusal changes nothing."""
    document = removable_document(session, viewer, dossier_id, document_id, REMOVED_ACTION)
    if looks_like_credential(data.reason):
        raise InvalidInput({"reason": credential_message("Motif")})
    client = session.get(Client, document.client_id)
    if client is None or client.wrapped_key is None:
        raise Refused(ERASED)
    cipher = ClientCipher.for_client(client, settings)
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, REMOVED_ACTION)
    kind = document.kind
    pending = (
        new_document(
            session,
            dossier,
            kind,
            replacement,
            viewer,
            settings,
            reason="remplacement d'une pièce justificative",
        )
        if replacement is not None
        else None
    )
    path = document_path(document, settings)
    session.delete(document)
    session.flush()
    _update_checklist(session, dossier_id, document, replaced=pending is not None)
    label = DOCUMENT_LABELS_FR[kind]
    append_audit(
        session,
        actor_of(viewer),
        REMOVED_ACTION,
        "document",
        document_id,
        reason="remplacement" if pending is not None else "retrait",
        detail={
            "dossier_id": dossier_id,
            "kind": kind.value,
            "reason_enc": cipher.encrypt("audit", "reason", document_id, data.reason),
            "replacement_id": pending.document.id if pending is not None else None,
        },
    )
    session.add(
        TimelineEvent(
            dossier_id=dossier_id,
            kind="document_replaced" if pending is not None else "document_removed",
            summary=(f"Pièce remplacée : {label}" if pending else f"Pièce retirée : {label}"),
            actor=actor_of(viewer),
        )
    )
    if pending is not None:
        pending.store(session, settings)
    session.flush()
    # Last, once every row is written: a refusal above leaves the file as it was.
    shred_file(path)
    return Removal(document_id, label, pending.document.id if pending is not None else None)


def _update_checklist(
    session: Session, dossier_id: str, removed: Document, *, replaced: bool
) -> None:
    expected = session.exec(
        select(ExpectedDocument).where(
            ExpectedDocument.dossier_id == dossier_id, ExpectedDocument.kind == removed.kind
        )
    ).first()
    if expected is None:
        return
    if replaced:
        expected.received_at = utcnow()
    else:
        left = session.exec(
            select(Document.id).where(
                Document.dossier_id == dossier_id,
                Document.kind == removed.kind,
                col(Document.staged_write_id).is_(None),
            )
        ).first()
        if left is None:
            expected.received_at = None
    session.add(expected)
