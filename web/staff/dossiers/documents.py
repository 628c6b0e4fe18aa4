"""Supporting documents on the dossier page: upload (POST) and download (GET)."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from config.settings import Settings
from domain.dossier_stages import DOCUMENT_LABELS_FR, DocumentKind
from domain.errors import NotFound
from domain.file_types import UploadRefused
from models.database import session_scope
from models.staff import StaffUser
from services.documents import read_document
from web import dossier_actions as actions
from web.auth import CurrentStaff
from web.csrf import csrf_protect
from web.deps import SettingsDep
from web.staff.dossiers.detail_page import dossier_page
from web.ui.flash import flash

router = APIRouter()

CHOOSE_KIND = "Choisissez le type de pièce."
CHOOSE_FILE = "Choisissez le fichier à déposer."
UPLOAD_NOT_DONE = "Le document n'a pas été déposé : corrigez le formulaire de dépôt."


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
