"""Generators for the string formats the OpenAPI document names, each following the rule its
description states (domain/input_fields.py, domain/contact_fields.py, domain/budget/amounts.py),
so schemathesis can send values the schema admits and expect them accepted.

They are drawn broadly (any letter of one script, any separator the rule allows), not from the
code's own checks, except the credential words: the rule forbids them, and random letters could
spell "code 1234"."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import schemathesis
from hypothesis import strategies as st

from domain.budget.legal_parameters import first_computable_date
from domain.credentials import looks_like_credential

# Shorter than the shortest text limit (60): the format does not carry each field's maximum.
LONGEST_TEXT = 60
# Letters, marks, digits, punctuation and symbols of any script; no C* (refused) and no
# separators but the plain space, added apart.
_VISIBLE = st.characters(
    exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
)
# U+00B5 (µ) is a Greek letter by name: a word holding it mixes scripts.
_LATIN_NAME = st.characters(
    min_codepoint=0x20,
    max_codepoint=0x24F,
    categories=("Lu", "Ll", "Zs", "Pd", "Po"),
    exclude_characters="\u00b5",
)
_CYRILLIC_NAME = st.characters(min_codepoint=0x400, max_codepoint=0x4FF, categories=("Lu", "Ll"))


def _folded(text: str, *, multiline: bool = False) -> str:
    if multiline:
        return "\n".join(line.strip() for line in text.strip().splitlines())
    return " ".join(text.split())


def _acceptable(text: str, *, multiline: bool = False) -> bool:
    folded = unicodedata.normalize("NFC", _folded(text, multiline=multiline))
    return bool(folded) and len(folded) <= LONGEST_TEXT and not looks_like_credential(folded)


def single_line_texts() -> st.SearchStrategy[str]:
    return st.text(st.one_of(_VISIBLE, st.just(" ")), min_size=1, max_size=LONGEST_TEXT).filter(
        _acceptable
    )


def multiline_texts() -> st.SearchStrategy[str]:
    return st.text(
        st.one_of(_VISIBLE, st.sampled_from([" ", "\n", "\r"])), min_size=1, max_size=50
    ).filter(lambda text: _acceptable(text, multiline=True))


def names() -> st.SearchStrategy[str]:
    """Words of one script each (Latin with accents, or Cyrillic), as real names are."""
    word = st.one_of(
        st.text(_LATIN_NAME, min_size=1, max_size=12),
        st.text(_CYRILLIC_NAME, min_size=1, max_size=12),
    )
    return st.lists(word, min_size=1, max_size=4).map(" ".join).filter(_acceptable)


def email_addresses() -> st.SearchStrategy[str]:
    return st.from_regex(
        r"[a-z0-9]{1,10}([._+-][a-z0-9]{1,8}){0,2}@[a-z0-9]{1,12}(-[a-z0-9]{1,6})?\.(fr|com|org|eu)",
        fullmatch=True,
    )


def french_phones() -> st.SearchStrategy[str]:
    national = st.from_regex(r"[1-9][0-9]{8}", fullmatch=True)
    separator = st.sampled_from(["", " ", ".", "-"])

    def spelled(digits: str, sep: str, prefix: str) -> str:
        pairs = [digits[1:3], digits[3:5], digits[5:7], digits[7:9]]
        return prefix + digits[0] + sep + sep.join(pairs)

    return st.one_of(
        st.builds(spelled, national, separator, st.just("0")),
        st.builds(spelled, national, separator, st.sampled_from(["+33 ", "+33", "0033 "])),
    )


def departements() -> st.SearchStrategy[str]:
    codes = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "2a"]
    return st.sampled_from(codes + [str(n) for n in range(971, 977)])


def amounts() -> st.SearchStrategy[str]:
    cents = st.integers(min_value=0, max_value=1_000_000_000)

    def spelled(value: int, comma: bool, grouped: bool, euro: bool) -> str:
        amount = Decimal(value) / 100
        text = f"{amount:,.2f}" if grouped else f"{amount:.2f}"
        text = text.replace(",", "\u202f")
        if comma:
            text = text.replace(".", ",")
        return text + (" €" if euro else "")

    return st.builds(spelled, cents, st.booleans(), st.booleans(), st.booleans())


def days(first: date = date(1900, 1, 1)) -> st.SearchStrategy[str]:
    day = st.dates(min_value=first, max_value=date(2200, 12, 31))
    return st.one_of(day.map(date.isoformat), day.map(lambda d: d.strftime("%d/%m/%Y")))


def past_moments() -> st.SearchStrategy[str]:
    """ISO 8601 moments with a UTC offset, from 2000 to a minute ago."""
    offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
        lambda minutes: timezone(timedelta(minutes=minutes))
    )

    def spelled(offset: timezone, seconds_ago: int) -> str:
        moment = datetime.now(UTC) - timedelta(minutes=1, seconds=seconds_ago)
        return moment.astimezone(offset).isoformat()

    return st.builds(spelled, offsets, st.integers(min_value=0, max_value=26 * 365 * 86400))


def register_api_formats() -> None:
    for name, strategy in {
        "single-line-text": single_line_texts(),
        "multiline-text": multiline_texts(),
        "name": names(),
        "email-address": email_addresses(),
        "french-phone": french_phones(),
        "french-departement": departements(),
        "amount": amounts(),
        "day": days(),
        "analysis-day": days(first_computable_date()),
        "received-at": past_moments(),
    }.items():
        schemathesis.openapi.format(name, strategy)
