"""Notes and call logs on a dossier: written by a case worker or supervisor who may change the
dossier, encrypted under the client's key, audited on write and on read.

An erased client's notes can no longer be read (their key is destroyed): they are shown as
erased, with their kind, author and date, which hold nothing of the person.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.dossier_notes import (
    CHOOSE_PARTY,
    CLIENT_PARTY,
    CREDITOR_PARTY_PREFIX,
    CallInput,
    EntryKind,
    NoteInput,
)
from domain.dossier_stages import OPEN_STAGES
from domain.errors import InvalidInput
from domain.input_fields import whole_number
from models.client import Client
from models.dossier import Dossier, DossierCreditor
from models.dossier_note import DossierNote
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.dossiers.intake import new_id
from services.dossiers.views import TimelineEntry
from services.effective import effective

TABLE = "dossier_note"
DOSSIER_CLOSED = "Ce dossier est clôturé : on ne peut plus y ajouter de note ni d'appel."
CLIENT_ERASED = "Les données de ce client ont été effacées : on ne peut plus rien y ajouter."
ERASED_TEXT = "(contenu effacé avec les données du client)"


class NoteRefused(InvalidInput):
    """The dossier takes no note now (closed, client erased): said on top of the form."""


def writable_dossier(session: Session, staff: StaffUser, dossier_id: str) -> Dossier:
    """The dossier, if `staff` may write on it (AccessDenied, audited, otherwise)."""
    return load_dossier(session, staff, dossier_id, DossierAction.WRITE, "dossier_note.write")


def _cipher_for_writing(session: Session, dossier: Dossier, settings: Settings) -> ClientCipher:
    if dossier.stage not in OPEN_STAGES:
        raise NoteRefused({"": DOSSIER_CLOSED})
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        raise NoteRefused({"": CLIENT_ERASED})
    return ClientCipher.for_client(client, settings)


def add_note(
    session: Session, settings: Settings, staff: StaffUser, dossier_id: str, note: NoteInput
) -> str:
    """The new note's id; NoteRefused when the dossier takes none."""
    dossier = writable_dossier(session, staff, dossier_id)
    cipher = _cipher_for_writing(session, dossier, settings)
    row = _row(dossier, staff, EntryKind.NOTE)
    row.text_enc = cipher.encrypt(TABLE, "text", row.id, note.text)
    return _written(session, staff, row)


def add_call(
    session: Session, settings: Settings, staff: StaffUser, dossier_id: str, call: CallInput
) -> str:
    """The new call log's id; InvalidInput (party) for a creditor not of this dossier."""
    dossier = writable_dossier(session, staff, dossier_id)
    cipher = _cipher_for_writing(session, dossier, settings)
    creditor_id: int | None = None
    if call.party != CLIENT_PARTY:
        creditor_id = whole_number(call.party.removeprefix(CREDITOR_PARTY_PREFIX))
        if creditor_id is None or creditor_id not in creditor_ids(session, dossier.id):
            raise InvalidInput({"party": CHOOSE_PARTY})
    row = _row(dossier, staff, EntryKind.CALL)
    row.call_direction = call.direction.value
    row.call_party = CLIENT_PARTY if creditor_id is None else "creditor"
    row.call_creditor_id = creditor_id
    row.called_at = call.called_at
    row.duration_minutes = call.duration_minutes
    row.text_enc = cipher.encrypt(TABLE, "text", row.id, call.summary)
    return _written(session, staff, row)


def creditor_ids(session: Session, dossier_id: str) -> set[int]:
    rows = session.exec(
        select(DossierCreditor.id).where(
            DossierCreditor.dossier_id == dossier_id, effective(DossierCreditor)
        )
    ).all()
    return {row for row in rows if row is not None}


def _row(dossier: Dossier, staff: StaffUser, kind: EntryKind) -> DossierNote:
    return DossierNote(
        id=new_id(),
        dossier_id=dossier.id,
        client_id=dossier.client_id,
        kind=kind.value,
        author_id=staff.id or 0,
    )


def _written(session: Session, staff: StaffUser, row: DossierNote) -> str:
    session.add(row)
    append_audit(
        session,
        actor_of(staff),
        "dossier_note.write",
        "dossier_note",
        row.id,
        reason="note ou appel ajouté au dossier",
        detail={"dossier_id": row.dossier_id, "kind": row.kind},
    )
    session.flush()
    return row.id


def note_entries(
    session: Session,
    viewer: StaffUser,
    dossier: Dossier,
    cipher: ClientCipher | None,
    creditor_names: dict[int, str],
    staff_names: dict[str, str],
) -> list[TimelineEntry]:
    """The dossier's notes and calls as timeline entries, decrypted (access already checked);
    the read is audited when there is any. `cipher` is None once the client is erased."""
    rows: Sequence[DossierNote] = session.exec(
        select(DossierNote)
        .where(DossierNote.dossier_id == dossier.id)
        .order_by(col(DossierNote.created_at), col(DossierNote.id))
    ).all()
    if not rows:
        return []
    append_audit(
        session,
        actor_of(viewer),
        "dossier_note.read",
        "dossier",
        dossier.id,
        reason="consultation des notes et appels du dossier",
        detail={"note_ids": [row.id for row in rows]},
    )
    entries = []
    for row in rows:
        text = (
            ERASED_TEXT if cipher is None else cipher.decrypt(TABLE, "text", row.id, row.text_enc)
        )
        actor = f"staff:{row.author_id}"
        entries.append(
            TimelineEntry(
                at=row.created_at,
                kind=f"{row.kind}_added",
                summary=text or "",
                actor=actor,
                actor_name=staff_names.get(actor),
                note_kind=row.kind,
                text_erased=cipher is None,
                call_direction=row.call_direction,
                call_with=(
                    "Client"
                    if row.call_party == CLIENT_PARTY
                    else creditor_names.get(row.call_creditor_id or 0, "Créancier")
                ),
                called_at=row.called_at,
                duration_minutes=row.duration_minutes,
            )
        )
    return entries


def note_authors(session: Session, dossier_id: str) -> list[str]:
    """The actors of the dossier's notes ("staff:<id>"), for naming them with the timeline's."""
    ids = session.exec(
        select(DossierNote.author_id).where(DossierNote.dossier_id == dossier_id).distinct()
    ).all()
    return [f"staff:{author}" for author in ids]
