"""Enums whose members carry their French label: `NAME = "value", "Libellé"`.

The value is what is stored and sent (a plain string, as with StrEnum); the label is what
people read. Keeping both on one line means a new member cannot be added without its label.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """Member -> label, in definition order (what pages and select lists read)."""
        return {member: member.label for member in cls}
