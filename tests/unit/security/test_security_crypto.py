from __future__ import annotations

import base64
import os

import pytest

from security.crypto import (
    DecryptionError,
    decrypt_blob,
    decrypt_text,
    encrypt_blob,
    encrypt_text,
    field_aad,
)

KEY = os.urandom(32)
AAD = field_aad("client", "email_enc", "c1")


def _flip(token: str, index: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[index] ^= 0x01
    return "v1." + base64.urlsafe_b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("plaintext", ["jean.dupont@example.fr", "", "Élodie Lefèvre — 12 €"])
def test_text_round_trip(plaintext: str) -> None:
    token = encrypt_text(KEY, plaintext, AAD)
    assert token.startswith("v1.")
    if plaintext:
        assert plaintext not in token
    assert decrypt_text(KEY, token, AAD) == plaintext


def test_each_encryption_uses_a_fresh_nonce() -> None:
    first, second = encrypt_text(KEY, "same", AAD), encrypt_text(KEY, "same", AAD)
    assert first != second
    assert base64.urlsafe_b64decode(first[3:])[:12] != base64.urlsafe_b64decode(second[3:])[:12]


def test_ciphertext_swapped_to_another_row_fails() -> None:
    token = encrypt_text(KEY, "secret", field_aad("client", "email_enc", "c1"))
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, token, field_aad("client", "email_enc", "c2"))


def test_ciphertext_swapped_to_another_column_or_table_fails() -> None:
    token = encrypt_text(KEY, "secret", field_aad("client", "email_enc", "c1"))
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, token, field_aad("client", "phone_enc", "c1"))
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, token, field_aad("document", "email_enc", "c1"))


def test_field_aad_is_unambiguous() -> None:
    assert field_aad("a/b", "c", "d") != field_aad("a", "b/c", "d")
    assert field_aad("a", "b", "c,d") != field_aad("a", "b,c", "d")
    # Integer primary keys name the same row as their text form.
    assert field_aad("dossier_creditor", "account_reference_enc", 5) == field_aad(
        "dossier_creditor", "account_reference_enc", "5"
    )


@pytest.mark.parametrize("index", [0, 11, 12, -1])
def test_tampered_token_fails(index: int) -> None:
    token = encrypt_text(KEY, "secret", AAD)
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, _flip(token, index), AAD)


def test_wrong_key_fails() -> None:
    token = encrypt_text(KEY, "secret", AAD)
    with pytest.raises(DecryptionError):
        decrypt_text(os.urandom(32), token, AAD)


@pytest.mark.parametrize("token", ["v2.AAAA", "plain text", "v1.", "v1.AAAA", "v1.!!!!"])
def test_malformed_tokens_fail(token: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_text(KEY, token, AAD)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32-byte"):
        encrypt_text(os.urandom(16), "x", AAD)


def test_blob_round_trip_and_tamper() -> None:
    data = os.urandom(1000) + b"%PDF-1.7 releve de compte"
    blob = encrypt_blob(KEY, data, "document:d1")
    assert b"releve de compte" not in blob
    assert decrypt_blob(KEY, blob, "document:d1") == data
    with pytest.raises(DecryptionError):
        decrypt_blob(KEY, blob, "document:d2")
    tampered = bytearray(blob)
    tampered[20] ^= 0x80
    with pytest.raises(DecryptionError):
        decrypt_blob(KEY, bytes(tampered), "document:d1")
    with pytest.raises(DecryptionError):
        decrypt_blob(KEY, b"\x02" + blob[1:], "document:d1")
