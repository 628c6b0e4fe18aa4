"""Login rate limiting, in memory: a sliding one-minute window per (IP, email) and per IP.

Per process: with several web processes each one counts on its own, which still bounds
password guessing to a few attempts per minute and account.
"""

from __future__ import annotations

import threading
import time
from collections import deque

# One IP may try several accounts (a shared office), but not spray a whole list of them.
PER_IP_FACTOR = 5
MAX_TRACKED_KEYS = 50_000


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _prune(self, now: float) -> None:
        # Keeps memory bounded when many distinct keys show up.
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window
        ]:
            del self._hits[key]

    def hit(self, key: str, limit: int | None = None) -> float:
        """Record an attempt; 0 if allowed, else the seconds to wait before the next one."""
        now = time.monotonic()
        cap = self.limit if limit is None else limit
        with self._lock:
            if len(self._hits) > MAX_TRACKED_KEYS:
                self._prune(now)
            hits = self._recent(key, now)
            if len(hits) >= cap:
                return max(1.0, hits[0] + self.window - now)
            hits.append(now)
            return 0.0


class LoginRateLimiter:
    def __init__(self, attempts_per_minute: int) -> None:
        self._limiter = RateLimiter(attempts_per_minute)
        self._per_ip_limit = attempts_per_minute * PER_IP_FACTOR

    def attempt(self, ip: str, email: str) -> float:
        """0 if this login attempt may proceed, else the seconds to wait."""
        wait = self._limiter.hit(f"ip:{ip}", self._per_ip_limit)
        if wait:
            return wait
        return self._limiter.hit(f"account:{ip}|{email.strip().casefold()}")
