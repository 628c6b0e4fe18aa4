"""When a data-subject request must be answered: the 30-day promise of the privacy policy and
the one month of GDPR Art. 12(3), counted as Regulation (EEC, Euratom) No 1182/71 counts it.

Everything is a day in Europe/Paris:
- the period starts on the day of receipt (the clock starts at receipt, not at typing);
- the policy's due day is 30 calendar days after it;
- the legal due day is the same date one month later, or that month's last day where the date
  does not exist (Art. 3(2)(c)); a period ending on a Saturday, Sunday or public holiday ends on
  the next working day (Art. 3(4));
- the due day is the earlier of the two, with every paused day added back to both (while the
  company waits on the person, the clock stops);
- one extension of one or two months may follow (Art. 12(3)): counted from the due day it
  extends, with the same end-of-month and working-day rules; only before that due day ends,
  only with a reason.

`due_at` is the last second of the due day in Paris (23:59:59 local time), as aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.french_dates import PARIS
from domain.legal_calendar import add_months, working_day_from

POLICY_DAYS = 30
MAX_EXTENSION_MONTHS = 2
# The DPO is reminded this many days before the due day; the supervisor is told on it.
REMINDER_DAYS_BEFORE = (10, 5, 1)
# Reminders and the escalation go out at this hour of their day, Paris time.
NOTICE_HOUR = time(9)
LAST_SECOND = time(23, 59, 59)


class ExtensionRefused(ValueError):
    """An extension the rules do not allow; the message says why, in French."""


def paris_day(moment: datetime) -> date:
    """The day `moment` falls on in Paris (`moment` must be timezone-aware)."""
    if moment.tzinfo is None:
        raise ValueError("a moment without its UTC offset has no day in Paris")
    return moment.astimezone(PARIS).date()


def end_of_paris_day(day: date) -> datetime:
    """23:59:59 in Paris on `day`, as aware UTC."""
    return datetime.combine(day, LAST_SECOND, tzinfo=PARIS).astimezone(UTC)


def policy_due_day(received: date, paused_days: int = 0) -> date:
    return received + timedelta(days=POLICY_DAYS + paused_days)


def legal_due_day(received: date, paused_days: int = 0) -> date:
    """One month after receipt (Regulation 1182/71), the paused days added, on a working day."""
    return working_day_from(add_months(received, 1) + timedelta(days=paused_days))


def due_day(received: date, paused_days: int = 0) -> date:
    if paused_days < 0:
        raise ValueError("paused days cannot be negative")
    return min(policy_due_day(received, paused_days), legal_due_day(received, paused_days))


def extended_due_day(due: date, months: int) -> date:
    """The due day after an extension of `months` (1 or 2) counted from `due`."""
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ExtensionRefused("Une prolongation est d'un ou deux mois au plus.")
    return working_day_from(add_months(due, months))


@dataclass(frozen=True)
class Extension:
    months: int
    reason: str
    granted_at: datetime


@dataclass(frozen=True)
class RequestClock:
    """A request's clock: when it was received, how many whole days it was paused, and its
    extension if it has one."""

    received_at: datetime
    paused_days: int = 0
    extension: Extension | None = None

    @property
    def received_on(self) -> date:
        return paris_day(self.received_at)

    @property
    def initial_due_day(self) -> date:
        return due_day(self.received_on, self.paused_days)

    @property
    def due_on(self) -> date:
        if self.extension is None:
            return self.initial_due_day
        return extended_due_day(self.initial_due_day, self.extension.months)

    @property
    def due_at(self) -> datetime:
        return end_of_paris_day(self.due_on)

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    def days_left(self, now: datetime) -> int:
        """Whole days from today (Paris) to the due day: 0 on the due day, negative after."""
        return (self.due_on - paris_day(now)).days

    def reminders(self) -> list[datetime]:
        """When the DPO is reminded (D−10, D−5, D−1 at 9:00 in Paris), as aware UTC."""
        return [
            datetime.combine(self.due_on - timedelta(days=n), NOTICE_HOUR, tzinfo=PARIS).astimezone(
                UTC
            )
            for n in REMINDER_DAYS_BEFORE
        ]

    def escalation_at(self) -> datetime:
        """When the supervisor is told the request is due today (9:00 in Paris)."""
        return datetime.combine(self.due_on, NOTICE_HOUR, tzinfo=PARIS).astimezone(UTC)

    def extended(self, months: int, reason: str, now: datetime) -> RequestClock:
        """The clock with its one extension; ExtensionRefused (French) when not allowed."""
        if self.extension is not None:
            raise ExtensionRefused("Ce délai a déjà été prolongé : une seule prolongation.")
        if not reason.strip():
            raise ExtensionRefused("Indiquez le motif de la prolongation : la personne le recevra.")
        if self.overdue(now):
            raise ExtensionRefused(
                "Le délai est dépassé : une prolongation ne peut être décidée qu'avant l'échéance."
            )
        extended_due_day(self.initial_due_day, months)  # checks the number of months
        return RequestClock(
            self.received_at, self.paused_days, Extension(months, reason.strip(), now)
        )
