"""Who and what a breach touches, computed from the data rather than guessed.

A row belongs to a person when the schema's foreign keys lead from it to a client (or to a
data-subject request of someone who is not a client): the paths are found from the metadata,
so a new table is covered the day it is added. From there:

- a compromised staff account over a window: every object the audit log says it read or
  changed (their owners, one record per object);
- exposed tables, or the document store: every row of those tables (their owners);
- a backup: every table that holds personal data.

The data categories are those of the personal columns of the tables concerned (models/
categories.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel, col

import models  # noqa: F401  (registers every table on the metadata)
from domain.breach.scope_sources import ScopeSource
from models.audit import AuditEntry
from models.categories import Category

CLIENT = "client"
REQUEST = "privacy_request"
# Tables that are not a person's data, or that lead nowhere useful.
NOT_FOLLOWED = frozenset(
    {
        "staff_user",
        "staff_session",
        "staff_account_link",
        "audit_entry",
        "audit_head",
        "creditor",
        "breach",
    }
)
NOT_PERSONAL = frozenset({Category.OPERATIONAL.value, Category.AUDIT.value})
DOCUMENT_STORE = ("document", "privacy_identity_document")
CHUNK = 500
PERSON_KINDS = {CLIENT: "clients", "request": "demandeurs"}
# How the register, the pages and the CNIL document name those kinds of persons.
PERSON_LABELS = {"clients": "Clients", "demandeurs": "Personnes ayant exercé leurs droits"}


@dataclass
class ScopeResult:
    # person_key ("client:<id>" or "request:<id>") -> number of their records concerned.
    records_by_person: dict[str, int] = field(default_factory=dict)
    records: int = 0
    data_categories: set[str] = field(default_factory=set)
    # person_key -> the categories of their data concerned (what they are told).
    categories_by_person: dict[str, set[str]] = field(default_factory=dict)

    def count(self, table_name: str, owned: dict[Any, str]) -> None:
        """The rows `owned` of `table_name` (row id -> person) are concerned."""
        if not owned:
            return
        categories = personal_categories(table_name)
        self.records += len(owned)
        self.data_categories |= categories
        for person in owned.values():
            self.records_by_person[person] = self.records_by_person.get(person, 0) + 1
            self.categories_by_person.setdefault(person, set()).update(categories)

    @property
    def people(self) -> int:
        return len(self.records_by_person)

    @property
    def person_categories(self) -> list[str]:
        kinds = {key.split(":", 1)[0] for key in self.records_by_person}
        return [PERSON_KINDS[k] for k in sorted(kinds)]


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


@cache
def path_to_person(table_name: str) -> tuple[tuple[str, str, str], ...] | None:
    """The foreign keys from `table_name` to a client or a request: ((table, column, parent
    table), ...); () for those tables themselves; None when no path exists."""
    if table_name in (CLIENT, REQUEST):
        return ()
    queue: list[tuple[str, tuple[tuple[str, str, str], ...]]] = [(table_name, ())]
    seen = {table_name}
    while queue:
        name, path = queue.pop(0)
        table = _table(name)
        # A direct key to the client first: the shortest, and the one that says whose it is.
        columns = sorted(table.columns, key=lambda c: c.name != "client_id")
        for column in columns:
            for key in column.foreign_keys:
                parent = key.column.table.name
                if parent in seen or parent in NOT_FOLLOWED:
                    continue
                step = (*path, (name, column.name, parent))
                if parent in (CLIENT, REQUEST):
                    return step
                seen.add(parent)
                queue.append((parent, step))
    return None


def personal_categories(table_name: str) -> set[str]:
    return {
        str(c.info.get("category"))
        for c in _table(table_name).columns
        if c.info.get("category") not in NOT_PERSONAL
    }


def exposable_tables() -> list[str]:
    """The tables a breach may expose: those with personal columns that belong to a person."""
    return sorted(
        name
        for name in SQLModel.metadata.tables
        if name not in NOT_FOLLOWED
        and personal_categories(name)
        and path_to_person(name) is not None
    )


def _pk(table: Table) -> Any:
    return next(iter(table.primary_key.columns))


def owners(session: Session, table_name: str, ids: Iterable[Any] | None) -> dict[Any, str]:
    """Row id -> person key, for the rows `ids` of the table (every row when None)."""
    path = path_to_person(table_name)
    if path is None:
        return {}
    table = _table(table_name)
    if not path:
        return _person_keys(session, table_name, ids)
    first_table, first_column, _ = path[0]
    statement = select(_pk(table), table.c[first_column]).where(table.c[first_column].is_not(None))
    links: dict[Any, Any] = {}
    for chunk in _chunks(ids):
        query = statement if chunk is None else statement.where(_pk(table).in_(chunk))
        links.update({row[0]: row[1] for row in session.execute(query)})
    parent = path[0][2]
    parents = owners(session, parent, set(links.values()))
    return {row_id: parents[p] for row_id, p in links.items() if p in parents}


def _person_keys(session: Session, table_name: str, ids: Iterable[Any] | None) -> dict[Any, str]:
    if table_name == CLIENT:
        table = _table(CLIENT)
        result: dict[Any, str] = {}
        for chunk in _chunks(ids):
            query = select(table.c.id)
            if chunk is not None:
                query = query.where(table.c.id.in_(chunk))
            result.update({row[0]: f"client:{row[0]}" for row in session.execute(query)})
        return result
    table = _table(REQUEST)
    found: dict[Any, str] = {}
    for chunk in _chunks(ids):
        query = select(table.c.id, table.c.client_id).where(table.c.status != "unconfirmed")
        if chunk is not None:
            query = query.where(table.c.id.in_(chunk))
        for request_id, client_id in session.execute(query):
            found[request_id] = f"client:{client_id}" if client_id else f"request:{request_id}"
    return found


def _chunks(ids: Iterable[Any] | None) -> Iterable[list[Any] | None]:
    if ids is None:
        yield None
        return
    values = list(ids)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def from_tables(session: Session, tables: Iterable[str]) -> ScopeResult:
    """Every row of the tables, counted against its owner."""
    result = ScopeResult()
    for name in tables:
        result.count(name, owners(session, name, None))
    return result


def from_account(session: Session, staff_id: int, start: datetime, end: datetime) -> ScopeResult:
    """What the account read or changed in the window, according to the audit log."""
    touched: dict[str, set[str]] = defaultdict(set)
    statement = (
        select(col(AuditEntry.object_type), col(AuditEntry.object_id))
        .where(col(AuditEntry.actor) == f"staff:{staff_id}")
        .where(col(AuditEntry.at) >= start)
        .where(col(AuditEntry.at) <= end)
    )
    for object_type, object_id in session.execute(statement):
        if object_type in SQLModel.metadata.tables and object_type not in NOT_FOLLOWED:
            touched[object_type].add(object_id)
    result = ScopeResult()
    for name, ids in touched.items():
        keyed = {_typed_id(name, object_id): object_id for object_id in ids}
        result.count(name, owners(session, name, keyed))
    return result


def _typed_id(table_name: str, object_id: str) -> Any:
    """The audit log stores ids as text: integer keys are compared as integers."""
    pk = _pk(_table(table_name))
    if pk.type.python_type is int and object_id.isdigit():
        return int(object_id)
    return object_id


def compute(
    session: Session,
    source: ScopeSource,
    *,
    staff_id: int | None = None,
    window: tuple[datetime, datetime] | None = None,
    tables: Iterable[str] = (),
) -> ScopeResult:
    if source == ScopeSource.ACCOUNT:
        assert staff_id is not None and window is not None
        return from_account(session, staff_id, *window)
    if source == ScopeSource.DOCUMENTS:
        return from_tables(session, DOCUMENT_STORE)
    if source == ScopeSource.BACKUP:
        return from_tables(session, exposable_tables())
    return from_tables(session, tables)
