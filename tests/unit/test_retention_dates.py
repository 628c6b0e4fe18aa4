"""Retention dates: calendar years, leap days, hops of at most 90 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.french_dates import french_date
from domain.retention import (
    RetentionPolicy,
    add_years,
    documents_expiry,
    history_expiry,
    next_wake,
)

POLICY = RetentionPolicy()


def test_history_is_kept_five_calendar_years_after_closure() -> None:
    closed = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    assert history_expiry(closed, POLICY) == datetime(2031, 11, 26, 10, 30, tzinfo=UTC)
    assert documents_expiry(closed, POLICY) == datetime(2029, 11, 26, 10, 30, tzinfo=UTC)


def test_a_leap_day_expires_on_the_first_of_march_never_earlier() -> None:
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert add_years(leap, 5) == datetime(2033, 3, 1, tzinfo=UTC)
    assert add_years(leap, 4) == datetime(2032, 2, 29, tzinfo=UTC)


def test_the_wait_never_exceeds_one_hop() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    far = now + timedelta(days=5 * 365)
    assert next_wake(now, [far], POLICY) == now + timedelta(days=90)
    soon = now + timedelta(days=10)
    assert next_wake(now, [far, soon], POLICY) == soon
    assert next_wake(now, [now - timedelta(days=1)], POLICY) == now + timedelta(days=90)


def test_dates_read_as_a_french_reader_expects() -> None:
    assert french_date(datetime(2031, 3, 1, 12, tzinfo=UTC)) == "1er mars 2031"
    # 23:30 UTC on 31 December is already 1 January in Paris.
    assert french_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1er janvier 2027"
