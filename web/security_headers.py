"""Security headers on every response: CSP, nosniff, referrer policy, HSTS, and no caching of
anything but the static assets."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The Swagger UI page (assets served by the app itself) starts with an inline bootstrap script;
# only that page gets a policy allowing inline code.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
# Every page, API answer and download is built for one signed-in person or one signed link and
# most carry personal data: no browser or proxy keeps a copy. Only the assets are shared.
NO_STORE = "no-store"
STATIC_PREFIX = "/static/"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, production: bool, docs_path: str) -> None:
        self.app = app
        self.production = production
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] == self.docs_path else CSP
        cacheable = scope["path"].startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault(
                    "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
                )
                if not cacheable:
                    headers.setdefault("Cache-Control", NO_STORE)
                if self.production:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
