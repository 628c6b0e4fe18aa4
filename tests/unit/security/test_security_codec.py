from __future__ import annotations

from dataclasses import dataclass

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from config.settings import Settings
from security.codec import (
    EncryptionCodec,
    PayloadDecodeError,
    make_data_converter,
)
from security.crypto import DecryptionError
from security.keyring import KeyRing, UnknownKeyError, generate_key


@dataclass
class Intake:
    dossier_id: str
    note: str
    amounts: list[int]


SECRET = "Jean Dupont, IBAN FR76 3000 6000 0112 3456 7890 189"


def _ring(keys: dict[str, str], active: str) -> KeyRing:
    return KeyRing.parse(",".join(f"{k}:{v}" for k, v in keys.items()), active)


async def test_data_converter_round_trip_hides_plaintext(settings: Settings) -> None:
    converter = make_data_converter(settings)
    value = Intake(dossier_id="d1", note=SECRET, amounts=[120, 45])
    payloads = await converter.encode([value])

    assert len(payloads) == 1
    payload = payloads[0]
    assert payload.metadata["encoding"] == b"binary/encrypted"
    assert payload.metadata["encryption-key-id"] == settings.active_key_id.encode()
    wire = payload.SerializeToString()
    for fragment in (b"Jean Dupont", b"FR76", b"dossier_id", b"json/plain"):
        assert fragment not in wire

    assert await converter.decode(payloads, [Intake]) == [value]


async def test_unencrypted_payloads_are_refused_by_the_app_and_shown_by_the_ui_codec(
    settings: Settings,
) -> None:
    plain = await DataConverter.default.encode([Intake("d1", "n", [1])])
    with pytest.raises(Exception, match="refused-unencrypted"):
        await make_data_converter(settings).decode(plain, [Intake])
    lenient = EncryptionCodec(_ring({"k1": generate_key()}, "k1"), strict=False)
    assert await lenient.decode(plain) == plain


async def test_old_key_still_decodes_after_rotation() -> None:
    keys = {"k1": generate_key(), "k2": generate_key()}
    encoded = await EncryptionCodec(_ring({"k1": keys["k1"]}, "k1")).encode(
        [Payload(metadata={"encoding": b"json/plain"}, data=b'"x"')]
    )
    rotated = EncryptionCodec(_ring(keys, "k2"))
    decoded = await rotated.decode(encoded)
    assert decoded[0].data == b'"x"'
    assert decoded[0].metadata["encoding"] == b"json/plain"
    assert (await rotated.encode(decoded))[0].metadata["encryption-key-id"] == b"k2"


async def test_unknown_key_id_is_a_clear_error() -> None:
    encoded = await EncryptionCodec(_ring({"gone": generate_key()}, "gone")).encode(
        [Payload(metadata={"encoding": b"json/plain"}, data=b"1")]
    )
    with pytest.raises(UnknownKeyError, match="unknown master key id 'gone'"):
        await EncryptionCodec(_ring({"k1": generate_key()}, "k1")).decode(encoded)


async def test_tampered_or_keyless_payloads_fail() -> None:
    codec = EncryptionCodec(_ring({"k1": generate_key()}, "k1"))
    [encoded] = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b"1")])
    tampered = Payload()
    tampered.CopyFrom(encoded)
    tampered.data = encoded.data[:-1] + bytes([encoded.data[-1] ^ 1])
    with pytest.raises(DecryptionError):
        await codec.decode([tampered])
    keyless = Payload(metadata={"encoding": b"binary/encrypted"}, data=encoded.data)
    with pytest.raises(PayloadDecodeError):
        await codec.decode([keyless])


async def test_failure_messages_are_encrypted(settings: Settings) -> None:
    from temporalio.api.failure.v1 import Failure
    from temporalio.exceptions import ApplicationError

    converter = make_data_converter(settings)
    failure = Failure()
    await converter.encode_failure(ApplicationError(SECRET, non_retryable=True), failure)
    assert b"Jean Dupont" not in failure.SerializeToString()
    decoded = await converter.decode_failure(failure)
    assert SECRET in str(decoded)
