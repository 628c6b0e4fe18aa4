"""Files made for a data-subject request, kept encrypted under the request's own key until the
person downloads them once, or until they expire; then shredded (the row stays, as proof of
what was sent and when).

The file is made once per request and kind: a retried activity finds the row and its file.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import as_utc
from models.privacy_request import PrivacyDownload, PrivacyRequest
from security.datakeys import ClientCipher
from services.documents import store_dir, write_private

ALREADY_DOWNLOADED = (
    "Ce fichier a déjà été téléchargé : pour votre sécurité, il ne peut l'être qu'une fois. "
    "Écrivez à dpo@cravelynos.example pour en recevoir un nouveau lien."
)
SHREDDED = (
    "Ce fichier n'est plus disponible : il a été supprimé à l'expiration de son lien. "
    "Écrivez à dpo@cravelynos.example pour en recevoir un nouveau."
)


def download_aad(download_id: str) -> str:
    return f"privacy_download:content:{download_id}"


def _path(settings: Settings, download: PrivacyDownload) -> Path:
    return settings.documents_dir / download.stored_name


def existing_download(session: Session, request_id: str, kind: str) -> PrivacyDownload | None:
    return session.exec(
        select(PrivacyDownload)
        .where(PrivacyDownload.request_id == request_id)
        .where(PrivacyDownload.kind == kind)
    ).first()


def store_download(
    session: Session,
    settings: Settings,
    request: PrivacyRequest,
    kind: str,
    content: bytes,
    now: datetime,
) -> PrivacyDownload:
    """The file, encrypted, and its row (in the caller's transaction); the one already made for
    this request and kind if there is one."""
    found = existing_download(session, request.id, kind)
    if found is not None:
        return found
    download = PrivacyDownload(
        id=secrets.token_hex(16),
        request_id=request.id,
        kind=kind,
        stored_name=secrets.token_hex(24),
        size_bytes=len(content),
        created_at=now,
        expires_at=now + timedelta(days=settings.privacy_download_days),
    )
    cipher = ClientCipher.for_client(request, settings)
    blob = cipher.encrypt_blob(download_aad(download.id), content)
    write_private(store_dir(settings) / download.stored_name, blob)
    try:
        with session.begin_nested():
            session.add(download)
    except IntegrityError:
        # A concurrent attempt made it first: keep theirs, drop ours.
        _path(settings, download).unlink(missing_ok=True)
        twin = existing_download(session, request.id, kind)
        assert twin is not None
        return twin
    return download


def refusal(download: PrivacyDownload, now: datetime) -> str | None:
    if download.downloaded_at is not None:
        return ALREADY_DOWNLOADED
    if download.shredded_at is not None or as_utc(download.expires_at) < now:
        return SHREDDED
    return None


def take_download(
    session: Session, settings: Settings, download: PrivacyDownload, now: datetime
) -> bytes:
    """The file's content, decrypted; the row marked downloaded and the file shredded, in the
    caller's transaction (the row is locked first: two clicks give one file)."""
    request = session.get(PrivacyRequest, download.request_id)
    assert request is not None
    path = _path(settings, download)
    content = ClientCipher.for_client(request, settings).decrypt_blob(
        download_aad(download.id), path.read_bytes()
    )
    download.downloaded_at = now
    download.shredded_at = now
    session.add(download)
    session.flush()
    path.unlink(missing_ok=True)
    return content


def shred_expired(session: Session, settings: Settings, now: datetime) -> int:
    """Shred the files whose link expired unopened; how many."""
    expired = session.exec(
        select(PrivacyDownload)
        .where(col(PrivacyDownload.shredded_at).is_(None))
        .where(col(PrivacyDownload.expires_at) < now)
    ).all()
    for download in expired:
        _path(settings, download).unlink(missing_ok=True)
        download.shredded_at = now
        session.add(download)
    return len(expired)
