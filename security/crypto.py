"""AES-256-GCM for fields and files.

Text tokens are "v1." + URL-safe base64 of nonce || ciphertext+tag; blobs are a version byte,
the nonce and the ciphertext+tag. Nonces are 96 random bits: with a key per client the number of
encryptions under one key stays far below the random-nonce collision bound. The associated data
names where a ciphertext belongs, so one moved to another row or column no longer decrypts.
"""

from __future__ import annotations

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import CravelynosError

NONCE_BYTES = 12
TAG_BYTES = 16
TEXT_PREFIX = "v1."
BLOB_VERSION = b"\x01"


class DecryptionError(CravelynosError, ValueError):
    """The ciphertext is malformed, was tampered with, or belongs elsewhere (key or AAD)."""


def field_aad(table: str, column: str, row_id: str | int) -> str:
    # JSON keeps the parts unambiguous whatever characters they contain.
    return json.dumps(["field", table, column, str(row_id)], separators=(",", ":"))


def _seal(key: bytes, data: bytes, aad: str) -> bytes:
    _check_key(key)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad.encode("utf-8"))


def _open(key: bytes, sealed: bytes, aad: str) -> bytes:
    _check_key(key)
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, aad.encode("utf-8"))
    except InvalidTag:
        raise DecryptionError(
            "authentication failed (wrong key, wrong context or tampered)"
        ) from None


def _check_key(key: bytes) -> None:
    if len(key) != 32:
        raise ValueError("AES-256-GCM needs a 32-byte key")


def encrypt_text(key: bytes, plaintext: str, aad: str) -> str:
    sealed = _seal(key, plaintext.encode("utf-8"), aad)
    return TEXT_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def decrypt_text(key: bytes, token: str, aad: str) -> str:
    if not token.startswith(TEXT_PREFIX):
        raise DecryptionError("unknown ciphertext format")
    try:
        sealed = base64.urlsafe_b64decode(token[len(TEXT_PREFIX) :].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DecryptionError("ciphertext is not valid base64") from None
    try:
        return _open(key, sealed, aad).decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptionError("plaintext is not UTF-8") from None


def encrypt_blob(key: bytes, data: bytes, aad: str) -> bytes:
    return BLOB_VERSION + _seal(key, data, aad)


def decrypt_blob(key: bytes, blob: bytes, aad: str) -> bytes:
    if blob[:1] != BLOB_VERSION:
        raise DecryptionError("unknown blob format")
    return _open(key, blob[1:], aad)
