"""Staged writes (domain/staged_writes.py): staging the rows of a staff action, applying them
once the workflow accepted it, sweeping those it never accepted.

Readers of the staged tables keep to `services.effective.effective(Model)` rows; the workflow's
activity names the rows by their write, so it reads them whatever their state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.errors import InvalidInput
from domain.staged_writes import STAGED_WRITE_TTL, StagedWriteKind
from models.document import Document
from models.dossier import Dossier, DossierCreditor
from models.negotiation import CreditorConsent, CreditorReply, Negotiation, NegotiationOffer
from models.staged_write import StagedWrite
from services.audit import append_audit
from services.documents import delete_document_file
from services.dossiers.intake import new_id
from services.negotiations.consents import supersede_replaced

# Children before parents: a reply names its counter-offer, a negotiation its dossier creditor.
STAGED_MODELS: tuple[type[Any], ...] = (
    CreditorReply,
    NegotiationOffer,
    CreditorConsent,
    Document,
    Negotiation,
    DossierCreditor,
)
UNKNOWN_WRITE = "Cette action n'a pas été trouvée : rechargez la page et recommencez."


class StagedWriteUnknown(InvalidInput):
    """No such staged write for this dossier or negotiation (never a write of someone else's)."""

    def __init__(self) -> None:
        super().__init__({"staged_write": UNKNOWN_WRITE})


def stage_write(
    session: Session,
    dossier_id: str,
    kind: StagedWriteKind,
    actor: str,
    *,
    negotiation_id: str | None = None,
    text_enc: str | None = None,
) -> str:
    """A new staged write; the caller tags the rows it adds with the returned id."""
    write = StagedWrite(
        id=new_id(),
        dossier_id=dossier_id,
        negotiation_id=negotiation_id,
        kind=kind.value,
        text_enc=text_enc,
        created_by=actor,
    )
    session.add(write)
    session.flush()
    return write.id


def apply_staged_write(
    session: Session, write_id: str, *, dossier_id: str, negotiation_id: str | None
) -> None:
    """Make the write's rows effective and replace what they replace. Idempotent; refuses a
    write of another dossier or negotiation."""
    write = session.get(StagedWrite, write_id)
    if write is None or write.dossier_id != dossier_id or write.negotiation_id != negotiation_id:
        raise StagedWriteUnknown()
    if write.applied_at is not None:
        return
    consents = session.exec(
        select(CreditorConsent).where(CreditorConsent.staged_write_id == write_id)
    ).all()
    for model in reversed(STAGED_MODELS):
        session.exec(  # type: ignore[call-overload]
            update(model).where(col(model.staged_write_id) == write_id).values(staged_write_id=None)
        )
    for consent in consents:
        session.refresh(consent)
        supersede_replaced(session, consent)
    _copy_text(session, write)
    write.applied_at, write.text_enc = utcnow(), None
    session.add(write)
    append_audit(
        session,
        "system",
        "staged_write.applied",
        "staged_write",
        write_id,
        detail={"kind": write.kind, "dossier": dossier_id},
    )


def _copy_text(session: Session, write: StagedWrite) -> None:
    kind = StagedWriteKind(write.kind)
    if kind == StagedWriteKind.END_REASON:
        negotiation = session.get(Negotiation, write.negotiation_id)
        assert negotiation is not None
        negotiation.end_reason_enc = write.text_enc
        session.add(negotiation)
    elif kind in (StagedWriteKind.CLOSURE_NOTE, StagedWriteKind.LEGAL_HOLD_REASON):
        dossier = session.get(Dossier, write.dossier_id)
        assert dossier is not None
        if kind == StagedWriteKind.CLOSURE_NOTE:
            dossier.closure_note_enc = write.text_enc
        else:
            dossier.legal_hold_reason_enc = write.text_enc
        dossier.updated_at = utcnow()
        session.add(dossier)


def sweep_staged_writes(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete the writes no workflow accepted within STAGED_WRITE_TTL, with their rows and
    files; returns how many."""
    cutoff = as_utc(now or utcnow()) - STAGED_WRITE_TTL
    stale = session.exec(
        select(StagedWrite).where(
            col(StagedWrite.applied_at).is_(None), col(StagedWrite.created_at) < cutoff
        )
    ).all()
    for write in stale:
        for document in session.exec(
            select(Document).where(Document.staged_write_id == write.id)
        ).all():
            delete_document_file(document, settings)
        for model in STAGED_MODELS:
            for row in session.exec(select(model).where(model.staged_write_id == write.id)):
                session.delete(row)
            session.flush()
        session.delete(write)
        append_audit(
            session,
            "system",
            "staged_write.swept",
            "staged_write",
            write.id,
            detail={"kind": write.kind, "dossier": write.dossier_id},
        )
    return len(stale)
