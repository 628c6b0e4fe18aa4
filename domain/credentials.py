"""Refuse text that looks like a bank password, access code or login.

Cravelynos promises never to collect them, so a case worker who pastes one into a form gets a
clear refusal instead of a silently stored secret. The patterns favour catching real secrets
over letting a rare false positive through: the person can always reword the text.
"""

from __future__ import annotations

import re
import unicodedata

# Matched against lower-case, accent-free text with straight apostrophes (see _fold).
_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"mots?\s*de\s*passe",
        r"\bmdp\b",
        r"pass\s*-?\s*words?",
        r"\bpasswd\b",
        r"\bpassphrase\b",
        r"codes?\s*(secrets?|confidentiels?|personnels?|pin|de\s+securite)\b",
        r"codes?\s*d\s*'?\s*acces",
        r"\baccess\s*codes?\b",
        r"\bsecret\s*codes?\b",
        r"identifiants?\s*(bancaires?|de\s+(connexion|banque)|en\s+ligne)",
        r"\blogin\s*(bancaire|banque)?\s*[:=]",
        r"\b(cvv|cvc|cryptogramme)\b",
        # A 4-8 digit code right after the word that introduces it ("code : 4821", "PIN 1234").
        r"\b(code|pin|identifiant)\s*(est|:|=)?\s*\d{4,8}\b",
    )
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("`", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def looks_like_credential(text: str | None) -> bool:
    if not text:
        return False
    folded = _fold(text)
    return any(pattern.search(folded) for pattern in _PATTERNS)


# A credential written out: the word that introduces it, then ":", "=" or "est", then a value.
# What a text that must be free to speak of passwords (a breach's account of what happened
# and of the measures taken: "mots de passe réinitialisés") still refuses.
_DISCLOSED = re.compile(
    r"(mots?\s*de\s*passe|\bmdp|pass\s*-?\s*words?|\bpasswd|\bcodes?(\s*d\s*'?\s*acces|\s+\w+)?|identifiants?|"
    r"\blogin|\bpin)\s*(:|=|\best\b)\s*\S+"
)


def discloses_credential(text: str | None) -> bool:
    return bool(text) and _DISCLOSED.search(_fold(text or "")) is not None


def credential_message(label: str) -> str:
    return (
        f"« {label} » semble contenir un mot de passe, un identifiant ou un code d'accès. "
        "Cravelynos ne recueille jamais ces informations : retirez-les."
    )
