"""Rate-limit counters shared by every web process: hits per key and minute."""

from __future__ import annotations

from sqlmodel import SQLModel

from models.categories import Category, field


class RateLimitWindow(SQLModel, table=True):
    __tablename__ = "rate_limit_window"

    # A keyed hash of what is counted ("ip:…", "account:…"): no address or email is stored.
    key: str = field(Category.OPERATIONAL, primary_key=True, max_length=64)
    # The window's first second (Unix time, a multiple of the window length).
    window_start: int = field(Category.OPERATIONAL, primary_key=True, index=True)
    hits: int = field(Category.OPERATIONAL, default=0)
