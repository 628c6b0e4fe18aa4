"""Passwords a person chooses: long enough is not enough when it is the person's own name, one
character repeated, or one of the words every guessing list starts with. Pure rules."""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_DISTINCT_CHARACTERS = 5
# Shorter parts of a name or address are too common to refuse in a passphrase ("ana", "paul").
MIN_PERSONAL_PART = 4
# What guessing lists try first, once digits and punctuation are taken away.
COMMON_WORDS = frozenset(
    {
        "azerty", "azertyuiop", "qwerty", "qwertyuiop", "password", "passw0rd", "motdepasse",
        "bonjour", "soleil", "doudou", "chouchou", "loulou", "marseille", "jetaime",
        "welcome", "letmein", "admin", "administrateur", "cravelynos", "abcdef",
    }
)  # fmt: skip
TOO_FEW_CHARACTERS = (
    "Le mot de passe répète trop peu de caractères différents : choisissez une phrase de "
    "plusieurs mots."
)
TOO_COMMON = (
    "Ce mot de passe figure parmi les plus essayés : choisissez une phrase de plusieurs mots."
)
TOO_PERSONAL = (
    "Le mot de passe ne doit contenir ni votre nom ni votre adresse e-mail : ils sont les "
    "premiers essayés."
)


def _parts(personal: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in personal:
        for part in re.split(r"[^\w]+|_", text.casefold()):
            if len(part) >= MIN_PERSONAL_PART:
                found.add(part)
    return found


def weak_password_reason(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why `password` is obviously weak (French, for the form), or None.

    personal: the account's name and email address, whose parts must not appear in it."""
    folded = password.casefold()
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        return TOO_FEW_CHARACTERS
    letters = re.sub(r"[^a-z]+", "", folded)
    if not letters or letters in COMMON_WORDS or _repeats_a_common_word(letters):
        return TOO_COMMON
    if any(part in folded for part in _parts(personal)):
        return TOO_PERSONAL
    return None


def _repeats_a_common_word(letters: str) -> bool:
    """'azertyazerty', 'motdepassemotdepasse': a common word said twice is no better."""
    return any(
        len(letters) % len(word) == 0 and letters == word * (len(letters) // len(word))
        for word in COMMON_WORDS
    )
