"""A typed reference to an activity: its registered name and the type of its result.

Workflows call activities by name (they must not import the implementations); the reference
carries the argument and result types with the name, so a type checker sees a call's result
type and rejects a wrong argument. Activities register under `ref.name`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Arg = TypeVar("Arg")
Result = TypeVar("Result")


@dataclass(frozen=True)
class ActivityRef(Generic[Arg, Result]):
    name: str
    # What the workflow decodes the result into (type(None) for activities that return nothing).
    result_type: type[Result]
