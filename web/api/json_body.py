"""Lone UTF-16 surrogates ("\ud800" in a JSON string) can be neither stored, encrypted nor sent
back: refuse them by field before any model sees the body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from domain.input_fields import ERROR_TYPE, refused_character

Path = tuple[str | int, ...]


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _strings(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*path, _printable(key)), key
            yield from _strings(item, (*path, _printable(key)))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= character <= "\udfff" for character in text)


async def refuse_lone_surrogates(request: Request) -> None:
    if "json" not in request.headers.get("content-type", ""):
        return
    body = await request.body()
    if b"\\u" not in body:  # only an escape can spell a surrogate in valid UTF-8
        return
    try:
        data = json.loads(body)
    except ValueError:
        return  # FastAPI answers malformed JSON itself
    errors = [
        {
            "type": ERROR_TYPE,
            "loc": ("body", *path),
            "msg": refused_character(text),
            "input": None,
        }
        for path, text in _strings(data)
        if _has_surrogate(text)
    ]
    if errors:
        raise RequestValidationError(errors)
