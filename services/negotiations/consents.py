"""Consents to share data with a creditor: asked, given or refused, withdrawn, checked.

Shared by the staff pages, the client's pages and the activities; each write is one
transaction with its audit entry. Workflows are told afterwards, by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.dossier_stages import DOCUMENT_LABELS_FR, SHAREABLE_DOCUMENT_KINDS
from domain.errors import InvalidInput
from domain.french_dates import french_date
from domain.negotiation.consent_rules import (
    ConsentMethod,
    ConsentPurpose,
    ConsentSnapshot,
    ConsentStatus,
)
from domain.negotiation.consent_text import (
    CONSENT_TEXT_VERSION,
    consent_text,
    text_digest,
)
from domain.negotiation.sharing import ShareCategory
from domain.staff_notifications import NotificationKind
from models.client import Client
from models.creditor_directory import Creditor
from models.document import Document
from models.negotiation import CreditorConsent, Negotiation
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.intake import new_id
from services.effective import effective
from services.staff_notifications import notify_assignee
from services.view_fields import view_of

TABLE = "creditor_consent"
# Revocation channels.
REVOKED_BY_CLIENT = "client_link"
REVOKED_BY_CASE_WORKER = "case_worker"


class ConsentStateError(InvalidInput):
    """The consent is not in a state that allows this (already decided, revoked, superseded)."""


@dataclass(frozen=True)
class ConsentView:
    """A consent as pages and messages show it (text decrypted)."""

    id: str
    negotiation_id: str
    dossier_id: str
    client_id: str
    creditor_id: int
    creditor_name: str
    categories: list[ShareCategory]
    document_ids: list[str]
    document_labels: list[str]
    purpose: ConsentPurpose
    text_version: str
    text: str
    text_sha256: str
    status: ConsentStatus
    requested_at: datetime
    decided_at: datetime | None
    method: ConsentMethod | None
    expires_at: datetime | None
    revoked_at: datetime | None
    revocation_channel: str | None
    receipt_document_id: str | None
    supersedes_id: str | None


@dataclass(frozen=True)
class ConsentChoice:
    """What the client is asked to consent to, as the case worker chose it."""

    categories: Sequence[ShareCategory]
    document_ids: Sequence[str]
    expires_at: datetime | None


def document_label(document: Document) -> str:
    """How a document is named to the client and in the consent text: no file name (personal)."""
    received = french_date(document.uploaded_at)
    return f"{DOCUMENT_LABELS_FR[document.kind]} (document reçu le {received})"


def create_consent_request(
    session: Session,
    settings: Settings,
    *,
    negotiation_id: str,
    categories: Sequence[ShareCategory],
    document_ids: Sequence[str],
    expires_at: datetime | None,
    actor: str,
    purpose: ConsentPurpose = ConsentPurpose.DEBT_NEGOTIATION,
    staged_write_id: str | None = None,
    paper_document_id: str | None = None,
) -> str:
    """Write a consent request with its exact text: pending, or given on paper when the signed
    form's scan is named. Staged, it replaces nothing until applied (staged_writes); otherwise
    the older pending request (and for paper, the consent given before) is superseded at once.

    Raises InvalidInput (field, message) for an empty choice, a document of another dossier
    or of a kind that cannot be shared, an expiry in the past, or no creditor picked yet.
    """
    chosen = [c for c in ShareCategory if c in set(categories)]
    if not chosen:
        raise _invalid("categories", "Choisissez au moins une catégorie de données.")
    if ShareCategory.DOCUMENTS in chosen and not document_ids:
        raise _invalid("document_ids", "Choisissez les pièces à partager, une par une.")
    if document_ids and ShareCategory.DOCUMENTS not in chosen:
        chosen.append(ShareCategory.DOCUMENTS)
    if expires_at is not None and as_utc(expires_at) <= utcnow():
        raise _invalid("expires_at", "La date d'expiration doit être dans le futur.")
    negotiation = _negotiation(session, negotiation_id)
    if negotiation.creditor_id is None:
        raise _invalid(
            "creditor_id",
            "Choisissez d'abord ce créancier dans l'annuaire : le consentement doit le nommer.",
        )
    creditor = session.get(Creditor, negotiation.creditor_id)
    assert creditor is not None
    documents = _shareable_documents(session, negotiation.dossier_id, document_ids)
    client = _client_of(session, negotiation.dossier_id)
    consent_id = new_id()
    text = consent_text(
        creditor_name=creditor.name,
        categories=chosen,
        document_labels=[document_label(d) for d in documents],
        purpose=purpose,
        expires_on=french_date(expires_at) if expires_at else None,
    )
    cipher = ClientCipher.for_client(client, settings)
    consent = CreditorConsent(
        id=consent_id,
        negotiation_id=negotiation_id,
        dossier_id=negotiation.dossier_id,
        client_id=client.id,
        creditor_id=creditor.id or 0,
        categories=json.dumps([c.value for c in chosen]),
        document_ids=json.dumps([d.id for d in documents]),
        purpose=purpose.value,
        text_version=CONSENT_TEXT_VERSION,
        text_enc=cipher.encrypt(TABLE, "text", consent_id, text),
        text_sha256=text_digest(text),
        requested_by=actor,
        expires_at=expires_at,
        staged_write_id=staged_write_id,
    )
    if paper_document_id is not None:
        consent.status = ConsentStatus.GIVEN.value
        consent.decided_at, consent.decided_by = utcnow(), actor
        consent.method, consent.paper_document_id = ConsentMethod.PAPER.value, paper_document_id
    session.add(consent)
    session.flush()
    if staged_write_id is None:
        supersede_replaced(session, consent)
    append_audit(
        session,
        actor,
        "consent.requested",
        "creditor_consent",
        consent_id,
        detail={"negotiation": negotiation_id, "categories": [c.value for c in chosen]},
    )
    if paper_document_id is not None:
        append_audit(
            session,
            actor,
            "consent.given",
            "creditor_consent",
            consent_id,
            detail={"method": ConsentMethod.PAPER.value},
        )
    return consent_id


def supersede_replaced(session: Session, consent: CreditorConsent) -> None:
    """What a new request replaces, now that it is effective: the older pending request, and
    for a consent given, the consent given before (named as the one it supersedes)."""
    if consent.supersedes_id is None:
        previous = _latest(session, consent.negotiation_id, {ConsentStatus.GIVEN}, but=consent.id)
        consent.supersedes_id = previous.id if previous else None
        session.add(consent)
    replaced = {ConsentStatus.PENDING}
    if consent.status == ConsentStatus.GIVEN:
        replaced.add(ConsentStatus.GIVEN)
    for older in _consents(session, consent.negotiation_id, replaced):
        if older.id != consent.id:
            older.status = ConsentStatus.SUPERSEDED.value
            session.add(older)


def decide_consent(
    session: Session,
    settings: Settings,
    consent_id: str,
    *,
    given: bool,
    method: ConsentMethod,
    actor: str,
    paper_document_id: str | None = None,
) -> ConsentView:
    """Record the client's decision on a pending consent. A consent given replaces the one it
    extends (that one becomes SUPERSEDED). ConsentStateError when no longer pending."""
    now = utcnow()
    consent = _get(session, consent_id)
    if consent.status != ConsentStatus.PENDING:
        raise _state_error("consent", _already(ConsentStatus(consent.status)))
    if method == ConsentMethod.PAPER and not paper_document_id:
        raise _invalid("paper_document", "Joignez le consentement papier signé, numérisé.")
    consent.status = (ConsentStatus.GIVEN if given else ConsentStatus.REFUSED).value
    consent.decided_at, consent.method, consent.decided_by = now, method.value, actor
    consent.paper_document_id = paper_document_id
    session.add(consent)
    if given:
        for older in _consents(session, consent.negotiation_id, {ConsentStatus.GIVEN}):
            if older.id != consent.id:
                older.status = ConsentStatus.SUPERSEDED.value
                session.add(older)
    append_audit(
        session,
        actor,
        "consent.given" if given else "consent.refused",
        "creditor_consent",
        consent_id,
        detail={"method": method.value},
    )
    decision = "given" if given else "refused"
    notify_assignee(
        session,
        settings,
        dossier_id=consent.dossier_id,
        kind=NotificationKind.CONSENT_GIVEN if given else NotificationKind.CONSENT_REFUSED,
        source_key=f"consent:{consent_id}:{decision}",
        actor=actor,
    )
    session.flush()
    return _view(session, consent, settings)


def revoke_consent(
    session: Session, settings: Settings, consent_id: str, *, actor: str, channel: str
) -> ConsentView:
    """Withdraw a given consent (channel REVOKED_BY_CLIENT or REVOKED_BY_CASE_WORKER).

    ConsentStateError when it is not currently given (already withdrawn, refused, pending)."""
    consent = _get(session, consent_id)
    if consent.status != ConsentStatus.GIVEN:
        raise _state_error("consent", _already(ConsentStatus(consent.status)))
    consent.status = ConsentStatus.REVOKED.value
    consent.revoked_at, consent.revoked_by = utcnow(), actor
    consent.revocation_channel = channel
    session.add(consent)
    append_audit(
        session,
        actor,
        "consent.revoked",
        "creditor_consent",
        consent_id,
        detail={"channel": channel},
    )
    notify_assignee(
        session,
        settings,
        dossier_id=consent.dossier_id,
        kind=NotificationKind.CONSENT_WITHDRAWN,
        source_key=f"consent:{consent_id}:revoked",
        actor=actor,
    )
    session.flush()
    return _view(session, consent, settings)


def load_consent(session: Session, settings: Settings, consent_id: str) -> ConsentView:
    return _view(session, _get(session, consent_id), settings)


def negotiation_consents(
    session: Session, settings: Settings, negotiation_id: str
) -> list[ConsentView]:
    """Every consent of a negotiation, newest first."""
    rows = _consents(session, negotiation_id, set(ConsentStatus))
    return [_view(session, row, settings) for row in rows]


def current_consent(
    session: Session, settings: Settings, negotiation_id: str
) -> ConsentView | None:
    """The consent that governs sharing now: the latest given one, else the latest revoked one
    (so the check says "withdrawn"), else None. Pending and refused requests share nothing."""
    row = _latest(session, negotiation_id, {ConsentStatus.GIVEN}) or _latest(
        session, negotiation_id, {ConsentStatus.REVOKED}
    )
    return _view(session, row, settings) if row else None


def snapshot(consent: ConsentView | None) -> ConsentSnapshot | None:
    """What domain.negotiation.consent_rules.consent_refusal checks."""
    if consent is None:
        return None
    return ConsentSnapshot(
        status=consent.status,
        categories=frozenset(consent.categories),
        document_ids=frozenset(consent.document_ids),
        expires_at=as_utc(consent.expires_at) if consent.expires_at else None,
    )


# ----- internals ---------------------------------------------------------------------------


def _invalid(field_name: str, message: str) -> InvalidInput:
    return InvalidInput({field_name: message})


def _state_error(field_name: str, message: str) -> ConsentStateError:
    return ConsentStateError({field_name: message})


def _already(status: ConsentStatus) -> str:
    return {
        ConsentStatus.GIVEN: "Ce consentement a déjà été donné.",
        ConsentStatus.REFUSED: "Ce consentement a déjà été refusé.",
        ConsentStatus.REVOKED: "Ce consentement a déjà été retiré.",
        ConsentStatus.SUPERSEDED: "Cette demande a été remplacée par une demande plus récente.",
        ConsentStatus.PENDING: "Le client n'a pas encore répondu à cette demande.",
    }[status]


def _get(session: Session, consent_id: str) -> CreditorConsent:
    """An effective consent: a staged one is nobody's to read or decide yet."""
    consent = session.get(CreditorConsent, consent_id)
    if consent is None or consent.staged_write_id is not None:
        raise _invalid("consent", "Consentement introuvable.")
    return consent


def _negotiation(session: Session, negotiation_id: str) -> Negotiation:
    negotiation = session.get(Negotiation, negotiation_id)
    if negotiation is None:
        raise _invalid("negotiation", "Négociation introuvable.")
    return negotiation


def _client_of(session: Session, dossier_id: str) -> Client:
    from models.dossier import Dossier

    dossier = session.get(Dossier, dossier_id)
    assert dossier is not None
    client = session.get(Client, dossier.client_id)
    assert client is not None
    return client


def _shareable_documents(
    session: Session, dossier_id: str, document_ids: Sequence[str]
) -> list[Document]:
    if not document_ids:
        return []
    rows = session.exec(
        select(Document).where(col(Document.id).in_(list(document_ids)), effective(Document))
    ).all()
    by_id = {row.id: row for row in rows}
    documents = []
    for document_id in dict.fromkeys(document_ids):
        document = by_id.get(document_id)
        if (
            document is None
            or document.dossier_id != dossier_id
            or document.kind not in SHAREABLE_DOCUMENT_KINDS
        ):
            raise _invalid("document_ids", "Une des pièces choisies ne peut pas être partagée.")
        documents.append(document)
    return documents


def _consents(
    session: Session, negotiation_id: str, statuses: set[ConsentStatus]
) -> list[CreditorConsent]:
    """The negotiation's effective consents in these statuses, newest first."""
    statement = (
        select(CreditorConsent)
        .where(CreditorConsent.negotiation_id == negotiation_id, effective(CreditorConsent))
        .where(col(CreditorConsent.status).in_([s.value for s in statuses]))
        .order_by(col(CreditorConsent.requested_at).desc())
    )
    return list(session.exec(statement).all())


def _latest(
    session: Session, negotiation_id: str, statuses: set[ConsentStatus], but: str = ""
) -> CreditorConsent | None:
    rows = [row for row in _consents(session, negotiation_id, statuses) if row.id != but]
    return rows[0] if rows else None


def _view(session: Session, consent: CreditorConsent, settings: Settings) -> ConsentView:
    client = session.get(Client, consent.client_id)
    creditor = session.get(Creditor, consent.creditor_id)
    assert client is not None and creditor is not None
    document_ids = json.loads(consent.document_ids)
    documents = {
        d.id: d
        for d in session.exec(select(Document).where(col(Document.id).in_(document_ids))).all()
    }
    # A document deleted by retention is still named in the consent, as what was agreed.
    labels = [
        document_label(documents[i]) if i in documents else "Pièce supprimée depuis"
        for i in document_ids
    ]
    text = ""
    if client.wrapped_key:
        cipher = ClientCipher.for_client(client, settings)
        text = cipher.decrypt(TABLE, "text", consent.id, consent.text_enc) or ""
    return view_of(
        ConsentView,
        consent,
        creditor_name=creditor.name,
        categories=[ShareCategory(c) for c in json.loads(consent.categories)],
        document_ids=document_ids,
        document_labels=labels,
        purpose=ConsentPurpose(consent.purpose),
        text=text,
        status=ConsentStatus(consent.status),
        method=ConsentMethod(consent.method) if consent.method else None,
    )
