"""What a data-subject request's clock sends, and when: reminders to the DPO at D−10, D−5 and
D−1, the supervisor told on the due day, and the request marked overdue the second after its
due day ends. Pure: the workflow asks which notices are due and waits for the next one.

A notice is named by its kind and the due day it is about, so an extension or a pause that
moves the due day brings a new set, and one already sent is never sent twice.

A request typed in late (received weeks before it was recorded) finds some moments already
past: of the reminders due together only the latest goes out (one email saying how many days
are left, not three); the escalation and the overdue mark always do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.labelled_enum import LabelledEnum
from domain.privacy.deadline import RequestClock


class NoticeKind(LabelledEnum):
    REMINDER = "reminder", "Rappel au délégué à la protection des données"
    ESCALATION = "escalation", "Échéance aujourd'hui : superviseur prévenu"
    OVERDUE = "overdue", "Délai dépassé"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    at: datetime
    # The due day the notice is about: a moved due day makes new notices.
    due_on: date

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.due_on.isoformat()}:{self.at:%Y%m%dT%H%M}"


def notices(clock: RequestClock) -> list[Notice]:
    """Every notice of the clock as it stands, in time order."""
    due_on = clock.due_on
    planned = [Notice(NoticeKind.REMINDER, at, due_on) for at in clock.reminders()]
    planned.append(Notice(NoticeKind.ESCALATION, clock.escalation_at(), due_on))
    planned.append(Notice(NoticeKind.OVERDUE, clock.due_at + timedelta(seconds=1), due_on))
    return sorted(planned, key=lambda notice: notice.at)


def pending(clock: RequestClock, done: set[str]) -> list[Notice]:
    return [notice for notice in notices(clock) if notice.key not in done]


def due_now(
    clock: RequestClock, done: set[str], now: datetime
) -> tuple[list[Notice], list[Notice]]:
    """(notices to send now, reminders to pass over): a reminder is passed over when a later
    notice is due too."""
    due = [notice for notice in pending(clock, done) if notice.at <= now]
    latest = due[-1] if due else None
    skipped = [n for n in due if n.kind == NoticeKind.REMINDER and n is not latest]
    return [n for n in due if n not in skipped], skipped


def next_moment(clock: RequestClock, done: set[str]) -> datetime | None:
    """When the next notice not yet done falls due; None when none is left."""
    waiting = pending(clock, done)
    return waiting[0].at if waiting else None
