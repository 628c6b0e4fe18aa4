from __future__ import annotations

import base64

import pytest

from config.settings import Settings
from security.keyring import (
    KeyRing,
    KeyRingError,
    UnknownKeyError,
    generate_key,
    get_keyring,
)


def test_generate_key_is_32_random_bytes() -> None:
    first, second = generate_key(), generate_key()
    assert len(base64.b64decode(first)) == 32
    assert first != second


def test_parse_ring_with_two_keys() -> None:
    k1, k2 = generate_key(), generate_key()
    ring = KeyRing.parse(f"k1:{k1}, k2:{k2}", "k2")
    assert ring.ids == ("k1", "k2")
    assert ring.active_id == "k2"
    assert ring.active_key == base64.b64decode(k2)
    assert ring.key("k1") == base64.b64decode(k1)


def test_urlsafe_base64_is_accepted() -> None:
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    ring = KeyRing.parse(f"k:{base64.urlsafe_b64encode(raw).decode()}", "k")
    assert ring.active_key == raw


def test_unknown_key_id_raises_with_clear_message() -> None:
    ring = KeyRing.parse(f"k1:{generate_key()}", "k1")
    with pytest.raises(UnknownKeyError, match="unknown master key id 'old'"):
        ring.key("old")


@pytest.mark.parametrize(
    ("spec", "active", "message"),
    [
        ("", "k1", "empty"),
        ("k1:{key}", "k2", "not in the ring"),
        ("k1:{key},k1:{key}", "k1", "twice"),
        ("k1", "k1", "lacks"),
        ("k1:not*base64", "k1", "base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "k1", "32 bytes"),
        ("bad.id:{key}", "bad.id", "invalid key id"),
    ],
)
def test_malformed_specs_are_refused(spec: str, active: str, message: str) -> None:
    with pytest.raises(KeyRingError, match=message):
        KeyRing.parse(spec.format(key=generate_key()), active)


def test_repr_hides_key_material() -> None:
    key = generate_key()
    ring = KeyRing.parse(f"k1:{key}", "k1")
    assert key not in repr(ring)
    assert "k1" in repr(ring)


def test_get_keyring_reads_settings_and_caches(settings: Settings) -> None:
    ring = get_keyring(settings)
    assert ring.active_id == settings.active_key_id
    assert get_keyring(settings) is ring
