"""What the DPO writes for the person, encrypted under the request's own key: stored before the
workflow is asked to act on it, named by id in the update (workflows carry no free text)."""

from __future__ import annotations

from sqlmodel import Session

from config.settings import Settings
from models.privacy_request import PrivacyRequest, PrivacyRequestNote
from security.datakeys import ClientCipher

TABLE = "privacy_request_note"


def write_note(
    session: Session, request: PrivacyRequest, text: str, author: str, settings: Settings
) -> int:
    note = PrivacyRequestNote(request_id=request.id, written_by=author)
    session.add(note)
    session.flush()
    assert note.id is not None
    cipher = ClientCipher.for_client(request, settings)
    note.text_enc = cipher.encrypt(TABLE, "text", note.id, text)
    session.add(note)
    session.flush()
    return note.id


def read_notes(
    session: Session, request: PrivacyRequest, note_ids: set[int], settings: Settings
) -> dict[int, str]:
    """The notes of `request` among `note_ids`, decrypted (a note of another request is not
    returned)."""
    if not note_ids or request.wrapped_key is None:
        return {}
    cipher = ClientCipher.for_client(request, settings)
    found = {}
    for note_id in sorted(note_ids):
        note = session.get(PrivacyRequestNote, note_id)
        if note is not None and note.request_id == request.id:
            found[note_id] = cipher.decrypt(TABLE, "text", note_id, note.text_enc) or ""
    return found
