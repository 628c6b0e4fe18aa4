"""The web's unit of work: a service call in one transaction, off the event loop.

Services take a session and never open one; routes open it here, so every request's reads and
writes commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from config.settings import Settings
from models.database import session_scope

P = ParamSpec("P")
T = TypeVar("T")


async def in_session(
    settings: Settings,
    work: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`work(session, *args, **kwargs)` in one transaction, run in the thread pool."""

    def run() -> T:
        with session_scope(settings) as session:
            return work(session, *args, **kwargs)

    return await run_in_threadpool(run)
