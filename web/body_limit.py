"""Refuse request bodies larger than an upload may be, before they are read to the end.

Starlette spools multipart files to disk whatever their size; counting here stops a huge
upload early. The allowance over settings.upload_max_bytes covers the multipart envelope and
the other form fields; the exact per-file limit is checked on the file itself.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.file_types import format_size_fr

ENVELOPE_ALLOWANCE = 1024 * 1024


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, upload_max_bytes: int) -> None:
        self.app = app
        self.upload_max_bytes = upload_max_bytes
        self.limit = upload_max_bytes + ENVELOPE_ALLOWANCE

    def _too_large(self) -> HTTPException:
        return HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=(
                "Envoi trop volumineux : un fichier ne peut pas dépasser "
                f"{format_size_fr(self.upload_max_bytes)}."
            ),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        oversized = declared.isdigit() and int(declared) > self.limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            # Raised inside the route, where the exception handlers turn it into a 413.
            if oversized:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)
