"""Dates as a French reader expects them, in Paris time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.clock import as_utc

PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(moment: datetime) -> str:
    """'1er mars 2031', '26 novembre 2026'."""
    local = as_utc(moment).astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year}"


def french_datetime(moment: datetime) -> str:
    local = as_utc(moment).astimezone(PARIS)
    return f"{french_date(moment)} à {local.hour:02d} h {local.minute:02d}"
