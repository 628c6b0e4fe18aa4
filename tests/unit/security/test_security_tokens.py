from __future__ import annotations

import time

import pytest

from config.settings import Settings
from security.tokens import (
    TokenError,
    TokenExpired,
    TokenInvalid,
    read_token,
    sign_token,
)


def test_round_trip(settings: Settings) -> None:
    token = sign_token("unsubscribe", {"client": "c1", "n": 3}, settings)
    assert read_token("unsubscribe", token, 3600, settings) == {"client": "c1", "n": 3}


def test_other_purpose_is_refused(settings: Settings) -> None:
    token = sign_token("unsubscribe", {"client": "c1"}, settings)
    with pytest.raises(TokenInvalid):
        read_token("password-reset", token, 3600, settings)


def _flip_last(token: str) -> str:
    # Not the very last character: its low bits are base64 padding, and changing only those
    # would leave the signature bytes (and so the token) intact.
    position = len(token) - 5
    return token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]


def test_tampered_token_is_invalid(settings: Settings) -> None:
    token = sign_token("unsubscribe", {"client": "c1"}, settings)
    _, _, signature = token.rpartition(".")
    other_body, _, _ = sign_token("unsubscribe", {"client": "c2"}, settings).rpartition(".")
    with pytest.raises(TokenInvalid):
        read_token("unsubscribe", f"{other_body}.{signature}", 3600, settings)
    with pytest.raises(TokenInvalid):
        read_token("unsubscribe", _flip_last(token), 3600, settings)
    with pytest.raises(TokenInvalid):
        read_token("unsubscribe", "garbage", 3600, settings)


def test_other_secret_is_refused(settings: Settings) -> None:
    token = sign_token("unsubscribe", {"client": "c1"}, settings)
    other = settings.model_copy(update={"session_secret": "a-different-session-secret"})
    with pytest.raises(TokenInvalid):
        read_token("unsubscribe", token, 3600, other)


def test_expired_is_distinct_from_invalid(settings: Settings) -> None:
    token = sign_token("password-reset", {"staff": 7}, settings)
    # Timestamps have one-second resolution: after 1.1 s the token is at least 1 s old.
    time.sleep(1.1)
    assert read_token("password-reset", token, 60, settings) == {"staff": 7}
    with pytest.raises(TokenExpired) as caught:
        read_token("password-reset", token, 0, settings)
    assert not isinstance(caught.value, TokenInvalid)
    assert isinstance(caught.value, TokenError)
    # An expired token that was also tampered with is reported as invalid.
    with pytest.raises(TokenInvalid):
        read_token("password-reset", _flip_last(token), 0, settings)
