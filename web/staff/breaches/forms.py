"""A breach form as typed: kept to show again on a refusal, parsed by the same models as the
API. Dates are typed in Paris time (datetime-local) and carry Paris's offset once parsed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel

from domain.errors import InvalidInput
from domain.french_dates import PARIS
from domain.intake import parse_input

M = TypeVar("M", bound=BaseModel)
MAX_TYPED = 5000
DATETIME_FIELDS = frozenset({"aware_at", "noticed_at", "window_start", "window_end"})
LIST_FIELDS = frozenset({"tables"})
INTEGER_FIELDS = frozenset({"staff_id", "people_adjustment", "records_adjustment"})
BAD_MOMENT = "Date et heure attendues, par exemple 04/12/2026 à 10:30."
BAD_NUMBER = "Nombre entier attendu."


async def typed_form(request: Request) -> dict[str, Any]:
    """What was typed: text fields (cut to a sane length), and the lists of checkboxes."""
    form = await request.form()
    typed: dict[str, Any] = {}
    for name in form:
        if name == "csrf_token":
            continue
        if name in LIST_FIELDS:
            typed[name] = [v[:100] for v in form.getlist(name) if isinstance(v, str)]
        else:
            value = form.get(name)
            if isinstance(value, str):
                typed[name] = value[:MAX_TYPED]
    return typed


def parse(model: type[M], typed: dict[str, Any]) -> M:
    """The model from the form; InvalidInput with each field's French message otherwise."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in typed.items():
        if name not in model.model_fields:
            continue
        if isinstance(value, str) and not value.strip():
            continue  # a blank field is a missing one
        if name in DATETIME_FIELDS:
            values[name] = _moment(value, name, errors)
        elif name in INTEGER_FIELDS:
            values[name] = _integer(value, name, errors)
        else:
            values[name] = value
    try:
        data = parse_input(model, values)
    except InvalidInput as exc:
        for path, message in exc.errors.items():
            errors.setdefault(path.split(".")[0], message)
        raise InvalidInput(errors) from None
    if errors:
        raise InvalidInput(errors)
    return data


def _moment(value: str, name: str, errors: dict[str, str]) -> datetime | None:
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        errors[name] = BAD_MOMENT
        return None
    return local.replace(tzinfo=PARIS) if local.tzinfo is None else local


def _integer(value: str, name: str, errors: dict[str, str]) -> int | None:
    text = value.strip().replace(" ", "").replace("\u202f", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        errors[name] = BAD_NUMBER
        return None
    return sign * int(digits)
