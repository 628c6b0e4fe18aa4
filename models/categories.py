"""Data categories: every column of every table belongs to exactly one.

Retention, exports and the record of processing read this mapping from the table metadata, so a
new column without a category fails the test that walks the metadata.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic_core import PydanticUndefined
from sqlmodel import Field


class Category(StrEnum):
    ACCOUNT = "account"
    FINANCIAL = "financial"
    NEGOTIATION_HISTORY = "negotiation_history"
    DOCUMENTS = "documents"
    CONNECTION = "connection"
    CORRESPONDENCE = "correspondence"
    IDENTITY_PROOF = "identity_proof"
    AUDIT = "audit"
    # Technical columns that hold no personal data: keys, states, timestamps of processing.
    OPERATIONAL = "operational"


def field(category: Category, default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """A SQLModel Field tagged with its data category; nullable columns default to None."""
    column_kwargs = dict(kwargs.pop("sa_column_kwargs", {}) or {})
    info = dict(column_kwargs.pop("info", {}) or {})
    info["category"] = category.value
    column_kwargs["info"] = info
    return Field(default=default, sa_column_kwargs=column_kwargs, **kwargs)
