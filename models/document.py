"""Supporting documents: encrypted files on disk, metadata here."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from domain.dossier_stages import DocumentKind
from models.categories import Category, field


class Document(SQLModel, table=True):
    __tablename__ = "document"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    dossier_id: str = field(Category.OPERATIONAL, foreign_key="dossier.id", index=True)
    client_id: str = field(Category.OPERATIONAL, foreign_key="client.id", index=True)
    kind: DocumentKind = field(Category.DOCUMENTS, max_length=30)
    filename_enc: str | None = field(Category.DOCUMENTS, default=None)
    # Random name of the encrypted file in the document store; says nothing about its content.
    stored_name: str = field(Category.OPERATIONAL, unique=True, max_length=64)
    content_type: str = field(Category.DOCUMENTS, max_length=40)
    size_bytes: int = field(Category.DOCUMENTS)
    uploaded_at: datetime = field(Category.DOCUMENTS, default_factory=utcnow)
    uploaded_by: int | None = field(Category.OPERATIONAL, default=None, foreign_key="staff_user.id")
    # Set while the row belongs to a staged write the workflow has not accepted yet: inert.
    staged_write_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="staged_write.id", index=True
    )
