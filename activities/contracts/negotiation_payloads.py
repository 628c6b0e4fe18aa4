"""LOAD_OFFER's and CREATE_SCHEDULE's results as they cross Temporal: dates as ISO strings.

Temporal's default JSON converter handles `datetime` but not `date`, in either direction, so
these carry the dates written "2026-03-12": the JSON a date-aware converter would write, so
histories stay the same if the converter learns `date` one day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class OfferFacts:
    offer_id: str
    round: int
    made_by: str
    offer_type: str
    status: str
    valid_until: str
    instalments: int | None = None
    first_due_date: str | None = None

    @property
    def valid_until_date(self) -> date:
        return date.fromisoformat(self.valid_until)


@dataclass
class RepaymentSchedule:
    due_dates: list[str] = field(default_factory=list)

    @property
    def dates(self) -> list[date]:
        return [date.fromisoformat(day) for day in self.due_dates]
