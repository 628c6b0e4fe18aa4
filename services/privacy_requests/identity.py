"""The ID document of a data-subject request: stored encrypted under the request's key, read
by the DPO (audited), and shredded the moment the DPO decides; the outcome stays on the request
(when, by whom, which kind of document), nothing of the document itself."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.errors import InvalidInput, NotFound, Refused
from domain.file_types import check_upload
from domain.privacy.deadline import paris_day
from domain.privacy.identity import (
    ALREADY_ESTABLISHED,
    IdentityCheckIn,
    IdentityStatus,
    check_refusal,
)
from models.client import Client
from models.privacy_request import PrivacyIdentityDocument, PrivacyRequest
from models.staff import StaffUser
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit
from services.documents import store_dir, write_private
from services.dossiers.access import actor_of
from services.privacy_requests.access import load_request

PURPOSE = "privacy_request.identity"


def identity_aad(document_id: str) -> str:
    return f"privacy_identity_document:content:{document_id}"


def _open_documents(session: Session, request_id: str) -> list[PrivacyIdentityDocument]:
    return list(
        session.exec(
            select(PrivacyIdentityDocument)
            .where(PrivacyIdentityDocument.request_id == request_id)
            .where(col(PrivacyIdentityDocument.deleted_at).is_(None))
            .order_by(col(PrivacyIdentityDocument.uploaded_at))
        ).all()
    )


def pending_documents(session: Session, request_id: str) -> list[PrivacyIdentityDocument]:
    """The documents received and not yet shredded (waiting for the DPO's decision)."""
    return _open_documents(session, request_id)


def _still_to_check(request: PrivacyRequest) -> None:
    if request.identity not in (IdentityStatus.TO_CHECK.value,):
        raise Refused(ALREADY_ESTABLISHED)


def store_identity_document(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    request_id: str,
    filename: str | None,
    data: bytes,
    now: datetime,
) -> PrivacyIdentityDocument:
    request = load_request(session, viewer, request_id, PURPOSE, drive=True)
    _still_to_check(request)
    accepted = check_upload(filename, data, settings.upload_max_bytes)
    document = PrivacyIdentityDocument(
        id=secrets.token_hex(16),
        request_id=request.id,
        stored_name=secrets.token_hex(24),
        content_type=accepted.content_type,
        size_bytes=len(data),
        uploaded_at=now,
        uploaded_by=actor_of(viewer),
    )
    cipher = ClientCipher.for_client(request, settings)
    write_private(
        store_dir(settings) / document.stored_name,
        cipher.encrypt_blob(identity_aad(document.id), data),
    )
    session.add(document)
    append_audit(
        session, actor_of(viewer), "privacy_request.identity_document", "privacy_request",
        request.id, reason="pièce d'identité reçue", detail={"document_id": document.id},
    )  # fmt: skip
    session.flush()
    return document


def read_identity_document(
    session: Session, settings: Settings, viewer: StaffUser, request_id: str, document_id: str
) -> tuple[str, bytes]:
    """(content type, content) for the DPO to read; the read is audited."""
    request = load_request(session, viewer, request_id, PURPOSE, drive=True)
    document = session.get(PrivacyIdentityDocument, document_id)
    if document is None or document.request_id != request.id or document.deleted_at:
        raise NotFound("Cette pièce n'existe plus : elle est effacée dès la décision prise.")
    blob = (store_dir(settings) / document.stored_name).read_bytes()
    data = ClientCipher.for_client(request, settings).decrypt_blob(identity_aad(document.id), blob)
    append_audit(
        session, actor_of(viewer), "privacy_request.identity_read", "privacy_request",
        request.id, reason="vérification d'identité", detail={"document_id": document.id},
    )  # fmt: skip
    return document.content_type, data


def record_identity_check(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    request_id: str,
    check: IdentityCheckIn,
    now: datetime,
) -> PrivacyRequest:
    """The DPO's conclusion, checked against the document and the client record; then every
    document of the request shredded. InvalidInput (field by field) changes nothing."""
    request = load_request(session, viewer, request_id, PURPOSE, drive=True)
    _still_to_check(request)
    documents = _open_documents(session, request.id)
    errors = check_refusal(
        check,
        paris_day(now),
        has_document=bool(documents),
        names_on_record=_names_on_record(session, settings, request),
    )
    if errors:
        raise InvalidInput(errors)
    request.identity = check.conclusion.value
    request.identity_checked_at = now
    request.identity_checked_by = actor_of(viewer)
    request.identity_document_kind = check.document_kind.value
    session.add(request)
    for document in documents:
        (store_dir(settings) / document.stored_name).unlink(missing_ok=True)
        document.deleted_at = now
        session.add(document)
    append_audit(
        session, actor_of(viewer), "privacy_request.identity_checked", "privacy_request",
        request.id, reason="décision sur l'identité",
        detail={"conclusion": check.conclusion.value, "documents_shredded": len(documents)},
    )  # fmt: skip
    session.flush()
    return request


def _names_on_record(
    session: Session, settings: Settings, request: PrivacyRequest
) -> tuple[str, str] | None:
    client = session.get(Client, request.client_id) if request.client_id else None
    if client is None:
        return None
    try:
        cipher = ClientCipher.for_client(client, settings)
    except ClientErasedError:
        return None
    first = cipher.decrypt("client", "first_name", client.id, client.first_name_enc) or ""
    last = cipher.decrypt("client", "last_name", client.id, client.last_name_enc) or ""
    return first, last
