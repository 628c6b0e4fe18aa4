"""LOAD_OFFER's and CREATE_SCHEDULE's results as they cross Temporal: dates as ISO strings.

Temporal's default JSON converter handles `datetime` but not `date`, in either direction, so
`negotiation_io.OfferFacts` and `RepaymentSchedule` (with `date` fields) cannot be sent as they
are. These carry the same fields under the same names, the dates written "2026-03-12": the
JSON is the one a date-aware converter would write, so histories stay the same if the
activities switch to the `date` dataclasses once the converter handles them.
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
