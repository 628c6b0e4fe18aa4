"""Field checks shared by every pydantic model of typed input, with French messages.

A check raises `refuse(message)`: the message reaches the form or the API answer word for word
(domain/intake.py translates every other pydantic error).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from pydantic_core import PydanticCustomError

from domain.credentials import credential_message, looks_like_credential

REQUIRED_MESSAGE = "Ce champ est obligatoire."
ERROR_TYPE = "cravelynos"

E = TypeVar("E", bound=Enum)
# A field validator: the cleaned text, None when empty and optional; PydanticCustomError else.
TextCheck = Callable[[str | None], str | None]


def refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError(ERROR_TYPE, message)


def text_check(
    label: str,
    max_length: int,
    *,
    multiline: bool,
    required: bool,
    missing: str = REQUIRED_MESSAGE,
) -> TextCheck:
    """Blank space folded (line by line when multiline), control characters, length and pasted
    credentials refused; `missing` is said of an empty required field."""

    def check(value: str | None) -> str | None:
        if value is None:
            if required:
                raise refuse(missing)
            return None
        if multiline:
            cleaned = "\n".join(line.strip() for line in value.strip().splitlines())
        else:
            cleaned = " ".join(value.split())
        if not cleaned:
            if required:
                raise refuse(missing)
            return None
        if any(unicodedata.category(c) == "Cc" and c != "\n" for c in cleaned):
            raise refuse("Ce texte contient des caractères non autorisés.")
        if len(cleaned) > max_length:
            raise refuse(f"{max_length} caractères au maximum.")
        if looks_like_credential(cleaned):
            raise refuse(credential_message(label))
        return cleaned

    return check


def required_text(
    label: str, max_length: int, *, multiline: bool = False, missing: str = REQUIRED_MESSAGE
) -> TextCheck:
    return text_check(label, max_length, multiline=multiline, required=True, missing=missing)


def optional_text(label: str, max_length: int, *, multiline: bool = False) -> TextCheck:
    return text_check(label, max_length, multiline=multiline, required=False)


def normalised(normalise: Callable[[str], str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip():
            raise refuse(REQUIRED_MESSAGE)
        try:
            return normalise(value)
        except ValueError as exc:
            raise refuse(str(exc)) from None

    return check


def choice(enum: type[E], message: str) -> Callable[[Any], E]:
    """A value of `enum` picked in a list; `message` (what to choose) for anything else."""

    def check(value: Any) -> E:
        try:
            return enum(value)
        except ValueError:
            raise refuse(message) from None

    return check
