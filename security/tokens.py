"""Signed, timestamped tokens (links in emails, API tokens), one salt per purpose.

A token signed for one purpose never reads as another. Expired and tampered tokens raise
different errors so the caller can tell the person "this link has expired" instead of "invalid".
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from config.settings import Settings
from domain.errors import CravelynosError


class TokenError(CravelynosError):
    """Base class: the token cannot be accepted."""


class TokenInvalid(TokenError):
    """The token is malformed, tampered with, or signed for another purpose or with another key."""


class TokenExpired(TokenError):
    """The token is authentic but older than allowed."""


def _serializer(purpose: str, settings: Settings) -> URLSafeTimedSerializer:
    if not purpose:
        raise ValueError("a token needs a purpose")
    secret = settings.session_secret
    if not secret:
        raise ValueError("CRAVELYNOS_SESSION_SECRET is not set")
    return URLSafeTimedSerializer(secret, salt=purpose)


def sign_token(purpose: str, payload: dict[str, Any], settings: Settings) -> str:
    return _serializer(purpose, settings).dumps(payload)


def read_token(
    purpose: str, token: str, max_age_seconds: int, settings: Settings
) -> dict[str, Any]:
    try:
        payload = _serializer(purpose, settings).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise TokenExpired(f"{purpose} token expired") from None
    except BadSignature:
        raise TokenInvalid(f"{purpose} token is invalid") from None
    if not isinstance(payload, dict):
        raise TokenInvalid(f"{purpose} token does not hold an object")
    return payload
