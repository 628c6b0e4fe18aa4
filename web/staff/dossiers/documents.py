"""Supporting documents on the dossier page: upload (POST), download (GET), and removal or
replacement of a document uploaded by mistake (a confirmation page with the reason, then POST)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from config.settings import Settings
from domain.dossier_stages import DOCUMENT_LABELS_FR, DocumentKind
from domain.errors import InvalidInput, NotFound, Refused
from domain.file_types import UploadRefused
from domain.intake import DocumentRemovalRequest, parse_input
from models.client import Client
from models.database import session_scope
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import audit_client_data_read
from services.document_removal import Removal, removable_document, remove_document
from services.documents import read_document
from services.dossiers.access import actor_of
from web import dossier_actions as actions
from web.auth import CurrentStaff
from web.csrf import csrf_protect
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.transactions import in_session
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()

CHOOSE_KIND = "Choisissez le type de pièce."
CHOOSE_FILE = "Choisissez le fichier à déposer."
UPLOAD_NOT_DONE = "Le document n'a pas été déposé : corrigez le formulaire de dépôt."
CHOOSE_REPLACEMENT = "Choisissez le fichier qui remplace cette pièce."


async def _read_form(request: Request) -> tuple[FormData | None, str]:
    """The form, or the message of a body refused as too large while it was being read."""
    try:
        return await request.form(), ""
    except HTTPException as exc:
        if exc.status_code != status.HTTP_413_CONTENT_TOO_LARGE:
            raise
        return None, str(exc.detail)


@router.post("/dossiers/{dossier_id}/documents", response_model=None)
async def upload_document(
    request: Request, dossier_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    # The form is read here rather than by the CSRF dependency so that an oversized upload
    # comes back to the dossier page with its message instead of a bare error page.
    form, too_large = await _read_form(request)
    upload: dict[str, Any] = {"kind": "", "errors": {}}
    result: actions.UploadResult | None = None
    if form is None:
        upload["errors"] = {"file": too_large}
    else:
        await csrf_protect(request, settings)
        kind, file = form.get("kind"), form.get("file")
        upload["kind"] = kind if isinstance(kind, str) else ""
        if upload["kind"] not in {k.value for k in DocumentKind}:
            upload["errors"]["kind"] = CHOOSE_KIND
        if not isinstance(file, UploadFile) or not file.filename:
            upload["errors"]["file"] = CHOOSE_FILE
        elif not upload["errors"]:
            try:
                result = await actions.upload_document(
                    request, staff, dossier_id, upload["kind"], file
                )
            except UploadRefused as exc:
                upload["errors"]["file"] = exc.message
    if result is None:
        return await dossier_page(
            request,
            settings,
            staff,
            dossier_id,
            status_code=(
                status.HTTP_413_CONTENT_TOO_LARGE
                if form is None
                else status.HTTP_422_UNPROCESSABLE_CONTENT
            ),
            action_error=UPLOAD_NOT_DONE,
            action_panel="upload",
            upload=upload,
        )
    flash(request, f"Document déposé : {DOCUMENT_LABELS_FR[DocumentKind(upload['kind'])]}.")
    if result.notice:
        flash(request, result.notice, "warning")
    return RedirectResponse(f"/dossiers/{dossier_id}#documents", status.HTTP_303_SEE_OTHER)


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the exact UTF-8 one (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c for c in ascii_name if c.isprintable() and c not in '"\\;') or "piece"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _read(
    settings: Settings, staff: StaffUser, dossier_id: str, document_id: str
) -> tuple[str, str, bytes]:
    with session_scope(settings) as session:
        document, filename, data = read_document(session, document_id, staff, settings)
        if document.dossier_id != dossier_id:
            raise NotFound("Pièce introuvable dans ce dossier.")
        return document.content_type, filename, data


@router.get("/dossiers/{dossier_id}/documents/{document_id}")
async def download_document(
    dossier_id: str, document_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    content_type, filename, data = await run_in_threadpool(
        _read, settings, staff, dossier_id, document_id
    )
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            # Decrypted personal data: never kept by the browser or a proxy.
            "Cache-Control": "no-store",
        },
    )


@dataclass(frozen=True)
class RemovalView:
    """The document as its confirmation page names it."""

    id: str
    dossier_id: str
    kind_label: str
    filename: str
    size_bytes: int
    uploaded_at: datetime


def _removal_view(
    session: Session, settings: Settings, staff: StaffUser, dossier_id: str, document_id: str
) -> RemovalView:
    document = removable_document(session, staff, dossier_id, document_id, "document.remove_form")
    client = session.get(Client, document.client_id)
    filename = ""
    if client is not None and client.wrapped_key is not None:
        cipher = ClientCipher.for_client(client, settings)
        filename = cipher.decrypt("document", "filename", document.id, document.filename_enc) or ""
        audit_client_data_read(
            session, actor_of(staff), client.id, "retrait d'une pièce", document_id=document.id
        )
    return RemovalView(
        document.id,
        dossier_id,
        DOCUMENT_LABELS_FR[document.kind],
        filename or f"piece-{document.id[:8]}",
        document.size_bytes,
        document.uploaded_at,
    )


async def _removal_page(
    request: Request,
    settings: Settings,
    staff: StaffUser,
    dossier_id: str,
    document_id: str,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    try:
        view = await in_session(settings, _removal_view, settings, staff, dossier_id, document_id)
    except Refused as exc:
        return await dossier_page(
            request, settings, staff, dossier_id,
            status_code=exc.status_code, action_error=exc.message,
        )  # fmt: skip
    errors = errors or {}
    labels = {"reason": "Motif", "file": "Fichier de remplacement"}
    return render(
        request,
        "web/dossiers/document_remove.html",
        {
            "nav": "dossiers",
            "document": view,
            "reason": reason,
            "errors": errors,
            "summary": [(k, f"{labels.get(k, 'Formulaire')} : {v}") for k, v in errors.items()],
            "upload_max": settings.upload_max_bytes,
        },
        status_code=status_code,
        settings=settings,
    )


@router.get("/dossiers/{dossier_id}/documents/{document_id}/retrait", response_model=None)
async def document_removal_page(
    request: Request, dossier_id: str, document_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    return await _removal_page(request, settings, staff, dossier_id, document_id)


@router.post("/dossiers/{dossier_id}/documents/{document_id}/retrait", response_model=None)
async def remove_or_replace_document(
    request: Request, dossier_id: str, document_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    form, too_large = await _read_form(request)
    if form is None:
        return await _removal_page(
            request, settings, staff, dossier_id, document_id,
            errors={"file": too_large}, status_code=status.HTTP_413_CONTENT_TOO_LARGE,
        )  # fmt: skip
    await csrf_protect(request, settings)
    raw_reason = form.get("reason")
    reason = raw_reason if isinstance(raw_reason, str) else ""
    replacing = form.get("action") == "replace"
    errors: dict[str, str] = {}
    data: DocumentRemovalRequest | None = None
    try:
        data = parse_input(DocumentRemovalRequest, {"reason": reason})
    except InvalidInput as exc:
        errors.update(exc.errors)
    file = form.get("file")
    upload = None
    if replacing:
        if not isinstance(file, UploadFile) or not file.filename:
            errors["file"] = CHOOSE_REPLACEMENT
        else:
            upload = (file.filename, await file.read(settings.upload_max_bytes + 1))
    if data is not None and not errors:
        try:
            removal = await in_session(
                settings, remove_document, settings, staff, dossier_id, document_id, data, upload
            )
        except UploadRefused as exc:
            errors["file"] = exc.message
        except InvalidInput as exc:
            errors.update(exc.errors)
        except Refused as exc:
            return await dossier_page(
                request, settings, staff, dossier_id,
                status_code=exc.status_code, action_error=exc.message,
            )  # fmt: skip
        else:
            return await _removed(request, staff, dossier_id, removal)
    return await _removal_page(
        request, settings, staff, dossier_id, document_id,
        reason=reason, errors=errors, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )  # fmt: skip


async def _removed(
    request: Request, staff: StaffUser, dossier_id: str, removal: Removal
) -> Response:
    notice = await actions.documents_changed(request, staff, dossier_id)
    if removal.replacement_id:
        flash(request, f"Pièce remplacée : {removal.kind_label}. L'ancien fichier est détruit.")
    else:
        flash(request, f"Pièce retirée : {removal.kind_label}. Son fichier est détruit.")
    if notice:
        flash(request, notice, "warning")
    return RedirectResponse(f"/dossiers/{dossier_id}#documents", status.HTTP_303_SEE_OTHER)
