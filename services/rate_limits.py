"""Rate limits that hold across every web process: counters in the database, one row per key
and minute, read as a sliding window (this minute's hits plus the share of the previous
minute's that still falls within the last 60 seconds).

Keys are hashed with the blind-index key: the table never holds an address or an email.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from config.settings import Settings
from models.rate_limit import RateLimitWindow
from security.blind_index import blind_index

WINDOW_SECONDS = 60
# One write in this many also removes the windows no estimate reads any more.
PRUNE_ONE_IN = 50


@dataclass(frozen=True)
class Window:
    start: int
    # How far into the current window we are, from 0 to 1.
    elapsed: float


def _window(now: float) -> Window:
    start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    return Window(start, (now - start) / WINDOW_SECONDS)


def _hashed(settings: Settings, key: str) -> str:
    return blind_index("rate-limit", key, settings)


def _estimate(session: Session, hashed: str, window: Window) -> float:
    rows = session.exec(
        select(RateLimitWindow.window_start, RateLimitWindow.hits).where(
            col(RateLimitWindow.key) == hashed,
            col(RateLimitWindow.window_start) >= window.start - WINDOW_SECONDS,
        )
    ).all()
    counts = {start: hits for start, hits in rows}
    previous = counts.get(window.start - WINDOW_SECONDS, 0)
    return counts.get(window.start, 0) + previous * (1 - window.elapsed)


def _wait(estimate: float, limit: int, window: Window) -> float:
    """Seconds until the estimate falls under the limit again (at worst, the window's end)."""
    if estimate < limit:
        return 0.0
    return max(1.0, (1 - window.elapsed) * WINDOW_SECONDS)


def _add_hit(session: Session, hashed: str, window: Window) -> None:
    values = {"key": hashed, "window_start": window.start, "hits": 1}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(RateLimitWindow).values(values)
    session.exec(
        statement.on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"hits": RateLimitWindow.__table__.c.hits + 1},  # type: ignore[attr-defined]
        )
    )
    if random.randrange(PRUNE_ONE_IN) == 0:  # noqa: S311 (spreading work, not security)
        session.exec(
            delete(RateLimitWindow).where(
                col(RateLimitWindow.window_start) < window.start - WINDOW_SECONDS
            )
        )


def seconds_to_wait(
    session: Session, settings: Settings, key: str, limit: int, now: float | None = None
) -> float:
    """0 if `key` is under `limit` hits a minute, else the seconds to wait. Counts nothing."""
    window = _window(time.time() if now is None else now)
    return _wait(_estimate(session, _hashed(settings, key), window), limit, window)


def record_hit(session: Session, settings: Settings, key: str, now: float | None = None) -> None:
    _add_hit(session, _hashed(settings, key), _window(time.time() if now is None else now))


def take(
    session: Session, settings: Settings, key: str, limit: int, now: float | None = None
) -> float:
    """Count a request for `key`; 0 if it is within `limit` a minute, else the seconds to wait.

    Counted first, then compared: two processes counting at once cannot both slip under the
    limit (the refused requests count too, so hammering keeps a source refused)."""
    window = _window(time.time() if now is None else now)
    hashed = _hashed(settings, key)
    _add_hit(session, hashed, window)
    return _wait(_estimate(session, hashed, window), limit + 1, window)
