"""Keyed blind indexes: exact-match lookups on encrypted values without storing them.

The index is HMAC-SHA256 under a per-purpose subkey derived from settings.blind_index_key, so the
same value indexed for two purposes (e.g. email and last name) gives unrelated indexes.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

from config.settings import Settings


def normalise(value: str) -> str:
    """What counts as "the same value": NFKC, case-folded, trimmed, inner whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    # Case folding can leave non-NFKC sequences behind; normalise again so the result is stable.
    return " ".join(unicodedata.normalize("NFKC", folded).split())


def _subkey(purpose: str, settings: Settings) -> bytes:
    if not purpose:
        raise ValueError("a blind index needs a purpose")
    secret = settings.blind_index_key
    if not secret:
        raise ValueError("CRAVELYNOS_BLIND_INDEX_KEY is not set")
    subkey = hmac.new(secret.encode("utf-8"), b"blind-index:" + purpose.encode("utf-8"), "sha256")
    return subkey.digest()


def blind_index(purpose: str, value: str, settings: Settings) -> str:
    return _index(_subkey(purpose, settings), value)


def _index(subkey: bytes, value: str) -> str:
    return hmac.new(subkey, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


class BlindIndexer:
    """blind_index() with each purpose's subkey derived once, for indexing many values."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._subkeys: dict[str, bytes] = {}

    def __call__(self, purpose: str, value: str) -> str:
        subkey = self._subkeys.get(purpose)
        if subkey is None:
            subkey = self._subkeys[purpose] = _subkey(purpose, self._settings)
        return _index(subkey, value)
