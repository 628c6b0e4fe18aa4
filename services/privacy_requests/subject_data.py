"""Every row held on one person, found from the schema rather than listed by hand: a table's rows
are the person's when a foreign key leads from them to a row already found (the client, their
dossiers, their negotiations, their requests...). A new table with a foreign key to any of
these is part of the person's data the day it is added, and so are its personal columns.

Each personal column (tagged with a category other than operational) is given in clear text:
encrypted ones are decrypted under the key that sealed them (the client's, or the request's own
for a request's address and notes), as they were written: (table, column, primary key). Some
personal columns are listed in the data dictionary without their value, with the reason
(`WITHHELD`): key material and keyed hashes are not the person's data in readable form, and a
staged copy of a text is given where it lands.

Staff tables hold staff members' data, not the person's: never followed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, or_, select
from sqlmodel import Session, SQLModel

from config.settings import Settings
from models.categories import Category
from models.privacy_request import PrivacyRequest
from security.datakeys import ClientCipher, ClientErasedError, KeyHolder

ENCRYPTED_SUFFIX = "_enc"
# Tables about staff (accounts, sessions, notifications), the audit log (given apart, as the
# list of accesses, staff by role), and the company's breach files (what the DPO wrote of an
# incident is not the person's data; that they were affected is, in breach_affected).
NOT_THE_PERSONS = frozenset(
    {
        "staff_user",
        "staff_session",
        "staff_account_link",
        "audit_entry",
        "audit_head",
        "breach",
        "breach_scope",
        "breach_notification",
        "breach_event",
        # A case worker's inbox: ids and codes about their work, not the person's data.
        "staff_notification",
    }
)
KEY_MATERIAL = "Clé technique de chiffrement : elle ne contient aucune donnée lisible."
KEYED_HASH = "Empreinte technique servant à la recherche : elle ne contient aucune donnée lisible."
STAGED_COPY = (
    "Copie transitoire d'une saisie en attente de validation : communiquée là où elle est "
    "enregistrée une fois validée."
)
WITHHELD: dict[tuple[str, str], str] = {
    ("client", "wrapped_key"): KEY_MATERIAL,
    ("privacy_request", "wrapped_key"): KEY_MATERIAL,
    ("client", "email_bidx"): KEYED_HASH,
    ("client", "last_name_bidx"): KEYED_HASH,
    ("client_search_token", "token"): KEYED_HASH,
    ("privacy_request", "email_bidx"): KEYED_HASH,
    ("staged_write", "text_enc"): STAGED_COPY,
}
UNREADABLE = "[illisible : la clé de cette donnée a été détruite]"


@dataclass
class SubjectRows:
    """The person's rows, table by table, in the schema's dependency order."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def ids(self, table: str) -> list[Any]:
        return [row["__pk__"] for row in self.rows.get(table, [])]


def personal_columns(table: Table) -> list[Column[Any]]:
    return [
        column
        for column in table.columns
        if column.info.get("category") not in (None, Category.OPERATIONAL.value)
    ]


def subject_tables() -> list[Table]:
    """The tables that can hold the person's rows, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_THE_PERSONS]


def collect_rows(
    session: Session, client_id: str | None, request_ids: Iterable[str] = ()
) -> SubjectRows:
    """Every row of the person: their client row (if any) and their requests, then whatever
    refers to a row already found, table by table."""
    found = SubjectRows()
    seeds: dict[str, set[Any]] = {"client": {client_id} if client_id else set()}
    seeds["privacy_request"] = set(request_ids)
    for table in subject_tables():
        keys = set(seeds.get(table.name, set()))
        wanted = [
            (fk.parent, found.ids(fk.column.table.name))
            for fk in table.foreign_keys
            if fk.column.table.name in found.rows and fk.column.table.name not in NOT_THE_PERSONS
        ]
        conditions = [column.in_(ids) for column, ids in wanted if ids]
        if not conditions and not keys:
            continue  # nothing of the person's can be in this table
        pk = _primary_key(table)
        if keys:
            conditions.append(pk.in_(list(keys)))
        statement = select(table).where(_any(conditions)).order_by(pk)
        rows = [dict(row._mapping) for row in session.execute(statement)]
        for row in rows:
            row["__pk__"] = row[pk.name]
        if rows:
            found.rows[table.name] = rows
    return found


def _primary_key(table: Table) -> Column[Any]:
    (pk,) = table.primary_key.columns
    return pk


def _any(conditions: list[Any]) -> Any:
    return or_(*conditions) if len(conditions) > 1 else conditions[0]


@dataclass
class ColumnValue:
    table: str
    column: str
    category: str
    value: Any
    # Set when the value is not given, with why (WITHHELD).
    withheld: str | None = None


class Decrypter:
    """Decrypts each personal column under the key that sealed it."""

    def __init__(self, session: Session, settings: Settings, client_key: KeyHolder | None):
        self.session = session
        self.settings = settings
        self._ciphers: dict[str, ClientCipher | None] = {}
        self._client_key = client_key

    def _cipher(self, holder: KeyHolder | None) -> ClientCipher | None:
        if holder is None:
            return None
        if holder.id not in self._ciphers:
            try:
                self._ciphers[holder.id] = ClientCipher.for_client(holder, self.settings)
            except ClientErasedError:
                self._ciphers[holder.id] = None
        return self._ciphers[holder.id]

    def client_cipher(self) -> ClientCipher | None:
        """The client's cipher; None when there is no client or their key was destroyed."""
        return self._cipher(self._client_key)

    def holder_of(self, table: str, row: dict[str, Any]) -> KeyHolder | None:
        if table == "privacy_request":
            return self.session.get(PrivacyRequest, row["id"])
        if table == "privacy_request_note":
            return self.session.get(PrivacyRequest, row["request_id"])
        return self._client_key

    def values(self, table: Table, row: dict[str, Any]) -> list[ColumnValue]:
        """The row's personal columns, each in clear text or withheld with its reason."""
        holder = self.holder_of(table.name, row)
        given = []
        for column in personal_columns(table):
            category = column.info["category"]
            name = column.name
            reason = WITHHELD.get((table.name, name))
            if reason is not None:
                given.append(ColumnValue(table.name, name, category, None, reason))
                continue
            value = row[name]
            if name.endswith(ENCRYPTED_SUFFIX) and value is not None:
                cipher = self._cipher(holder)
                plain = name.removesuffix(ENCRYPTED_SUFFIX)
                value = (
                    cipher.decrypt(table.name, plain, row["__pk__"], value)
                    if cipher is not None
                    else UNREADABLE
                )
            given.append(ColumnValue(table.name, name, category, value))
        return given
