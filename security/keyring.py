"""Master key ring: the active key encrypts, every key in the ring decrypts.

Keys are given as "kid:base64key,kid2:base64key". Rotation adds a new key and makes it active;
an old key leaves the ring only once nothing is encrypted under it any more.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from functools import lru_cache

from config.settings import Settings
from domain.errors import CravelynosError

KEY_BYTES = 32
# Key ids appear inside wrapped keys ("<kid>.<b64>") and Temporal metadata: keep them plain.
_KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class KeyRingError(CravelynosError, ValueError):
    """The key ring specification is malformed or unsafe."""


class UnknownKeyError(CravelynosError, KeyError):
    """Data was encrypted under a master key id that is not in the ring."""

    def __init__(self, kid: str) -> None:
        super().__init__(kid)
        self.kid = kid

    def __str__(self) -> str:
        return (
            f"unknown master key id {self.kid!r}: add it back to CRAVELYNOS_MASTER_KEYS "
            "(keys may leave the ring only after everything is re-encrypted)"
        )


class KeyRing:
    def __init__(self, keys: dict[str, bytes], active_id: str) -> None:
        if not keys:
            raise KeyRingError("the key ring is empty")
        for kid, key in keys.items():
            if not _KID_PATTERN.match(kid):
                raise KeyRingError(f"invalid key id {kid!r}: use 1-64 of [A-Za-z0-9_-]")
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"key {kid!r} must be {KEY_BYTES} bytes, got {len(key)}")
        if active_id not in keys:
            raise KeyRingError(f"active key id {active_id!r} is not in the ring")
        self._keys = dict(keys)
        self._active_id = active_id

    @classmethod
    def parse(cls, spec: str, active_id: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        for item in spec.split(","):
            item = item.strip()
            if not item:
                continue
            kid, sep, encoded = item.partition(":")
            kid = kid.strip()
            if not sep:
                raise KeyRingError(f"key ring entry for {kid!r} lacks ':<base64 key>'")
            if kid in keys:
                raise KeyRingError(f"key id {kid!r} appears twice")
            keys[kid] = _decode_key(kid, encoded.strip())
        return cls(keys, active_id.strip())

    @property
    def active_id(self) -> str:
        return self._active_id

    @property
    def active_key(self) -> bytes:
        return self._keys[self._active_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def key(self, kid: str) -> bytes:
        try:
            return self._keys[kid]
        except KeyError:
            raise UnknownKeyError(kid) from None

    def __repr__(self) -> str:
        # Never print key material.
        return f"KeyRing(ids={list(self._keys)!r}, active_id={self._active_id!r})"


def _decode_key(kid: str, encoded: str) -> bytes:
    # Accept the URL-safe alphabet too: keys are often pasted from other tools.
    normalised = encoded.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyRingError(f"key {kid!r} is not valid base64") from exc


def generate_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


@lru_cache(maxsize=8)
def _parse_cached(spec: str, active_id: str) -> KeyRing:
    return KeyRing.parse(spec, active_id)


def get_keyring(settings: Settings) -> KeyRing:
    return _parse_cached(settings.master_keys, settings.active_key_id)
