"""Errors of the pure rules, shared by every layer (no import of anything else here)."""

from __future__ import annotations

from collections.abc import Mapping


class InvalidInput(ValueError):
    """Input refused after a check the models cannot make alone (e.g. one needing the database)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)
