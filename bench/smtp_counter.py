"""A real SMTP server (aiosmtpd) that notes when each Message-ID arrives.

It runs in aiosmtpd's own thread; arrivals are handed to the benchmark's event loop, where a
dossier counts as done once its acknowledgement email (known by its Message-ID) has arrived.
"""

from __future__ import annotations

import asyncio
import email.policy
import time
from email.parser import BytesHeaderParser
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

_PARSER = BytesHeaderParser(policy=email.policy.default)


class ArrivalMailbox:
    def __init__(self, loop: asyncio.AbstractEventLoop, port: int) -> None:
        self._loop = loop
        self._arrived: dict[str, float] = {}
        self._waiters: dict[str, asyncio.Future[float]] = {}
        self.received = 0
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        at = time.perf_counter()
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else content.encode()
        message_id = str(_PARSER.parsebytes(raw).get("Message-ID", "")).strip()
        self._loop.call_soon_threadsafe(self._arrive, message_id, at)
        return "250 Message accepted for delivery"

    def _arrive(self, message_id: str, at: float) -> None:
        self.received += 1
        self._arrived.setdefault(message_id, at)
        waiter = self._waiters.pop(message_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    @property
    def distinct(self) -> int:
        """Distinct Message-IDs received (a copy sent twice counts once)."""
        return len(self._arrived)

    async def arrival(self, message_id: str, timeout: float) -> float:
        """perf_counter() time at which `message_id` was accepted (waits up to `timeout` s)."""
        if message_id in self._arrived:
            return self._arrived[message_id]
        waiter = self._waiters.setdefault(message_id, self._loop.create_future())
        return await asyncio.wait_for(asyncio.shield(waiter), timeout)

    def __enter__(self) -> ArrivalMailbox:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()
