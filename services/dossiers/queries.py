"""Reading dossiers: the searchable list and the dossier page, access-checked and audited.

The list runs one query for the page (dossier joined with client and assignee) and one count;
only the rows of the page are decrypted. Search looks up the search index
(services/dossiers/search_index.py): nothing is decrypted to find a dossier.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from config.settings import Settings
from domain.dossier_stages import Stage
from domain.errors import AccessDenied, InvalidInput, NotFound
from models.client import Client
from models.document import Document
from models.dossier import Dossier, DossierCreditor, ExpectedDocument, TimelineEvent
from models.staff import StaffUser
from security.datakeys import ClientCipher, unwrap_data_key
from security.keyring import get_keyring
from services.audit import append_audit, audit_client_data_read
from services.dossiers.access import (
    DossierAction,
    actor_of,
    can_access,
    load_dossier,
    require_personal_data_role,
    visible_dossiers,
)
from services.dossiers.notes import note_authors, note_entries
from services.dossiers.search_index import search_condition
from services.dossiers.views import (
    ClientView,
    CreditorView,
    DocumentView,
    DossierDetail,
    DossierListItem,
    DossierPage,
    ExpectedDocumentView,
    TimelineEntry,
)
from services.effective import effective
from services.view_fields import view_of

__all__ = [
    "AccessDenied",
    "DossierDetail",
    "DossierPage",
    "NotFound",
    "can_access",
    "get_dossier_detail",
    "get_timeline",
    "list_dossiers",
]

MAX_PER_PAGE = 100
# What a list row needs, and no more: the other encrypted fields stay unread.
_LIST_COLUMNS = (
    col(Dossier.id),
    col(Dossier.reference),
    col(Dossier.stage),
    col(Dossier.assignee_id),
    col(Dossier.created_at),
    col(Dossier.next_deadline),
    col(Dossier.next_deadline_label),
    col(Client.id),
    col(Client.wrapped_key),
    col(Client.first_name_enc),
    col(Client.last_name_enc),
    col(StaffUser.display_name),
)
ERASED_NAME = "(données effacées)"


def list_dossiers(
    session: Session,
    viewer: StaffUser,
    *,
    q: str = "",
    stage: str | None = None,
    assignee_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    settings: Settings,
) -> DossierPage:
    """Newest first. One audit entry records the dossiers shown."""
    require_personal_data_role(session, viewer, "dossier.list")
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    conditions: list[ColumnElement[bool]] = []
    scope = visible_dossiers(viewer)
    if scope is not None:
        conditions.append(scope)
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput({"stage": "Étape inconnue."})
        conditions.append(col(Dossier.stage) == Stage(stage))
    if assignee_id is not None:
        conditions.append(col(Dossier.assignee_id) == assignee_id)
    query = " ".join(q.split())
    if query:
        dialect = session.get_bind().dialect.name
        conditions.append(search_condition(query, dialect, settings))

    total = session.exec(select(func.count()).select_from(Dossier).where(*conditions)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        sql_select(*_LIST_COLUMNS)
        .join(Client, col(Client.id) == Dossier.client_id)
        .join(StaffUser, col(StaffUser.id) == Dossier.assignee_id)
        .where(*conditions)
        .order_by(col(Dossier.created_at).desc(), col(Dossier.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    items = [_list_item(row, settings) for row in rows]
    append_audit(
        session,
        actor_of(viewer),
        "dossier.list",
        "dossier",
        "list",
        reason="liste des dossiers",
        detail={
            "dossier_ids": [item.id for item in items],
            "page": page,
            "search": bool(query),
            "stage": stage or None,
            "assignee_id": assignee_id,
        },
    )
    return DossierPage(items=items, total=total, page=page, per_page=per_page, pages=pages)


def _list_item(row: Any, settings: Settings) -> DossierListItem:
    (
        dossier_id,
        reference,
        stage,
        assignee_id,
        created_at,
        next_deadline,
        next_deadline_label,
        client_id,
        wrapped_key,
        first_name_enc,
        last_name_enc,
        assignee_name,
    ) = row
    if wrapped_key is None:
        name = ERASED_NAME
    else:
        cipher = ClientCipher(
            client_id, unwrap_data_key(get_keyring(settings), wrapped_key, client_id)
        )
        first = cipher.decrypt("client", "first_name", client_id, first_name_enc) or ""
        last = cipher.decrypt("client", "last_name", client_id, last_name_enc) or ""
        name = f"{first} {last}".strip()
    return DossierListItem(
        id=dossier_id,
        reference=reference,
        client_name=name,
        stage=stage,
        assignee_id=assignee_id,
        assignee_name=assignee_name,
        created_at=created_at,
        next_deadline=next_deadline,
        next_deadline_label=next_deadline_label,
    )


def get_dossier_detail(
    session: Session,
    viewer: StaffUser,
    dossier_id: str,
    reason: str,
    settings: Settings,
) -> DossierDetail:
    """Everything the dossier page shows, decrypted; the read is audited with `reason`."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.READ, reason)
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    cipher = None if client.wrapped_key is None else ClientCipher.for_client(client, settings)

    def decrypt(table: str, column: str, row_id: object, token: str | None) -> str | None:
        return None if cipher is None else cipher.decrypt(table, column, str(row_id), token)

    creditors = session.exec(
        select(DossierCreditor)
        .where(DossierCreditor.dossier_id == dossier.id, effective(DossierCreditor))
        .order_by(col(DossierCreditor.id))
    ).all()
    expected = session.exec(
        select(ExpectedDocument)
        .where(ExpectedDocument.dossier_id == dossier.id)
        .order_by(col(ExpectedDocument.id))
    ).all()
    documents = session.exec(
        select(Document)
        .where(Document.dossier_id == dossier.id, effective(Document))
        .order_by(col(Document.uploaded_at), col(Document.id))
    ).all()
    timeline = _with_notes(session, viewer, dossier, cipher, _timeline(session, dossier.id))

    audit_client_data_read(
        session, actor_of(viewer), client.id, reason[:200], dossier_id=dossier.id
    )
    assignee = session.get(StaffUser, dossier.assignee_id)

    def decrypted(table: str, row: Any, *columns: str) -> dict[str, str | None]:
        return {c: decrypt(table, c, row.id, getattr(row, f"{c}_enc")) for c in columns}

    client_view = view_of(
        ClientView,
        client,
        erased=cipher is None,
        **decrypted("client", client, "first_name", "last_name", "email", "phone", "address"),
    )
    return view_of(
        DossierDetail,
        dossier,
        **decrypted("dossier", dossier, "closure_note", "legal_hold_reason"),
        assignee_name=assignee.display_name if assignee else "",
        client=client_view,
        creditors=[
            view_of(CreditorView, c, **decrypted("dossier_creditor", c, "account_reference"))
            for c in creditors
        ],
        expected_documents=[view_of(ExpectedDocumentView, e) for e in expected],
        documents=[
            view_of(DocumentView, d, **decrypted("document", d, "filename")) for d in documents
        ],
        timeline=timeline,
        can_write=can_access(viewer, dossier, DossierAction.WRITE),
        can_manage_legal_hold=can_access(viewer, dossier, DossierAction.LEGAL_HOLD),
    )


def get_timeline(
    session: Session, viewer: StaffUser, dossier_id: str, settings: Settings
) -> list[TimelineEntry]:
    """The timeline: access-checked; its notes and calls (personal data) audited as read."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.READ, "timeline")
    return _with_notes(session, viewer, dossier, None, _timeline(session, dossier.id), settings)


def _timeline(session: Session, dossier_id: str) -> list[TimelineEntry]:
    events = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.dossier_id == dossier_id)
        .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
    ).all()
    names = _staff_names(session, (e.actor for e in events))
    return [view_of(TimelineEntry, e, actor_name=names.get(e.actor)) for e in events]


def _with_notes(
    session: Session,
    viewer: StaffUser,
    dossier: Dossier,
    cipher: ClientCipher | None,
    events: list[TimelineEntry],
    settings: Settings | None = None,
) -> list[TimelineEntry]:
    """The events and the notes and calls, in the order they were recorded. Without a cipher
    but with settings, the client's key is opened here (None once erased)."""
    if cipher is None and settings is not None:
        client = session.get(Client, dossier.client_id)
        if client is not None and client.wrapped_key is not None:
            cipher = ClientCipher.for_client(client, settings)
    creditors = {
        c.id: c.name
        for c in session.exec(
            select(DossierCreditor).where(DossierCreditor.dossier_id == dossier.id)
        ).all()
        if c.id is not None
    }
    names = _staff_names(session, note_authors(session, dossier.id))
    notes = note_entries(session, viewer, dossier, cipher, creditors, names)
    return sorted([*events, *notes], key=lambda entry: entry.at) if notes else events


def _staff_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    ids = {int(a.split(":", 1)[1]) for a in actors if a.startswith("staff:") and a[6:].isdigit()}
    if not ids:
        return {}
    rows = session.exec(
        select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(ids))
    ).all()
    return {f"staff:{staff_id}": name for staff_id, name in rows}
