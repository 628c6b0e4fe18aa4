"""Small rules of written French the app's messages follow: counted nouns agree with their
number ("1 créancier", "2 créanciers", never "créancier(s)"), "de" is elided before a vowel
("auprès d'Énergie Exemple"), and team slugs read as names. Pure functions: workflows use them
too."""

from __future__ import annotations

import unicodedata

VOWELS = frozenset("aeiouy")
TEAM_NAMES = {"conformite": "Conformité"}


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """'0 pièce', '1 pièce', '2 pièces': in French, 0 and 1 take the singular."""
    word = singular if abs(number) < 2 else (plural or f"{singular}s")
    return f"{number} {word}"


def of(name: str) -> str:
    """'de Banque Exemple', "d'Énergie Exemple": "de" before a name, elided before a vowel."""
    first = unicodedata.normalize("NFKD", name.strip()[:1]).casefold()[:1]
    return f"d'{name.strip()}" if first in VOWELS else f"de {name.strip()}"


def team_name(slug: str) -> str:
    """'paris' -> 'Paris', 'conformite' -> 'Conformité'."""
    return TEAM_NAMES.get(slug, slug.replace("-", " ").replace("_", " ").strip().capitalize())
