"""Which rows are data: those no staged write still holds (domain/staged_writes.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col


def effective(model: type[Any]) -> ColumnElement[bool]:
    """The rows that are data: not part of a write the workflow has not accepted."""
    return col(model.staged_write_id).is_(None)
