"""Data the web app writes around dossier workflow actions: the closure note, the legal-hold
reason. The workflow owns the dossier's state (stage, outcome, hold); these texts are staged
(domain/staged_writes.py) and become the dossier's once the workflow accepted the action.
"""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings
from domain.staged_writes import TEXT_TARGETS, StagedWriteKind
from models.client import Client
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.staged_writes import stage_write

AUDIT = {
    StagedWriteKind.CLOSURE_NOTE: ("dossier.closure_note", "clôture du dossier"),
    StagedWriteKind.LEGAL_HOLD_REASON: (
        "dossier.legal_hold_reason",
        "conservation pour motif légal",
    ),
}


def stage_dossier_text(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    dossier_id: str,
    kind: StagedWriteKind,
    text: str | None,
) -> str | None:
    """The note or reason, encrypted under the client's key (it may say things about the
    person), staged for the update that closes the dossier or places the hold; None when there
    is no text. Checks the viewer may do that action on the dossier."""
    action = (
        DossierAction.LEGAL_HOLD
        if kind == StagedWriteKind.LEGAL_HOLD_REASON
        else DossierAction.WRITE
    )
    audit_action, reason = AUDIT[kind]
    dossier = load_dossier(session, viewer, dossier_id, action, audit_action)
    client = session.get(Client, dossier.client_id)
    if not text or client is None or client.wrapped_key is None:
        return None
    table, column = TEXT_TARGETS[kind]
    text_enc = ClientCipher.for_client(client, settings).encrypt(table, column, dossier.id, text)
    write_id = stage_write(session, dossier.id, kind, actor_of(viewer), text_enc=text_enc)
    append_audit(session, actor_of(viewer), audit_action, "dossier", dossier.id, reason=reason)
    return write_id
