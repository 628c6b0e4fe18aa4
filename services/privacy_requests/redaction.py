"""Masking other people's data in what a person receives about themselves: in free text (a
creditor's reply, a message sent to a creditor), an email address or a French phone number
that is not the person's own belongs to someone else (a creditor's staff member, a co-debtor).
Company names stay: the person is owed the name of every recipient of their data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from security.blind_index import normalise

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+33[\s.-]?|0033[\s.-]?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b")
MASKED_EMAIL = "[adresse d'un tiers masquée]"
MASKED_PHONE = "[téléphone d'un tiers masqué]"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-9:]


@dataclass(frozen=True)
class Redactor:
    own_emails: frozenset[str]
    own_phones: frozenset[str]

    @classmethod
    def for_person(cls, own_values: Iterable[str]) -> Redactor:
        values = list(own_values)
        return cls(
            frozenset(normalise(v) for v in values if "@" in v),
            frozenset(_digits(v) for v in values if "@" not in v and _digits(v)),
        )

    def redact(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        masked = EMAIL.sub(
            lambda m: m.group(0) if normalise(m.group(0)) in self.own_emails else MASKED_EMAIL,
            value,
        )
        return PHONE.sub(
            lambda m: m.group(0) if _digits(m.group(0)) in self.own_phones else MASKED_PHONE,
            masked,
        )
