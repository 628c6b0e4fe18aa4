"""When a request's clock sends what: reminders, escalation, overdue (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.privacy.deadline import RequestClock
from domain.privacy.notices import NoticeKind, due_now, next_moment, notices

# Received Monday 5 January 2026 (Paris): due Wednesday 4 February, 23:59:59 in Paris.
CLOCK = RequestClock(datetime(2026, 1, 5, 9, tzinfo=UTC))


def test_the_notices_of_a_clock_in_time_order() -> None:
    planned = notices(CLOCK)
    assert [n.kind for n in planned] == [
        NoticeKind.REMINDER,
        NoticeKind.REMINDER,
        NoticeKind.REMINDER,
        NoticeKind.ESCALATION,
        NoticeKind.OVERDUE,
    ]
    # 9:00 in Paris is 8:00 UTC in winter.
    assert [n.at for n in planned[:4]] == [
        datetime(2026, 1, 25, 8, tzinfo=UTC),
        datetime(2026, 1, 30, 8, tzinfo=UTC),
        datetime(2026, 2, 3, 8, tzinfo=UTC),
        datetime(2026, 2, 4, 8, tzinfo=UTC),
    ]
    # The second after the due day's last second in Paris.
    assert planned[-1].at == datetime(2026, 2, 4, 23, 0, tzinfo=UTC)
    assert len({n.key for n in planned}) == 5


def test_only_the_latest_reminder_due_goes_out_and_nothing_twice() -> None:
    late = datetime(2026, 1, 31, 10, tzinfo=UTC)  # D−10 and D−5 have passed
    send, skipped = due_now(CLOCK, set(), late)
    assert [n.at.day for n in send] == [30] and [n.at.day for n in skipped] == [25]
    done = {n.key for n in send + skipped}
    assert due_now(CLOCK, done, late) == ([], [])
    assert next_moment(CLOCK, done) == datetime(2026, 2, 3, 8, tzinfo=UTC)
    # Escalation and overdue are never passed over, even when due together.
    after = CLOCK.due_at + timedelta(hours=1)
    send, skipped = due_now(CLOCK, done, after)
    assert [n.kind for n in send] == [NoticeKind.ESCALATION, NoticeKind.OVERDUE]
    assert [n.kind for n in skipped] == [NoticeKind.REMINDER]
    assert next_moment(CLOCK, done | {n.key for n in send + skipped}) is None


def test_a_moved_due_day_brings_new_notices() -> None:
    done = {n.key for n in notices(CLOCK)}
    paused = RequestClock(CLOCK.received_at, paused_days=3)
    assert next_moment(paused, done) == datetime(2026, 1, 28, 8, tzinfo=UTC)
