"""Rate limits for the login forms and the client's signed links, shared by every web process
(the counters live in the database: services/rate_limits.py).

Login: failed attempts are counted per source address, per source and account, and per
account. The per-account count is what a password-guessing botnet runs into; it must not lock
the real person out, so a browser where that account signed in before (it holds a signed
"known device" cookie) is counted on its own instead: strangers' failures never block it.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from config.settings import Settings
from models.database import session_scope
from security.blind_index import blind_index
from security.tokens import TokenError, read_token, sign_token
from services.rate_limits import record_hit, seconds_to_wait, take

# One address may try several accounts (a shared office), but not spray a whole list of them.
PER_SOURCE_FACTOR = 5
# Every source together, for one account, from browsers it never signed in on.
PER_ACCOUNT_FACTOR = 3
DEVICE_COOKIE = "cravelynos_device"
# The __Host- prefix makes browsers insist on Secure, path=/ and no Domain attribute.
PRODUCTION_DEVICE_COOKIE = "__Host-cravelynos_device"
DEVICE_PURPOSE = "login-device"
DEVICE_DAYS = 180


class SharedRateLimiter:
    """At most `limit` requests a minute per key, across processes."""

    def __init__(self, settings: Settings, limit: int) -> None:
        self.settings = settings
        self.limit = limit

    def hit(self, key: str) -> float:
        """Count a request; 0 if allowed, else the seconds to wait. Blocking: call off the loop."""
        with session_scope(self.settings) as session:
            return take(session, self.settings, key, self.limit)


class LoginRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.per_pair = settings.login_attempts_per_minute

    def _keys(self, source: str, email: str, device: str | None) -> dict[str, int]:
        account = email.strip().casefold()
        keys = {
            f"source:{source}": self.per_pair * PER_SOURCE_FACTOR,
            f"pair:{source}|{account}": self.per_pair,
        }
        if device:
            keys[f"device:{device}|{account}"] = self.per_pair
        else:
            keys[f"account:{account}"] = self.per_pair * PER_ACCOUNT_FACTOR
        return keys

    def wait(self, source: str, email: str, device: str | None = None) -> float:
        """0 if this attempt may proceed, else the seconds to wait. Counts nothing."""
        with session_scope(self.settings) as session:
            waits = [
                seconds_to_wait(session, self.settings, key, limit)
                for key, limit in self._keys(source, email, device).items()
            ]
        return max(waits)

    def failed(self, source: str, email: str, device: str | None = None) -> None:
        with session_scope(self.settings) as session:
            for key in self._keys(source, email, device):
                record_hit(session, self.settings, key)


def _cookie_name(settings: Settings) -> str:
    return PRODUCTION_DEVICE_COOKIE if settings.mode == "production" else DEVICE_COOKIE


def _account_tag(settings: Settings, email: str) -> str:
    return blind_index("login-device", email.strip().casefold(), settings)[:32]


def known_device(request: Request, settings: Settings, email: str) -> str | None:
    """The device id if this browser signed in to `email`'s account before, else None."""
    token = request.cookies.get(_cookie_name(settings))
    if not token:
        return None
    try:
        payload = read_token(DEVICE_PURPOSE, token, DEVICE_DAYS * 86400, settings)
    except TokenError:
        return None
    if payload.get("account") != _account_tag(settings, email):
        return None
    device = payload.get("device")
    return device if isinstance(device, str) else None


def remember_device(response: Response, settings: Settings, email: str) -> None:
    """After a successful sign-in: this browser is now known for this account."""
    token = sign_token(
        DEVICE_PURPOSE,
        {"account": _account_tag(settings, email), "device": secrets.token_urlsafe(12)},
        settings,
    )
    response.set_cookie(
        _cookie_name(settings),
        token,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=settings.mode == "production",
        samesite="lax",
    )
