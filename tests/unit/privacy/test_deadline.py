"""The clock of a data-subject request: worked examples from the calendar, then properties over
every day of a century."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.french_dates import PARIS
from domain.legal_calendar import add_months, easter_sunday, is_working_day, public_holidays
from domain.privacy.deadline import (
    ExtensionRefused,
    RequestClock,
    due_day,
    legal_due_day,
    paris_day,
)

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
PAUSES = st.integers(min_value=0, max_value=120)


def received(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("received_on", "due", "why"),
    [
        (date(2026, 1, 5), date(2026, 2, 4), "30 days come before the month (5 Feb)"),
        (date(2026, 2, 10), date(2026, 3, 10), "February is short: the month comes first"),
        (date(2026, 3, 31), date(2026, 4, 30), "no 31 April: the month ends on the 30th"),
        (date(2026, 1, 31), date(2026, 3, 2), "28 Feb is a Saturday: Monday; 30 days too"),
        (date(2026, 2, 1), date(2026, 3, 2), "1 March is a Sunday: Monday, before the 3rd"),
        (date(2026, 1, 30), date(2026, 3, 1), "the policy's 30 days end on Sunday 1 March"),
        (date(2026, 4, 14), date(2026, 5, 14), "the month ends on Ascension: the policy's day"),
        (date(2026, 7, 14), date(2026, 8, 13), "received on a holiday: it still counts"),
    ],
)
def test_worked_examples(received_on: date, due: date, why: str) -> None:
    assert due_day(received_on) == due, why


def test_holidays_and_easter() -> None:
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
    ]
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)} <= public_holidays(2026)
    assert len(public_holidays(2026)) == 11
    # 4 April 2026 is a Saturday, the 6th Easter Monday: the period ends on Tuesday the 7th.
    assert legal_due_day(date(2026, 3, 4)) == date(2026, 4, 7)


def test_the_day_of_receipt_is_the_day_in_paris() -> None:
    # 23:30 UTC on 31 March 2026 is 01:30 on 1 April in Paris (summer time).
    clock = RequestClock(datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    assert clock.received_on == date(2026, 4, 1)
    assert clock.due_on == date(2026, 5, 1)  # 30 days; the month would end on Friday 1 May
    with pytest.raises(ValueError, match="UTC offset"):
        paris_day(datetime(2026, 3, 31, 23, 30))


def test_due_at_is_the_last_second_of_the_day_in_paris() -> None:
    winter = RequestClock(received(date(2026, 1, 5)))
    assert winter.due_at == datetime(2026, 2, 4, 22, 59, 59, tzinfo=UTC)
    summer = RequestClock(received(date(2026, 6, 2)))
    assert summer.due_at == datetime(2026, 7, 2, 21, 59, 59, tzinfo=UTC)


def test_reminders_escalation_and_days_left() -> None:
    clock = RequestClock(received(date(2026, 1, 5)))
    at_nine = [datetime(2026, 1, d, 8, tzinfo=UTC) for d in (25, 30)]
    assert clock.reminders() == [*at_nine, datetime(2026, 2, 3, 8, tzinfo=UTC)]
    assert clock.escalation_at() == datetime(2026, 2, 4, 8, tzinfo=UTC)
    assert clock.days_left(datetime(2026, 2, 4, 22, 0, tzinfo=UTC)) == 0
    assert not clock.overdue(datetime(2026, 2, 4, 22, 59, 59, tzinfo=UTC))
    assert clock.overdue(datetime(2026, 2, 4, 23, 0, tzinfo=UTC))
    assert clock.days_left(datetime(2026, 2, 5, 9, tzinfo=UTC)) == -1


def test_one_extension_before_the_due_day_with_a_reason() -> None:
    clock = RequestClock(received(date(2026, 1, 5)))
    last_minute = datetime(2026, 2, 4, 22, 30, tzinfo=UTC)
    extended = clock.extended(2, "  Demande complexe : 14 créanciers à interroger. ", last_minute)
    # 4 April 2026 is a Saturday and the 6th Easter Monday.
    assert extended.due_on == date(2026, 4, 7)
    assert extended.extension is not None
    assert extended.extension.reason == "Demande complexe : 14 créanciers à interroger."
    with pytest.raises(ExtensionRefused, match="une seule"):
        extended.extended(1, "encore", last_minute)
    with pytest.raises(ExtensionRefused, match="dépassé"):
        clock.extended(1, "trop tard", datetime(2026, 2, 4, 23, 0, tzinfo=UTC))
    with pytest.raises(ExtensionRefused, match="motif"):
        clock.extended(1, "   ", last_minute)
    with pytest.raises(ExtensionRefused, match="deux mois"):
        clock.extended(3, "trop long", last_minute)


@given(DAYS, PAUSES)
def test_never_later_than_30_days_nor_the_legal_month(day: date, paused: int) -> None:
    due = due_day(day, paused)
    assert due <= day + timedelta(days=30 + paused)
    assert due <= legal_due_day(day, paused)
    # Never earlier than the shortest month allows (28 days), however the dates fall.
    assert due >= day + timedelta(days=28 + paused)


@given(DAYS, PAUSES)
def test_the_legal_month_ends_on_the_first_working_day_from_the_same_date(
    day: date, paused: int
) -> None:
    legal = legal_due_day(day, paused)
    same_date = add_months(day, 1) + timedelta(days=paused)
    assert is_working_day(legal)
    assert same_date <= legal <= same_date + timedelta(days=4)
    assert all(
        not is_working_day(same_date + timedelta(days=n)) for n in range((legal - same_date).days)
    )


@given(DAYS, PAUSES)
def test_a_pause_never_shortens_the_time_left(day: date, paused: int) -> None:
    assert due_day(day, paused) >= due_day(day, 0)
    assert due_day(day, paused + 1) >= due_day(day, paused)


@given(DAYS, st.integers(min_value=1, max_value=2))
def test_an_extension_adds_its_months(day: date, months: int) -> None:
    clock = RequestClock(received(day))
    extended = clock.extended(months, "motif", received(day))
    start = add_months(clock.due_on, months)
    assert start <= extended.due_on <= start + timedelta(days=4)
    assert is_working_day(extended.due_on)
