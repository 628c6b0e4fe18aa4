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
# The largest value of a BIGINT column: an id past it can name no row (and overflows drivers).
MAX_ROW_ID = 2**63 - 1
MAX_PAGE = 1_000_000
ASCII_DIGITS = frozenset("0123456789")

E = TypeVar("E", bound=Enum)
# A field validator: the cleaned text, None when empty and optional; PydanticCustomError else.
TextCheck = Callable[[str | None], str | None]


def refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError(ERROR_TYPE, message)


CONTROL_MESSAGE = "Ce texte contient des caractères non autorisés."
INVISIBLE_MESSAGE = (
    "Ce texte contient un caractère invisible ou qui inverse le sens de lecture ({code}) : "
    "retapez-le sans copier-coller."
)
MIXED_SCRIPTS_MESSAGE = (
    "« {word} » mélange plusieurs alphabets (par exemple un « а » cyrillique parmi des lettres "
    "latines) : retapez-le au clavier."
)
# Unicode categories refused in any text: Cf holds the direction overrides, zero-width
# characters and the BOM; Cs lone surrogates (only JSON escapes make them); Co private use.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cs", "Co"})


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """The message for the first character no text may hold, or None."""
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" and not (multiline and character == "\n"):
            return CONTROL_MESSAGE
        if category in INVISIBLE_CATEGORIES:
            return INVISIBLE_MESSAGE.format(code=f"U+{ord(character):04X}")
    return None


def _script(letter: str) -> str:
    # The first word of a letter's Unicode name is its script: LATIN, CYRILLIC, GREEK...
    return unicodedata.name(letter, "UNKNOWN").split(" ", 1)[0]


def mixed_scripts_message(text: str) -> str | None:
    """A word mixing scripts ("Mаrie" with a Cyrillic а) is a look-alike, never a real name."""
    for word in text.split():
        scripts = {_script(c) for c in word if c.isalpha()}
        if len(scripts) > 1:
            return MIXED_SCRIPTS_MESSAGE.format(word=word)
    return None


def text_check(
    label: str,
    max_length: int,
    *,
    multiline: bool,
    required: bool,
    missing: str = REQUIRED_MESSAGE,
    name: bool = False,
) -> TextCheck:
    """Blank space folded (line by line when multiline) and NFC-normalised; control, invisible
    and direction characters, length and pasted credentials refused, and for a `name`
    look-alikes mixing scripts; `missing` is said of an empty required field."""

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
        # Checked before folding: a line break inside a one-line field (a name) is refused,
        # not silently turned into a space.
        problem = refused_character(
            value.strip() if not multiline else cleaned, multiline=multiline
        )
        if problem:
            raise refuse(problem)
        # One spelling per text: a decomposed "é" (e + accent) compares equal to the typed one.
        cleaned = unicodedata.normalize("NFC", cleaned)
        if len(cleaned) > max_length:
            raise refuse(f"{max_length} caractères au maximum.")
        if name and (problem := mixed_scripts_message(cleaned)):
            raise refuse(problem)
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


def name_text(
    label: str, max_length: int, *, required: bool = True, missing: str = REQUIRED_MESSAGE
) -> TextCheck:
    """A person's or an organisation's name: one line, and no look-alike mixing scripts."""
    return text_check(
        label, max_length, multiline=False, required=required, missing=missing, name=True
    )


def check_field(check: TextCheck, value: str, errors: dict[str, str], field: str) -> str | None:
    """For forms checked by hand rather than by a pydantic model: the cleaned value, or None
    with the field's message added to `errors`."""
    try:
        return check(value)
    except PydanticCustomError as exc:
        errors[field] = exc.message()
        return None


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


def whole_number(text: str, maximum: int = MAX_ROW_ID) -> int | None:
    """`text` as a whole number from 0 to `maximum`, or None. Only ASCII digits count:
    `str.isdigit` accepts "²", which `int` refuses, and `int` reads "١" as 1."""
    if not text or len(text) > len(str(maximum)) or not set(text) <= ASCII_DIGITS:
        return None
    value = int(text)
    return value if value <= maximum else None
