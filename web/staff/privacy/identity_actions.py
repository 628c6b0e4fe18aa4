"""The identity panel of a request's page (DPO): receive the ID document the person sent, read
it, and record the conclusion, which shreds it. A refusal shows the page again with what was
typed; the document itself is only ever shown to the DPO, inline, never cached."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from domain.errors import InvalidInput
from domain.privacy.identity import IdentityCheckIn
from models.database import session_scope
from services.privacy_requests.identity import read_identity_document
from web import privacy_request_actions as actions
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.staff.privacy.request_actions import attempt, form_action

router = APIRouter()
CHOOSE_FILE = "Choisissez le fichier de la pièce d'identité (PDF, JPEG ou PNG)."


@router.post("/privacy-requests/{request_id}/identity-document", response_model=None)
async def receive_document(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    file = (await request.form()).get("file")

    async def receive() -> None:
        if not isinstance(file, UploadFile) or not file.filename:
            await actions.require_driver(request, staff, request_id)
            raise InvalidInput({"file": CHOOSE_FILE})
        await actions.upload_identity_document(request, staff, request_id, file)

    run = receive()
    done = "Pièce d'identité enregistrée (chiffrée) : lisez-la, puis concluez."
    return await attempt(request, settings, staff, request_id, "identity", run, done, {})


@router.get("/privacy-requests/{request_id}/identity-document/{document_id}")
def show_document(
    request_id: str, document_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    with session_scope(settings) as session:
        content_type, data = read_identity_document(
            session, settings, staff, request_id, document_id
        )
    headers = {"Cache-Control": "no-store", "Content-Disposition": "inline"}
    return Response(data, media_type=content_type, headers=headers)


@router.post("/privacy-requests/{request_id}/identity", response_model=None)
async def conclude(
    request: Request,
    request_id: str,
    settings: SettingsDep,
    staff: CurrentStaff,
    _csrf: CsrfProtected,
) -> Response:
    told: list[bool] = []

    async def check(data: IdentityCheckIn) -> None:
        told.append(await actions.check_identity(request, staff, request_id, data))

    def done() -> str:
        said = "Conclusion enregistrée ; la pièce d'identité est effacée."
        if not all(told):
            said += " Le délai suspendu n'a pas pu reprendre : reprenez-le ci-dessous."
        return said

    return await form_action(
        request, settings, staff, request_id, "identity", IdentityCheckIn, check, done
    )
