"""Calendar arithmetic of a negotiation, in Paris time, pure (the workflow and its activities).

A day-based deadline ("valid until 12 March", "due + 5 days") runs to the end of that day for
the person in Paris, whatever the server's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.french_dates import PARIS
from domain.legal_calendar import add_months


def paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in Paris, as aware UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)


def noon(day: date) -> datetime:
    """Noon in Paris on `day`, as aware UTC: a payment known by its date only."""
    return datetime.combine(day, time(12), tzinfo=PARIS).astimezone(UTC)


def monthly_due_dates(first: date, count: int) -> list[date]:
    return [add_months(first, n) for n in range(count)]
