"""One-shot messages shown on the next page (after a redirect), kept in the signed session."""

from __future__ import annotations

from typing import Literal

from fastapi import Request

SESSION_KEY = "flash"
MAX_PENDING = 5

Level = Literal["success", "info", "warning", "error"]


def flash(request: Request, text: str, level: Level = "success") -> None:
    pending = request.session.get(SESSION_KEY)
    messages = pending if isinstance(pending, list) else []
    messages.append({"level": level, "text": text})
    request.session[SESSION_KEY] = messages[-MAX_PENDING:]


def pop_flashes(request: Request) -> list[dict[str, str]]:
    if "session" not in request.scope:
        return []
    pending = request.session.pop(SESSION_KEY, None)
    if not isinstance(pending, list):
        return []
    return [m for m in pending if isinstance(m, dict) and {"level", "text"} <= m.keys()]
