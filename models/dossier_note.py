"""Notes and call logs a case worker writes on a dossier, and the in-app notifications staff
receive about their dossiers.

A note's or a call's text is the client's personal data: encrypted under their own data key,
so erasing the client (destroying the key) leaves it unreadable everywhere. A notification
holds ids and codes only: its page writes the words from the kind and the dossier reference.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class DossierNote(SQLModel, table=True):
    __tablename__ = "dossier_note"
    __table_args__ = (Index("ix_dossier_note_dossier_created", "dossier_id", "created_at"),)

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id")
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    # "note" or "call" (domain.dossier_notes.EntryKind).
    kind: str = field(Category.CORRESPONDENCE, max_length=10)
    # The note, or the call's summary.
    text_enc: str | None = field(Category.CORRESPONDENCE, default=None)
    # A call's direction (inbound, outbound), who it was with ("client" or a creditor of the
    # dossier, named by its row), when it took place and how long it lasted.
    call_direction: str | None = field(Category.CORRESPONDENCE, default=None, max_length=10)
    call_party: str | None = field(Category.CORRESPONDENCE, default=None, max_length=10)
    call_creditor_id: int | None = field(
        Category.OPERATIONAL, default=None, foreign_key="dossier_creditor.id"
    )
    called_at: datetime | None = field(Category.CORRESPONDENCE, default=None)
    duration_minutes: int | None = field(Category.CORRESPONDENCE, default=None)
    author_id: int = field(Category.OPERATIONAL, foreign_key="staff_user.id")
    created_at: datetime = field(Category.CORRESPONDENCE, default_factory=utcnow)


class StaffNotification(SQLModel, table=True):
    """Something a staff member should know about one of their dossiers; read or not."""

    __tablename__ = "staff_notification"
    # The header's badge counts a person's unread ones on every page: one index answers it.
    __table_args__ = (Index("ix_staff_notification_unread", "staff_id", "read_at"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    staff_id: int = field(Category.OPERATIONAL, foreign_key="staff_user.id")
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    # domain.staff_notifications.NotificationKind
    kind: str = field(Category.OPERATIONAL, max_length=40)
    # The event it is about: the same event told twice makes one notification.
    source_key: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    read_at: datetime | None = field(Category.OPERATIONAL, default=None)
