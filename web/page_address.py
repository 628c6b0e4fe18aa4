"""Which page an address belongs to, for the addresses of forms: a POST-only path opened with
GET goes to its page rather than a 405, and a refused form's answer tells the browser the
page's address so that a reload shows the page instead of sending the form again."""

from __future__ import annotations

from fastapi import Request
from starlette.routing import Match

# The JSON API answers for itself (a 405 with Allow), never with a page.
JSON_PREFIXES = ("/api/", "/codec/")


def page_above(request: Request) -> str | None:
    """For a page opened at the address of one of its forms (a bookmark, a reload after a
    refused action, a link shared from the address bar), the page the form belongs to: the
    nearest parent path served by GET. None for the API and for other methods."""
    if request.method not in ("GET", "HEAD") or request.url.path.startswith(JSON_PREFIXES):
        return None
    return _nearest_page(request, request.url.path.rstrip("/").split("/")[:-1])


def page_of_form(request: Request) -> str | None:
    """For a page answering a posted form (a refusal: successes redirect), the address a
    reload should open: the form's own path if it is also a page, else the nearest parent."""
    if request.method != "POST":
        return None
    return _nearest_page(request, request.url.path.rstrip("/").split("/"))


def _nearest_page(request: Request, parts: list[str]) -> str | None:
    routes = request.app.router.routes
    while len(parts) > 1:
        candidate = "/".join(parts)
        scope = {**request.scope, "path": candidate, "method": "GET"}
        if any(route.matches(scope)[0] == Match.FULL for route in routes):
            return candidate
        parts = parts[:-1]
    return None
