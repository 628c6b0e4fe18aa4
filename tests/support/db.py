"""A service call in its own transaction, as an edge (route, activity, CLI) would make it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlmodel import Session, select

from config.settings import Settings
from models.database import session_scope
from services.effective import effective

P = ParamSpec("P")
T = TypeVar("T")


def in_db(
    settings: Settings,
    work: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    with session_scope(settings) as session:
        return work(session, *args, **kwargs)


def effective_count(settings: Settings, model: type[Any], *where: Any) -> int:
    """Rows of `model` that are data: not held by a staged write the workflow never accepted."""
    with session_scope(settings) as session:
        return len(session.exec(select(model).where(effective(model), *where)).all())
