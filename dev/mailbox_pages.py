"""GET /dev/mailbox[/{id}]: what the local SMTP catcher received, in dev mode only."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from dev.mail_catcher import list_messages, read_message
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.ui.rendering import render

router = APIRouter()

NOT_FOUND = "Ce message n'existe pas ou plus dans la boîte de développement."
# The email's own HTML, framed by the message page: its inline styles render, nothing else runs
# or loads (no script, no remote image that would tell a tracker the mail was opened).
MAIL_HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}


def _dev_only(settings: Settings) -> None:
    # In production the pages do not exist at all, rather than being forbidden.
    if settings.mode != "dev":
        raise HTTPException(status.HTTP_404_NOT_FOUND)


@router.get("/dev/mailbox", response_class=HTMLResponse)
async def mailbox(request: Request, settings: SettingsDep, staff: CurrentStaff) -> HTMLResponse:
    _dev_only(settings)
    messages = await run_in_threadpool(list_messages, settings)
    return render(
        request,
        "web/mailbox/list.html",
        {"nav": "mailbox", "messages": messages},
        settings=settings,
    )


@router.get("/dev/mailbox/{message_id}", response_class=HTMLResponse)
async def mailbox_message(
    request: Request, message_id: str, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    _dev_only(settings)
    message = await run_in_threadpool(read_message, settings, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    return render(
        request,
        "web/mailbox/message.html",
        {"nav": "mailbox", "message": message},
        settings=settings,
    )


@router.get("/dev/mailbox/{message_id}/html")
async def mailbox_message_html(
    message_id: str, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    _dev_only(settings)
    message = await run_in_threadpool(read_message, settings, message_id)
    if message is None or message.html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    # Links open in a new tab, as in a mail client: inside the frame they would be blocked.
    return HTMLResponse('<base target="_blank">' + message.html, headers=MAIL_HTML_HEADERS)
