"""What the dossier search compares: names, phones, emails and references reduced to tokens.

Both sides go through the same functions: the index stores (a keyed hash of) the tokens of a
client's name, phone and email and of their dossiers' creditors; a query is cut into terms, each
of which must match one token of the same dossier. Tokens are whole words: accents, case,
ligatures and punctuation aside ("Le Gall-D'Arcy" is found as "le gall d'arcy", "legall",
"darcy" or "gall"), not prefixes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from domain.contact_fields import normalise_phone

DEFAULT_REGION = "FR"
# More words than this are not a search for a person; the rest of the query is ignored.
MAX_TERMS = 8
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ĳ": "ij"})
_ATOM = re.compile(r"[^\W_]+")
# A reference or a piece of one: CRV-2026-000123, 2026-000123, 000123 (digits, with the prefix
# or hyphens).
_REFERENCE_PIECE = re.compile(r"^(C?R?V)?-?[0-9-]*[0-9][0-9-]*$")
_PHONE_PIECE = re.compile(r"^[+(]?[\d().\-/]*\d[\d().\-/]*$")
_MIN_PHONE_DIGITS = 8


def fold(text: str) -> str:
    """Lower case without accents or ligatures: "Lefèvre" and "LEFEVRE" fold alike."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", folded)
    return unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def atoms(text: str) -> list[str]:
    """The runs of letters and digits of the folded text, in order."""
    return _ATOM.findall(fold(text))


def name_tokens(value: str) -> set[str]:
    """Every word of a name, and the words joined where a person may type them as one:
    "Le Gall-D'Arcy" gives le, gall, d, arcy, legall, darcy, galldarcy, legalldarcy."""
    tokens = set(atoms(value))
    pieces = [value, *value.split(), *value.split("-"), *re.split(r"[\s-]+", value)]
    tokens.update("".join(atoms(piece)) for piece in pieces)
    tokens.discard("")
    return tokens


def phone_key(value: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 ("+33612345678") whatever its format, or None if it is not one."""
    if sum(c.isdigit() for c in value) < _MIN_PHONE_DIGITS:
        return None
    if region == DEFAULT_REGION:
        # Intake's own rule first (0692... is Réunion's +262), so a number typed as it was at
        # intake meets its stored form; phonenumbers reads every other way of writing one.
        try:
            return normalise_phone(value)
        except ValueError:
            pass
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def email_key(value: str) -> str:
    """Emails compare without case (the domain never had one; local parts rarely do)."""
    return unicodedata.normalize("NFKC", value.strip()).casefold()


@dataclass(frozen=True)
class SearchTerm:
    """One part of a query; it matches a dossier through any of the ways it gives.

    A term with no way at all (punctuation alone) matches nothing."""

    word: str | None = None
    phone: str | None = None
    email: str | None = None
    reference: str | None = None


def query_terms(query: str, region: str = DEFAULT_REGION) -> list[SearchTerm]:
    """The terms of a query, every one of which must match (at most MAX_TERMS)."""
    terms: list[SearchTerm] = []
    words = query.split()
    index = 0
    while index < len(words):
        end, phone = _grouped_phone(words, index, region)
        if phone is not None:
            terms.append(SearchTerm(phone=phone))
            index = end
            continue
        terms.extend(_word_terms(words[index], region))
        index += 1
    return terms[:MAX_TERMS]


def _grouped_phone(words: list[str], start: int, region: str) -> tuple[int, str | None]:
    """A number typed in groups ("06 12 34 56 78") from words[start]: the longest run of
    digit groups that is one; (end of the run, E.164) or (start, None)."""
    end = start
    while end < len(words) and _PHONE_PIECE.match(words[end]):
        end += 1
    for stop in range(end, start + 1, -1):
        phone = phone_key("".join(words[start:stop]), region)
        if phone is not None:
            return stop, phone
    return start, None


def _word_terms(word: str, region: str) -> list[SearchTerm]:
    if "@" in word:
        return [SearchTerm(email=email_key(word))]
    upper = word.upper()
    word_atoms = atoms(word)
    reference = upper if _REFERENCE_PIECE.match(upper) else None
    phone = phone_key(word, region) if _PHONE_PIECE.match(word) else None
    if reference is not None or phone is not None:
        # A reference, a piece of one or a phone typed in one piece; a single run of
        # letters and digits may also be a creditor's name ("3F").
        single = word_atoms[0] if len(word_atoms) == 1 else None
        return [SearchTerm(word=single, phone=phone, reference=reference)]
    if not word_atoms:
        return [SearchTerm()]
    return [SearchTerm(word=atom) for atom in word_atoms]
