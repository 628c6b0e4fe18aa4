"""The dossier search index: keyed hashes of the words of a client's name, phone and email, and
of the names of their dossiers' creditors (domain/search_terms.py says what a word is).

No value is stored in clear: each token is a keyed blind index (security/blind_index.py), so the
table answers "which clients have this exact word" and nothing else. A client's rows go with the
client (erasure deletes them, retention deletes the client), a creditor's with the creditor.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import SQLModel

from models.categories import Category, field


class ClientSearchToken(SQLModel, table=True):
    __tablename__ = "client_search_token"
    __table_args__ = (Index("ix_client_search_token_token_client", "token", "client_id"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    client_id: str = field(
        Category.OPERATIONAL, foreign_key="client.id", ondelete="CASCADE", index=True
    )
    # Set for a creditor's name: the dossier creditor it names (not personal data).
    dossier_creditor_id: int | None = field(
        Category.OPERATIONAL,
        default=None,
        foreign_key="dossier_creditor.id",
        ondelete="CASCADE",
        index=True,
    )
    # first_name, last_name, email, phone or creditor.
    kind: str = field(Category.OPERATIONAL, max_length=20)
    token: str = field(Category.ACCOUNT, max_length=64)
