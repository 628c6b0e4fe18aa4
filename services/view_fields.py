"""A view built from a row: the fields they share by name are copied, the others given."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

View = TypeVar("View")


def view_of(view: type[View], row: object, **given: Any) -> View:
    """`view` (a pydantic model or a dataclass) from the attributes of `row` named like its
    fields, and `given` for what the row holds in another form (decrypted, joined, parsed into
    an enum) or not at all."""
    shared = {
        name: getattr(row, name)
        for name in _field_names(view)
        if name not in given and hasattr(row, name)
    }
    return view(**shared, **given)


def _field_names(view: type) -> list[str]:
    if issubclass(view, BaseModel):
        return list(view.model_fields)
    if dataclasses.is_dataclass(view):
        return [field.name for field in dataclasses.fields(view)]
    raise TypeError(f"{view.__name__} is neither a pydantic model nor a dataclass")
