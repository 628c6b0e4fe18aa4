"""A service call in its own transaction, as an edge (route, activity, CLI) would make it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlmodel import Session

from config.settings import Settings
from models.database import session_scope

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
