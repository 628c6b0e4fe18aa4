from __future__ import annotations

import re

import pytest

from config.settings import Settings
from security.blind_index import blind_index, normalise


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("  Jean.Dupont@Example.COM \n", "jean.dupont@example.com"),
        ("Le   Gall", "le gall"),
        ("Le\tGall", "le gall"),
        ("ＤＵＰＯＮＴ", "dupont"),  # fullwidth letters (NFKC)
        ("ﬁlion", "filion"),  # ligature (NFKC)
        ("STRASSE", "straße"),  # case folding, not lowercasing
        ("Lefe\u0300vre", "lefèvre"),  # combining accent vs precomposed
    ],
)
def test_variants_share_an_index(variant: str, canonical: str, settings: Settings) -> None:
    assert normalise(variant) == normalise(canonical)
    assert blind_index("email", variant, settings) == blind_index("email", canonical, settings)


def test_index_is_hex_sha256_and_hides_the_value(settings: Settings) -> None:
    index = blind_index("email", "jean@example.fr", settings)
    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert "jean" not in index


def test_different_values_differ(settings: Settings) -> None:
    assert blind_index("last_name", "Dupont", settings) != blind_index(
        "last_name", "Dupond", settings
    )
    # Inner whitespace is collapsed, not removed.
    assert blind_index("last_name", "le gall", settings) != blind_index(
        "last_name", "legall", settings
    )


def test_purposes_give_different_indexes(settings: Settings) -> None:
    assert blind_index("email", "dupont", settings) != blind_index("last_name", "dupont", settings)


def test_index_depends_on_the_key(settings: Settings) -> None:
    other = settings.model_copy(update={"blind_index_key": "another-secret-key-for-this-test"})
    assert blind_index("email", "a@b.fr", settings) != blind_index("email", "a@b.fr", other)


def test_empty_purpose_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="purpose"):
        blind_index("", "x", settings)
