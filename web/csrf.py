"""CSRF protection for state-changing form posts: a random token per session.

Forms carry the token in a hidden "csrf_token" field (or scripts in an X-CSRF-Token header);
a post without the session's token is refused. The session cookie is SameSite=Lax as well, and
a post announcing a foreign Origin is refused outright.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status

from web.deps import SettingsDep

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
CSRF_MESSAGE = (
    "Le formulaire a expiré ou ne provient pas de Cravelynos. "
    "Rechargez la page et recommencez : rien n'a été enregistré."
)


def csrf_token(request: Request) -> str:
    """The session's token, created on first use (templates put it in every form)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate_csrf_token(request: Request) -> str:
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[SESSION_KEY])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _foreign_origin(request: Request, public_base_url: str) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    allowed = {_origin(public_base_url), _origin(str(request.base_url))}
    return origin.lower().rstrip("/") not in allowed


async def csrf_protect(request: Request, settings: SettingsDep) -> None:
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(FORM_FIELD)
            sent = value if isinstance(value, str) else None
    if (
        _foreign_origin(request, settings.public_base_url)
        or not isinstance(expected, str)
        or not sent
        or not hmac.compare_digest(expected.encode(), sent.encode())
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_MESSAGE)


CsrfProtected = Annotated[None, Depends(csrf_protect)]
