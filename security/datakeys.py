"""Per-client data keys, wrapped by the master key ring (crypto-shredding).

Each client's personal fields are encrypted under their own random data key. The data key is
stored wrapped ("<kid>.<base64>") by the active master key; erasing the client sets the wrapped
key to None, which leaves every copy of their data (backups included) unreadable.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Protocol

from config.settings import Settings
from domain.errors import CravelynosError
from security.crypto import (
    DecryptionError,
    decrypt_blob,
    decrypt_text,
    encrypt_blob,
    encrypt_text,
    field_aad,
)
from security.keyring import KeyRing, get_keyring

DATA_KEY_BYTES = 32


class KeyHolder(Protocol):
    """What a client row offers here: its id and its wrapped data key (None once erased)."""

    @property
    def id(self) -> str: ...

    @property
    def wrapped_key(self) -> str | None: ...


class ClientErasedError(CravelynosError):
    """The client's data key was destroyed: their personal data can no longer be read."""


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def _wrap_aad(kid: str, client_id: str) -> str:
    # Binds the wrapped key to its client (and master key id) so it cannot be moved.
    return f"client-data-key:{kid}:{client_id}"


def wrap_data_key(ring: KeyRing, data_key: bytes, client_id: str) -> str:
    kid = ring.active_id
    sealed = encrypt_blob(ring.active_key, data_key, _wrap_aad(kid, client_id))
    return f"{kid}.{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def wrapped_key_id(wrapped: str) -> str:
    kid, sep, body = wrapped.partition(".")
    if not sep or not kid or not body:
        raise DecryptionError("malformed wrapped data key")
    return kid


def unwrap_data_key(ring: KeyRing, wrapped: str, client_id: str) -> bytes:
    kid = wrapped_key_id(wrapped)
    key = ring.key(kid)
    try:
        sealed = base64.urlsafe_b64decode(wrapped.partition(".")[2].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DecryptionError("malformed wrapped data key") from None
    data_key = decrypt_blob(key, sealed, _wrap_aad(kid, client_id))
    if len(data_key) != DATA_KEY_BYTES:
        raise DecryptionError("unwrapped data key has the wrong length")
    return data_key


class ClientCipher:
    """Encrypts and decrypts one client's fields and files under their data key."""

    def __init__(self, client_id: str, data_key: bytes) -> None:
        if len(data_key) != DATA_KEY_BYTES:
            raise ValueError("a client data key is 32 bytes")
        self._client_id = client_id
        self._key = data_key

    @property
    def client_id(self) -> str:
        return self._client_id

    @classmethod
    def for_client(cls, client: KeyHolder, settings: Settings) -> ClientCipher:
        if client.wrapped_key is None:
            raise ClientErasedError(f"client {client.id} was erased: their data key is destroyed")
        data_key = unwrap_data_key(get_keyring(settings), client.wrapped_key, client.id)
        return cls(client.id, data_key)

    @classmethod
    def new_client(cls, client_id: str, settings: Settings) -> tuple[str, ClientCipher]:
        data_key = new_data_key()
        wrapped = wrap_data_key(get_keyring(settings), data_key, client_id)
        return wrapped, cls(client_id, data_key)

    def encrypt(self, table: str, column: str, row_id: str | int, value: str | None) -> str | None:
        if value is None:
            return None
        return encrypt_text(self._key, value, field_aad(table, column, row_id))

    def decrypt(self, table: str, column: str, row_id: str | int, token: str | None) -> str | None:
        if token is None:
            return None
        return decrypt_text(self._key, token, field_aad(table, column, row_id))

    def encrypt_blob(self, aad: str, data: bytes) -> bytes:
        return encrypt_blob(self._key, data, aad)

    def decrypt_blob(self, aad: str, blob: bytes) -> bytes:
        return decrypt_blob(self._key, blob, aad)

    def __repr__(self) -> str:
        return f"ClientCipher(client_id={self._client_id!r})"
