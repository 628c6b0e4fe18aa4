"""Field checks shared by every pydantic model of typed input, with French messages.

A check raises `refuse(message)`: the message reaches the form or the API answer word for word
(domain/intake.py translates every other pydantic error).
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from domain.credentials import credential_message, discloses_credential, looks_like_credential

REQUIRED_MESSAGE = "Ce champ est obligatoire."
ERROR_TYPE = "cravelynos"
# The largest id we accept: JavaScript's Number.MAX_SAFE_INTEGER, the largest every JSON
# client holds exactly (past it, 2**63 - 1 reads as 2**63). Far below a BIGINT's limit, so an
# id past it names no row and never overflows a driver.
MAX_ROW_ID = 2**53 - 1
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


class StatedField(ABC):
    """A field check that also states its rule in the API schema: used as
    `Annotated[str, check]`, it validates after the string type and writes `json_schema()`
    over the string variant of the field's schema."""

    @abstractmethod
    def __call__(self, value: str) -> Any: ...

    @abstractmethod
    def json_schema(self) -> dict[str, Any]: ...

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        for variant in json_schema.get("anyOf", [json_schema]):
            if variant.get("type") == "string":
                variant.update(self.json_schema())
        return json_schema


# The formats the API schema names for typed text (see TextRule.json_schema); each is defined
# by the description beside it, which the OpenAPI document carries.
TEXT_FORMATS = {
    "single-line-text": "une ligne",
    "multiline-text": "une ou plusieurs lignes",
    "name": "une ligne, sans mot mêlant plusieurs alphabets (lettres latines et cyrilliques…)",
}


@dataclass(frozen=True)
class TextRule(StatedField):
    """A text field's check, usable as `Annotated[str, rule]` in a pydantic model (or called
    directly): blank space folded (line by line when multiline) and NFC-normalised; control,
    invisible and direction characters, length and pasted credentials refused, and for a `name`
    look-alikes mixing scripts; `missing` is said of an empty required field. An empty optional
    field becomes `blank` (None, or "" where the model keeps text)."""

    label: str
    max_length: int
    multiline: bool = False
    required: bool = True
    missing: str = REQUIRED_MESSAGE
    name: bool = False
    blank: str | None = None
    # Free to speak of passwords (an incident's account); a password written out is refused.
    mentions_credentials: bool = False

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return self._empty()
        if self.multiline:
            cleaned = "\n".join(line.strip() for line in value.strip().splitlines())
        else:
            cleaned = " ".join(value.split())
        if not cleaned:
            return self._empty()
        # Checked before folding: a line break inside a one-line field (a name) is refused,
        # not silently turned into a space.
        problem = refused_character(
            cleaned if self.multiline else value.strip(), multiline=self.multiline
        )
        if problem:
            raise refuse(problem)
        # One spelling per text: a decomposed "é" (e + accent) compares equal to the typed one.
        cleaned = unicodedata.normalize("NFC", cleaned)
        if len(cleaned) > self.max_length:
            raise refuse(f"{self.max_length} caractères au maximum.")
        if self.name and (problem := mixed_scripts_message(cleaned)):
            raise refuse(problem)
        refused_credential = (
            discloses_credential(cleaned)
            if self.mentions_credentials
            else looks_like_credential(cleaned)
        )
        if refused_credential:
            raise refuse(credential_message(self.label))
        return cleaned

    def _empty(self) -> str | None:
        if self.required:
            raise refuse(self.missing)
        return self.blank

    @property
    def format(self) -> str:
        return "name" if self.name else "multiline-text" if self.multiline else "single-line-text"

    def json_schema(self) -> dict[str, Any]:
        """What the OpenAPI document says of the text: its format, and the rules in words."""
        rules = (
            f"{self.label} : {TEXT_FORMATS[self.format]}, au plus {self.max_length} caractères "
            "une fois les espaces superflus retirés ; ni caractère de contrôle, invisible ou de "
            "direction (catégories Unicode Cc, Cf, Cs, Co), ni "
            + (
                "mot de passe ou code écrit en clair (« mot de passe : … »)."
                if self.mentions_credentials
                else "rien qui ressemble à un mot de passe ou un code d'accès."
            )
        )
        schema: dict[str, Any] = {"type": "string", "format": self.format, "description": rules}
        if self.required:
            # At least one visible character: a blank required field is missing.
            schema |= {"minLength": 1, "pattern": r"\S"}
        return schema


def required_text(
    label: str, max_length: int, *, multiline: bool = False, missing: str = REQUIRED_MESSAGE
) -> TextRule:
    return TextRule(label, max_length, multiline=multiline, missing=missing)


def optional_text(
    label: str, max_length: int, *, multiline: bool = False, blank: str | None = None
) -> TextRule:
    return TextRule(label, max_length, multiline=multiline, required=False, blank=blank)


def incident_text(
    label: str, max_length: int, *, required: bool = True, missing: str = REQUIRED_MESSAGE
) -> TextRule:
    """What the DPO writes about a breach: several lines, free to say "mots de passe changés"
    (a password written out is still refused)."""
    return TextRule(
        label,
        max_length,
        multiline=True,
        required=required,
        missing=missing,
        mentions_credentials=True,
    )


def name_text(
    label: str, max_length: int, *, required: bool = True, missing: str = REQUIRED_MESSAGE
) -> TextRule:
    """A person's or an organisation's name: one line, and no look-alike mixing scripts."""
    return TextRule(label, max_length, required=required, missing=missing, name=True)


def check_field(check: TextCheck, value: str, errors: dict[str, str], field: str) -> str | None:
    """For forms checked by hand rather than by a pydantic model: the cleaned value, or None
    with the field's message added to `errors`."""
    try:
        return check(value)
    except PydanticCustomError as exc:
        errors[field] = exc.message()
        return None


@dataclass(frozen=True)
class Normalised(StatedField):
    """A value typed in many ways and stored in one (an email address, a phone number):
    `normalise` gives the stored form or raises ValueError with the French message."""

    normalise: Callable[[str], str]
    format: str
    description: str
    examples: tuple[str, ...]
    # Optional: a blank value is None.
    required: bool = True

    def __call__(self, value: str | None) -> str | None:
        if value is None or not value.strip():
            if self.required:
                raise refuse(REQUIRED_MESSAGE)
            return None
        try:
            return self.normalise(value)
        except ValueError as exc:
            raise refuse(str(exc)) from None

    def optional(self) -> Normalised:
        return replace(self, required=False)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "format": self.format,
            "description": self.description,
            "examples": list(self.examples),
        }
        if self.required:
            schema |= {"minLength": 1, "pattern": r"\S"}
        return schema


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
