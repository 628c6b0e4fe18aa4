"""Data the web app writes around workflow actions: the closure note, the legal-hold reason.

The workflow owns the dossier's state (stage, outcome, hold); these are the accompanying data,
written only after the workflow accepted the action.
"""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from models.client import Client
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import DossierAction, actor_of, load_dossier


def save_closure_note(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    note: str,
    settings: Settings,
) -> None:
    """Store the note encrypted under the client's key: it may say things about the person."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, "dossier.close")
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        return
    cipher = ClientCipher.for_client(client, settings)
    dossier.closure_note_enc = cipher.encrypt("dossier", "closure_note", dossier.id, note)
    dossier.updated_at = utcnow()
    session.add(dossier)
    append_audit(
        session,
        actor=actor_of(viewer),
        action="dossier.closure_note",
        object_type="dossier",
        object_id=dossier.id,
        reason="clôture du dossier",
    )


def save_legal_hold_reason(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    reason: str,
    settings: Settings,
) -> None:
    """Encrypted like the note: a reason often names the person or their dispute."""
    dossier = load_dossier(
        session, viewer, dossier_id, DossierAction.LEGAL_HOLD, "dossier.legal_hold"
    )
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        return
    cipher = ClientCipher.for_client(client, settings)
    dossier.legal_hold_reason_enc = cipher.encrypt(
        "dossier", "legal_hold_reason", dossier.id, reason
    )
    dossier.updated_at = utcnow()
    session.add(dossier)
    append_audit(
        session,
        actor=actor_of(viewer),
        action="dossier.legal_hold_reason",
        object_type="dossier",
        object_id=dossier.id,
        reason="conservation pour motif légal",
    )
