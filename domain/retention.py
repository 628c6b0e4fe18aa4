"""Retention dates, pure: the workflow and the closure email use the same rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetentionPolicy:
    history_years: int = 5
    documents_years: int = 3
    hop_days: int = 90


def add_years(moment: datetime, years: int) -> datetime:
    """Same calendar day `years` later; 29 February becomes 1 March, never earlier."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, month=3, day=1)


def history_expiry(closed_at: datetime, policy: RetentionPolicy) -> datetime:
    return add_years(closed_at, policy.history_years)


def documents_expiry(relationship_ended_at: datetime, policy: RetentionPolicy) -> datetime:
    return add_years(relationship_ended_at, policy.documents_years)


def next_wake(now: datetime, due_dates: list[datetime], policy: RetentionPolicy) -> datetime:
    """The next time the retention wait must wake: the earliest due date, at most one hop away."""
    hop_end = now + timedelta(days=policy.hop_days)
    future = [due for due in due_dates if due > now]
    return min([hop_end, *future])
