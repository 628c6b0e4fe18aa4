"""What the dossier pages and the API show: plain models, personal fields already decrypted."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel

from domain.clock import as_utc
from domain.contact_fields import ContactChannel
from domain.dossier_stages import CreditorKind, DocumentKind, Outcome, Stage


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


# SQLite gives naive datetimes back; everything stored is UTC, and the API says so.
UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
OptionalUtcDatetime = Annotated[datetime | None, AfterValidator(_utc)]


class DossierListItem(BaseModel):
    id: str
    reference: str
    client_name: str
    stage: Stage
    assignee_id: int
    assignee_name: str
    created_at: UtcDatetime
    next_deadline: OptionalUtcDatetime
    next_deadline_label: str | None


class DossierPage(BaseModel):
    items: list[DossierListItem]
    total: int
    page: int
    per_page: int
    pages: int


class ClientView(BaseModel):
    id: str
    # None once the client is erased (their data key is destroyed).
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    address: str | None
    departement: str
    preferred_channel: ContactChannel
    progress_emails: bool
    marketing_emails: bool
    erased: bool


class CreditorView(BaseModel):
    id: int
    name: str
    kind: CreditorKind
    account_reference: str | None


class ExpectedDocumentView(BaseModel):
    kind: DocumentKind
    received_at: OptionalUtcDatetime

    @property
    def received(self) -> bool:
        return self.received_at is not None


class DocumentView(BaseModel):
    id: str
    kind: DocumentKind
    filename: str | None
    content_type: str
    size_bytes: int
    uploaded_at: UtcDatetime
    uploaded_by: int | None


class TimelineEntry(BaseModel):
    at: UtcDatetime
    kind: str
    summary: str
    actor: str
    # The staff member's display name when a person did it; None for the system.
    actor_name: str | None
    # The creditor negotiation the event belongs to, if any.
    negotiation_id: str | None = None
    # A note or a call written by a case worker ("note", "call"): `summary` is its text, and
    # `text_erased` says it can no longer be read (the client was erased).
    note_kind: str | None = None
    text_erased: bool = False
    call_direction: str | None = None
    call_with: str | None = None
    called_at: OptionalUtcDatetime = None
    duration_minutes: int | None = None


class DossierDetail(BaseModel):
    id: str
    reference: str
    workflow_id: str
    stage: Stage
    outcome: Outcome | None
    closure_note: str | None
    created_at: UtcDatetime
    closed_at: OptionalUtcDatetime
    next_deadline: OptionalUtcDatetime
    next_deadline_label: str | None
    legal_hold: bool
    legal_hold_reason: str | None
    team: str
    assignee_id: int
    assignee_name: str
    client: ClientView
    creditors: list[CreditorView]
    expected_documents: list[ExpectedDocumentView]
    documents: list[DocumentView]
    timeline: list[TimelineEntry]
    # What the viewer may do here, so pages show only the actions that will be accepted.
    can_write: bool
    can_manage_legal_hold: bool
