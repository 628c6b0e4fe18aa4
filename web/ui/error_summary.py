"""The lines of the error summary on top of a refused form: each names its field."""

from __future__ import annotations

from collections.abc import Mapping


def summary_lines(errors: Mapping[str, str], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, text): the field's label in front unless the message already starts with it."""
    lines: list[tuple[str, str]] = []
    for path, message in errors.items():
        label = labels.get(path, "Formulaire")
        named = message.casefold().startswith(label.casefold())
        lines.append((path, message if named else f"{label} : {message}"))
    return lines
