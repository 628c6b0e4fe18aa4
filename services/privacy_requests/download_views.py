"""The person's side of a download: what the page shows before the click, and the click itself
(the file once, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from config.settings import Settings
from domain.errors import LinkRefused
from models.privacy_request import PrivacyDownload, PrivacyRequest
from services.audit import append_audit
from services.privacy_requests.downloads import refusal, take_download

UNAVAILABLE_HEADING = "Fichier indisponible"
KIND_LABELS = {
    "access": "La copie de toutes vos données",
    "portability": "Vos données dans un format réutilisable",
}


@dataclass(frozen=True)
class DownloadView:
    id: str
    reference: str
    kind_label: str
    size_bytes: int
    expires_at: datetime


def _usable(session: Session, download_id: str, now: datetime) -> PrivacyDownload:
    download = session.get(PrivacyDownload, download_id)
    if download is None:
        raise LinkRefused(404, UNAVAILABLE_HEADING, "Ce fichier n'existe pas ou plus.")
    refused = refusal(download, now)
    if refused:
        raise LinkRefused(410, UNAVAILABLE_HEADING, refused)
    return download


def download_view(session: Session, download_id: str, now: datetime) -> DownloadView:
    download = _usable(session, download_id, now)
    request = session.get(PrivacyRequest, download.request_id)
    assert request is not None
    return DownloadView(
        download.id,
        request.reference,
        KIND_LABELS.get(download.kind, "Vos données"),
        download.size_bytes,
        download.expires_at,
    )


def download_once(
    session: Session, settings: Settings, download_id: str, now: datetime, from_ip: str
) -> tuple[str, bytes]:
    """(file name, content); LinkRefused once it was taken or expired. The row is locked so two
    clicks at once give the file once."""
    locked = session.exec(
        select(PrivacyDownload).where(PrivacyDownload.id == download_id).with_for_update()
    ).first()
    download = _usable(session, locked.id if locked else download_id, now)
    request = session.get(PrivacyRequest, download.request_id)
    assert request is not None
    content = take_download(session, settings, download, now)
    append_audit(
        session,
        f"client:{request.client_id}" if request.client_id else "system",
        "privacy_request.download",
        "privacy_request",
        request.id,
        reason="téléchargement par la personne",
        detail={"download_id": download.id, "kind": download.kind, "ip": from_ip[:45]},
    )
    return f"cravelynos-{download.kind}-{request.reference}.zip", content
