"""The 72-hour clock of a breach (GDPR Art. 33(1)): absolute hours from the moment the company
became aware of it, whatever the wall clocks do (a daylight-saving change in between moves the
local time of the deadline, never its length).

Alerts go to the DPO and management at +24 h, +48 h, +60 h and +70 h while notification steps
remain, and the breach is overdue from the 72nd hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NOTIFY_WITHIN = timedelta(hours=72)
ALERT_HOURS = (24, 48, 60, 70)


@dataclass(frozen=True)
class Alert:
    # "alert-24h"... or "overdue": names the alert in the outbox and the timeline.
    key: str
    at: datetime
    hours: int

    @property
    def overdue(self) -> bool:
        return self.key == "overdue"


def notify_by(aware_at: datetime) -> datetime:
    """The deadline: exactly 72 hours of elapsed time after awareness."""
    return aware_at + NOTIFY_WITHIN


def alerts(aware_at: datetime) -> list[Alert]:
    """Every alert of the breach, in order, the overdue one last."""
    planned = [Alert(f"alert-{h}h", aware_at + timedelta(hours=h), h) for h in ALERT_HOURS]
    return [*planned, Alert("overdue", notify_by(aware_at), 72)]


def due_alerts(
    aware_at: datetime, done: set[str], now: datetime
) -> tuple[list[Alert], list[Alert]]:
    """(to send, to skip) at `now`: of the alerts already due and not done, only the latest is
    sent — a breach declared 50 hours after awareness gets the +48 h alert, not the +24 h one
    too (the overdue alert is always sent)."""
    due = [a for a in alerts(aware_at) if a.at <= now and a.key not in done]
    if not due:
        return [], []
    send = [due[-1]]
    skipped = due[:-1]
    return send, skipped


def next_alert(aware_at: datetime, done: set[str]) -> datetime | None:
    pending = [a.at for a in alerts(aware_at) if a.key not in done]
    return min(pending) if pending else None


def hours_left(aware_at: datetime, now: datetime) -> float:
    """Negative once overdue."""
    return (notify_by(aware_at) - now).total_seconds() / 3600
