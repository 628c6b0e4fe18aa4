"""The person's download of the answer to their data-subject request, by the signed link of the
answer email: a page says what the file is and until when, and its button gives the file once
(a POST: a mail scanner opening the link does not use it up). Downloaded or expired, the link
says so; the file is shredded once taken."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain.clock import utcnow
from security.privacy_links import DOWNLOAD_LINK, DOWNLOAD_LINK_PATH
from services.privacy_requests.download_views import download_once, download_view
from web.deps import SettingsDep, client_ip
from web.public.links import PRIVATE_HEADERS, LinkFormDep, SignedLinkPage
from web.transactions import in_session

router = APIRouter()

DOWNLOAD_PAGE = SignedLinkPage(
    path=DOWNLOAD_LINK_PATH,
    reader=DOWNLOAD_LINK.read,
    template="privacy_download.html",
    nonce_purpose="privacy-download-form",
    expired_message=lambda settings: (
        f"Pour votre sécurité, ce lien n'est valable que {settings.privacy_download_days} "
        "jours. Écrivez à dpo@cravelynos.example pour en recevoir un nouveau."
    ),
)


@router.get(DOWNLOAD_LINK_PATH + "/{token}", response_class=HTMLResponse)
async def show_download(request: Request, token: str, settings: SettingsDep) -> Response:
    download_id = await DOWNLOAD_PAGE.open(request, settings, token)
    view = await in_session(settings, download_view, download_id, utcnow())
    return DOWNLOAD_PAGE.render(request, settings, token, {"view": view})


@router.post(DOWNLOAD_LINK_PATH + "/{token}", response_model=None)
async def take(form: LinkFormDep) -> Response:
    download_id = await DOWNLOAD_PAGE.submitted(form)
    settings = form.settings
    name, content = await in_session(
        settings, download_once, settings, download_id, utcnow(), client_ip(form.request)
    )
    headers = {**PRIVATE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type="application/zip", headers=headers)
