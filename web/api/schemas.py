"""Response bodies of the API that are not the service views themselves."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.dossier_stages import DocumentKind
from models.staff import Role


class TokenForm(BaseModel):
    """The OAuth2 password grant (RFC 6749 §4.3), sent as a form: the field names are the
    standard's, `username` is the account's email address."""

    grant_type: str = Field(default="password", pattern="^password$")
    username: str = Field(min_length=1, description="Adresse e-mail du compte")
    password: str = Field(min_length=1)
    # Accepted for clients that always send them; scopes and clients are not used.
    scope: str = ""
    client_id: str = ""
    client_secret: str = ""


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    team: str


class DossierCreated(BaseModel):
    id: str
    reference: str
    workflow_id: str


class DocumentStored(BaseModel):
    id: str
    dossier_id: str
    kind: DocumentKind
    content_type: str
    size_bytes: int
    workflow_notified: bool
    # Kinds still expected, as the workflow counts them (None when it could not be asked).
    missing_documents: list[str] | None
    notice: str | None


class StageResult(BaseModel):
    stage: str


class LegalHoldResult(BaseModel):
    legal_hold: bool


class LiveStatus(BaseModel):
    stage: str
    missing_documents: list[str]
    reminders_sent: int
    closed_at: datetime | None
    next_deadline: datetime | None
    next_deadline_label: str | None
    legal_hold: bool
    documents_deleted: bool
