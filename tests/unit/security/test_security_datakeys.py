from __future__ import annotations

from collections.abc import Callable

import pytest

from config.settings import Settings
from models.client import Client
from security.crypto import DecryptionError
from security.datakeys import (
    ClientCipher,
    ClientErasedError,
    new_data_key,
    unwrap_data_key,
    wrap_data_key,
    wrapped_key_id,
)
from security.keyring import KeyRing, UnknownKeyError

WithKeys = Callable[[Settings, dict[str, str], str], Settings]


def _ring(keys: dict[str, str], active: str) -> KeyRing:
    return KeyRing.parse(",".join(f"{k}:{v}" for k, v in keys.items()), active)


def test_wrap_unwrap_round_trip_records_key_id(master_keys: dict[str, str]) -> None:
    ring = _ring(master_keys, "k1")
    data_key = new_data_key()
    wrapped = wrap_data_key(ring, data_key, "client-1")
    assert wrapped.startswith("k1.")
    assert wrapped_key_id(wrapped) == "k1"
    assert len(wrapped) <= 200  # fits Client.wrapped_key
    assert unwrap_data_key(ring, wrapped, "client-1") == data_key


def test_wrapped_key_moved_to_another_client_fails(master_keys: dict[str, str]) -> None:
    ring = _ring(master_keys, "k1")
    wrapped = wrap_data_key(ring, new_data_key(), "client-1")
    with pytest.raises(DecryptionError):
        unwrap_data_key(ring, wrapped, "client-2")


def test_relabelled_key_id_fails(master_keys: dict[str, str]) -> None:
    ring = _ring(master_keys, "k1")
    wrapped = wrap_data_key(ring, new_data_key(), "client-1")
    with pytest.raises(DecryptionError):
        unwrap_data_key(ring, "k2." + wrapped.partition(".")[2], "client-1")


def test_unwrap_with_key_missing_from_ring(master_keys: dict[str, str]) -> None:
    wrapped = wrap_data_key(_ring(master_keys, "k1"), new_data_key(), "client-1")
    ring_without_k1 = _ring({"k2": master_keys["k2"]}, "k2")
    with pytest.raises(UnknownKeyError):
        unwrap_data_key(ring_without_k1, wrapped, "client-1")


@pytest.mark.parametrize("wrapped", ["", "k1", "k1.", ".abc"])
def test_malformed_wrapped_key(wrapped: str, master_keys: dict[str, str]) -> None:
    with pytest.raises(DecryptionError):
        unwrap_data_key(_ring(master_keys, "k1"), wrapped, "client-1")


def test_client_cipher_round_trip(settings: Settings) -> None:
    wrapped, cipher = ClientCipher.new_client("c1", settings)
    client = Client(id="c1", wrapped_key=wrapped, departement="75")
    token = cipher.encrypt("client", "email_enc", "c1", "jean@example.fr")
    assert token is not None and "jean" not in token
    reopened = ClientCipher.for_client(client, settings)
    assert reopened.decrypt("client", "email_enc", "c1", token) == "jean@example.fr"
    assert reopened.encrypt("client", "phone_enc", "c1", None) is None
    assert reopened.decrypt("client", "phone_enc", "c1", None) is None
    blob = cipher.encrypt_blob("document:d1", b"%PDF avis d'imposition")
    assert reopened.decrypt_blob("document:d1", blob) == b"%PDF avis d'imposition"


def test_client_cipher_binds_row_and_column(settings: Settings) -> None:
    _, cipher = ClientCipher.new_client("c1", settings)
    token = cipher.encrypt("client", "email_enc", "c1", "jean@example.fr")
    with pytest.raises(DecryptionError):
        cipher.decrypt("client", "last_name_enc", "c1", token)
    with pytest.raises(DecryptionError):
        cipher.decrypt("client", "email_enc", "c2", token)


def test_one_clients_data_cannot_be_read_with_anothers_key(settings: Settings) -> None:
    _, alice = ClientCipher.new_client("c1", settings)
    _, bob = ClientCipher.new_client("c1", settings)  # same id, different data key
    token = alice.encrypt("client", "email_enc", "c1", "alice@example.fr")
    with pytest.raises(DecryptionError):
        bob.decrypt("client", "email_enc", "c1", token)


def test_erased_client_cannot_be_opened(settings: Settings) -> None:
    client = Client(id="c1", wrapped_key=None, departement="75")
    with pytest.raises(ClientErasedError):
        ClientCipher.for_client(client, settings)


def test_old_ciphertexts_decrypt_after_adding_a_new_active_key(
    settings: Settings, master_keys: dict[str, str], with_keys: WithKeys
) -> None:
    before = with_keys(settings, {"k1": master_keys["k1"]}, "k1")
    wrapped, cipher = ClientCipher.new_client("c1", before)
    token = cipher.encrypt("client", "email_enc", "c1", "jean@example.fr")

    after = with_keys(settings, master_keys, "k2")
    client = Client(id="c1", wrapped_key=wrapped, departement="75")
    assert ClientCipher.for_client(client, after).decrypt("client", "email_enc", "c1", token) == (
        "jean@example.fr"
    )
    # New clients are wrapped under the new active key.
    assert wrapped_key_id(ClientCipher.new_client("c2", after)[0]) == "k2"
