"""What an access request returns (GDPR Art. 15): every piece of personal data held on the person,
the information about its processing, who it was shared with and who in the company read it.

Built from the schema (subject_data.py) and the category mapping (domain/privacy/processing.py):
- every personal column of every row of the person, decrypted, by category and table, with a
  data dictionary saying what each column is and why a few are not given;
- every document they sent, decrypted;
- every creditor their data went to, by name, with the categories and the dates (the ledger);
- every access of the company to their data (the audit log), staff shown by role only.

Other people's data is masked in free text: an address or a phone number that is not the
person's (a creditor's staff member, a co-debtor) becomes "[… masqué]" (redaction.py).
"""

from __future__ import annotations

import json
import mimetypes
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc
from domain.privacy.processing import CategoryNotice, category_notices
from models.audit import AuditEntry
from models.client import Client
from models.creditor_directory import Creditor
from models.document import Document
from models.negotiation import SharingLedgerEntry
from models.privacy_request import PrivacyRequest
from models.staff import Role, StaffUser
from services.documents import document_aad, document_path
from services.privacy_requests.redaction import Redactor
from services.privacy_requests.subject_data import (
    WITHHELD,
    Decrypter,
    SubjectRows,
    collect_rows,
    personal_columns,
    subject_tables,
)

ROLE_LABELS = {
    Role.CASE_WORKER: "Conseiller",
    Role.SUPERVISOR: "Superviseur",
    Role.DPO: "Délégué à la protection des données",
    Role.OPS: "Exploitation",
    Role.ADMIN: "Administrateur",
}
# Whose rows the accesses are about: the audit log names objects by these ids.
AUDITED_TABLES = ("client", "dossier", "negotiation", "document", "privacy_request")
CATEGORY_LABELS = {name: notice.title for name, notice in category_notices().items()}
# Tables that hold only the person's own details (past ones included): never masked.
OWN_DETAILS = frozenset({"client", "privacy_rectification"})


@dataclass
class AccessRecord:
    at: datetime
    who: str
    action: str
    reason: str


@dataclass
class SharedWith:
    creditor: str
    categories: list[str]
    channel: str
    shared_at: datetime


@dataclass
class AttachedDocument:
    name: str
    content_type: str
    data: bytes


@dataclass
class DictionaryLine:
    table: str
    column: str
    category: str
    given: bool
    note: str


@dataclass
class AccessPackage:
    reference: str
    generated_at: datetime
    # category -> table -> rows (column -> value): only what is given.
    data: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    dictionary: list[DictionaryLine] = field(default_factory=list)
    documents: list[AttachedDocument] = field(default_factory=list)
    shared_with: list[SharedWith] = field(default_factory=list)
    accesses: list[AccessRecord] = field(default_factory=list)
    notices: dict[str, CategoryNotice] = field(default_factory=dict)

    def row_count(self) -> int:
        return sum(len(rows) for tables in self.data.values() for rows in tables.values())


def build_access_package(
    session: Session, settings: Settings, request: PrivacyRequest, now: datetime
) -> AccessPackage:
    client = session.get(Client, request.client_id) if request.client_id else None
    rows = collect_rows(session, client.id if client else None, _requests_of(session, request))
    decrypter = Decrypter(session, settings, client)
    package = AccessPackage(request.reference, now, notices=category_notices())
    redactor = Redactor.for_person(_own_values(decrypter, rows))
    tables = {table.name: table for table in subject_tables()}
    for table_name, table_rows in rows.rows.items():
        table = tables[table_name]
        for row in table_rows:
            values = decrypter.values(table, row)
            by_category: dict[str, dict[str, Any]] = defaultdict(dict)
            for value in values:
                if value.withheld is None:
                    shown = value.value
                    if table_name not in OWN_DETAILS:
                        shown = redactor.redact(shown)
                    by_category[value.category][value.column] = _plain(shown)
            for category, columns in by_category.items():
                columns = {"ligne": str(row["__pk__"]), **columns}
                package.data.setdefault(category, {}).setdefault(table_name, []).append(columns)
    package.dictionary = _dictionary(rows)
    package.documents = documents_of(session, settings, decrypter, rows)
    package.shared_with = _ledger(session, rows)
    package.accesses = _accesses(session, rows)
    return package


def _requests_of(session: Session, request: PrivacyRequest) -> list[str]:
    """This request and the person's other requests made from the same address."""
    ids = {request.id}
    if request.email_bidx:
        ids |= set(
            session.exec(
                select(PrivacyRequest.id).where(PrivacyRequest.email_bidx == request.email_bidx)
            ).all()
        )
    return sorted(ids)


def _own_values(decrypter: Decrypter, rows: SubjectRows) -> list[str]:
    """The person's own addresses and numbers: never masked."""
    own: list[str] = []
    tables = {table.name: table for table in subject_tables()}
    for table_name in ("client", "privacy_request"):
        for row in rows.rows.get(table_name, []):
            for value in decrypter.values(tables[table_name], row):
                if value.column in ("email_enc", "phone_enc") and isinstance(value.value, str):
                    own.append(value.value)
    return own


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _dictionary(rows: SubjectRows) -> list[DictionaryLine]:
    """Every personal column of every table that holds the person's rows: given, or why not."""
    lines = []
    for table in subject_tables():
        if table.name not in rows.rows:
            continue
        for column in personal_columns(table):
            category = str(column.info["category"])
            reason = WITHHELD.get((table.name, column.name))
            note = reason or CATEGORY_LABELS.get(category) or category
            lines.append(DictionaryLine(table.name, column.name, category, reason is None, note))
    return lines


def documents_of(
    session: Session, settings: Settings, decrypter: Decrypter, rows: SubjectRows
) -> list[AttachedDocument]:
    """The documents the person sent, decrypted (those of a staged write not accepted aside)."""
    attached = []
    ids = rows.ids("document")
    documents = session.exec(
        select(Document)
        .where(col(Document.id).in_(ids))
        .where(col(Document.staged_write_id).is_(None))
        .order_by(col(Document.uploaded_at), col(Document.id))
    ).all()
    cipher = decrypter.client_cipher()
    for number, document in enumerate(documents, start=1):
        path = document_path(document, settings)
        if cipher is None or not path.is_file():
            continue
        data = cipher.decrypt_blob(document_aad(document.id), path.read_bytes())
        extension = mimetypes.guess_extension(document.content_type) or ".bin"
        name = f"{number:03d}-{document.kind}{extension}"
        attached.append(AttachedDocument(name, document.content_type, data))
    return attached


def _ledger(session: Session, rows: SubjectRows) -> list[SharedWith]:
    ids = rows.ids("sharing_ledger")
    if not ids:
        return []
    entries = session.exec(
        select(SharingLedgerEntry, Creditor.name)
        .join(Creditor, col(Creditor.id) == col(SharingLedgerEntry.creditor_id))
        .where(col(SharingLedgerEntry.id).in_(ids))
        .order_by(col(SharingLedgerEntry.shared_at))
    ).all()
    return [
        SharedWith(
            creditor=name,
            categories=[CATEGORY_LABELS.get(c, c) for c in json.loads(entry.categories)],
            channel=entry.channel,
            shared_at=as_utc(entry.shared_at),
        )
        for entry, name in entries
    ]


def _accesses(session: Session, rows: SubjectRows) -> list[AccessRecord]:
    """Who in the company read or changed the person's data, staff by role only."""
    object_ids = [str(pk) for table in AUDITED_TABLES for pk in rows.ids(table)]
    if not object_ids:
        return []
    roles = {f"staff:{member.id}": member.role for member in session.exec(select(StaffUser)).all()}
    records = []
    for start in range(0, len(object_ids), 500):
        chunk = object_ids[start : start + 500]
        entries = session.exec(select(AuditEntry).where(col(AuditEntry.object_id).in_(chunk))).all()
        for entry in entries:
            records.append(
                AccessRecord(
                    at=as_utc(entry.at),
                    who=_who(entry.actor, roles),
                    action=entry.action,
                    reason=entry.reason,
                )
            )
    return sorted(records, key=lambda record: record.at)


def _who(actor: str, roles: dict[str, Role]) -> str:
    if actor.startswith("staff:"):
        role = roles.get(actor)
        return ROLE_LABELS.get(role, "Membre du personnel") if role else "Membre du personnel"
    if actor.startswith("client:"):
        return "Vous-même"
    return "Traitement automatique"
