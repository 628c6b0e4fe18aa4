"""Email activities tell Temporal they are alive while they work, so that one lost with a
killed worker is retried after the heartbeat timeout (seconds) rather than after its whole
start-to-close timeout (minutes), which must stay long enough for a slow SMTP relay."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio import activity

P = ParamSpec("P")
R = TypeVar("R")

# Well inside the workflows' heartbeat timeout (workflows/plumbing.EMAIL).
BEAT_SECONDS = 2.0


def heartbeating(work: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Heartbeat every BEAT_SECONDS while `work` runs (an SMTP send waits without blocking)."""

    @functools.wraps(work)
    async def beating(*args: P.args, **kwargs: P.kwargs) -> R:
        if not activity.in_activity():  # called directly, as a plain coroutine
            return await work(*args, **kwargs)

        async def beat() -> None:
            while True:
                activity.heartbeat()
                await asyncio.sleep(BEAT_SECONDS)

        beats = asyncio.create_task(beat())
        try:
            return await work(*args, **kwargs)
        finally:
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats

    return beating
