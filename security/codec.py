"""Temporal payload codec: everything sent to Temporal is encrypted with the master key ring.

Each payload is serialised whole (data and metadata) and encrypted with the active master key;
the outer payload only says it is encrypted and under which key id, so the Temporal server and
Web UI see ciphertext.

The app and the workers decode strictly: a payload that is not ours is refused, so only holders
of the keys can update or query a workflow (an unencrypted `close` sent straight to the Temporal
frontend used to be obeyed, with whatever actor it named). It is refused by replacing it with a
payload no converter reads, rather than by raising: the update's arguments then fail to convert
and the SDK rejects that update alone, where an exception here would fail the whole workflow
task, again and again. The remote codec the Web UI calls decodes leniently: it only displays,
and passes through what it cannot decrypt.
"""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from config.settings import Settings
from domain.errors import CravelynosError
from security.crypto import decrypt_blob, encrypt_blob
from security.keyring import KeyRing, get_keyring

ENCODING = b"binary/encrypted"
# What a strict decoder makes of a payload without our encryption: no payload converter knows
# this encoding, so turning it into a value fails with it in the message.
REFUSED_ENCODING = b"binary/refused-unencrypted"
KEY_ID_METADATA = "encryption-key-id"


class PayloadDecodeError(CravelynosError, ValueError):
    """An encrypted payload is malformed (for example, it has no key id)."""


def _aad(kid: str) -> str:
    return f"temporal-payload:{kid}"


class EncryptionCodec(PayloadCodec):
    def __init__(self, ring: KeyRing, *, strict: bool = True) -> None:
        self._ring = ring
        self._strict = strict

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        kid = self._ring.active_id
        key = self._ring.active_key
        return [
            Payload(
                metadata={"encoding": ENCODING, KEY_ID_METADATA: kid.encode("ascii")},
                data=encrypt_blob(key, payload.SerializeToString(), _aad(kid)),
            )
            for payload in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        result: list[Payload] = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                result.append(
                    Payload(metadata={"encoding": REFUSED_ENCODING}) if self._strict else payload
                )
                continue
            raw_kid = payload.metadata.get(KEY_ID_METADATA)
            if not raw_kid:
                raise PayloadDecodeError(f"encrypted payload without {KEY_ID_METADATA!r}")
            kid = raw_kid.decode("ascii", errors="replace")
            plain = decrypt_blob(self._ring.key(kid), payload.data, _aad(kid))
            result.append(Payload.FromString(plain))
        return result


def make_data_converter(settings: Settings) -> DataConverter:
    # Failure messages and stack traces are moved into encoded attributes so the codec encrypts
    # them too: an exception message may quote personal data.
    return DataConverter(
        payload_codec=EncryptionCodec(get_keyring(settings)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
