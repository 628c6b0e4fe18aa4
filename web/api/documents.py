"""Supporting documents: upload to a dossier, download."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import Response

from domain.dossier_stages import DocumentKind
from models.database import session_scope
from services.documents import read_document
from services.view_fields import view_of
from web import dossier_actions
from web.api.schemas import DocumentStored
from web.auth import ApiStaff
from web.deps import SettingsDep
from web.errors import error_responses

router = APIRouter(tags=["pièces justificatives"])


@router.post(
    "/dossiers/{dossier_id}/documents",
    response_model=DocumentStored,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(413),
)
async def upload(
    request: Request,
    dossier_id: str,
    staff: ApiStaff,
    kind: Annotated[DocumentKind, Form()],
    file: Annotated[UploadFile, File(description="PDF, JPEG ou PNG")],
) -> DocumentStored:
    """Store a PDF, JPEG or PNG (type read from the content), encrypted."""
    result = await dossier_actions.upload_document(request, staff, dossier_id, kind, file)
    return view_of(
        DocumentStored,
        result.document,
        workflow_notified=result.workflow_notified,
        missing_documents=result.missing_documents,
        notice=result.notice,
    )


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}},
)
def download(document_id: str, staff: ApiStaff, settings: SettingsDep) -> Response:
    """The decrypted file, as an attachment; the read is audited."""
    with session_scope(settings) as session:
        document, filename, data = read_document(session, document_id, staff, settings)
    return Response(
        data,
        media_type=document.content_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "Cache-Control": "no-store",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
