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


def blind_index(purpose: str, value: str, settings: Settings) -> str:
    if not purpose:
        raise ValueError("a blind index needs a purpose")
    secret = settings.blind_index_key
    if not secret:
        raise ValueError("CRAVELYNOS_BLIND_INDEX_KEY is not set")
    subkey = hmac.new(secret.encode("utf-8"), b"blind-index:" + purpose.encode("utf-8"), "sha256")
    return hmac.new(subkey.digest(), normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()
