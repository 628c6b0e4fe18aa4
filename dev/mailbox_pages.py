"""GET /dev/mailbox[/{id}]: what the local SMTP catcher received, in dev mode only.

The mailbox holds clients' emails and their live signed links: each staff member sees only the
messages about dossiers they may open (roles without access to personal data see none), and a
message out of their reach does not exist for them (404)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from dev.mail_catcher import MailboxMessage, list_messages, read_message
from models.database import session_scope
from models.staff import StaffUser
from services.email_outbox import message_ids_visible_to
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


def _visible(settings: Settings, staff: StaffUser) -> set[str]:
    with session_scope(settings) as session:
        return message_ids_visible_to(session, staff)


def _messages_for(settings: Settings, staff: StaffUser) -> list[MailboxMessage]:
    visible = _visible(settings, staff)
    return [m for m in list_messages(settings) if m.message_id in visible]


def _message_for(settings: Settings, staff: StaffUser, message_id: str) -> MailboxMessage | None:
    visible = _visible(settings, staff)
    message = read_message(settings, message_id)
    return message if message is not None and message.message_id in visible else None


@router.get("/dev/mailbox", response_class=HTMLResponse)
async def mailbox(request: Request, settings: SettingsDep, staff: CurrentStaff) -> HTMLResponse:
    _dev_only(settings)
    messages = await run_in_threadpool(_messages_for, settings, staff)
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
    message = await run_in_threadpool(_message_for, settings, staff, message_id)
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
    message = await run_in_threadpool(_message_for, settings, staff, message_id)
    if message is None or message.html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=NOT_FOUND)
    # Links open in a new tab, as in a mail client: inside the frame they would be blocked.
    return HTMLResponse('<base target="_blank">' + message.html, headers=MAIL_HTML_HEADERS)
