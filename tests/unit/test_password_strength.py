"""Obviously weak passwords are refused with the reason; passphrases pass."""

from __future__ import annotations

import pytest

from domain.password_strength import (
    TOO_COMMON,
    TOO_FEW_CHARACTERS,
    TOO_PERSONAL,
    weak_password_reason,
)

PERSONAL = ("alice.martin@cravelynos.example", "Alice Martin")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaaaaaa", TOO_FEW_CHARACTERS),
        ("abababababab1212", TOO_FEW_CHARACTERS),
        ("123456789012", TOO_COMMON),
        ("Azerty!2026#", TOO_COMMON),
        ("motdepassemotdepasse", TOO_COMMON),
        ("MARTIN-et-ses-chats", TOO_PERSONAL),
        ("mon Cravelynos à moi", TOO_PERSONAL),
    ],
)
def test_weak_passwords_say_why(password: str, reason: str) -> None:
    assert weak_password_reason(password, PERSONAL) == reason


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "des pommes vertes sous la pluie", "Ali et 3 lapins bleus"],
)
def test_passphrases_pass(password: str) -> None:
    # "ali" is shorter than a name part worth refusing.
    assert weak_password_reason(password, PERSONAL) is None
