"""The Jinja environments of pages, PDF reports and emails, built from one registry of filters
and globals: an amount, a date or a label reads the same wherever it is shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain import french_text
from domain.dossier_stages import OPEN_STAGES
from domain.dossier_timeline import TASK_LABEL
from domain.file_types import format_size_fr
from rendering import labels
from templates import TEMPLATES_DIR

FILTERS: dict[str, Callable[..., str]] = {
    # "auprès {{ name | de }}": "auprès de Banque…", "auprès d'Énergie…".
    "de": french_text.of,
    "team_name": french_text.team_name,
    "eur": labels.eur,
    "percent": labels.percent,
    "day": labels.day,
    "share": labels.share,
    "date_fr": labels.long_date,
    "datetime_fr": labels.long_datetime,
    "iso": labels.iso,
    "without_prefix": labels.without_prefix,
    "filesize": format_size_fr,
    "phone_fr": labels.phone_fr,
    # "{{ n | counted('minute') }}": "1 minute", "2 minutes".
    "counted": french_text.counted,
}
GLOBALS: dict[str, Any] = {
    "resource_label": labels.resource_label,
    "charge_label": labels.charge_label,
    "basis_label": labels.basis_label,
    "debt_nature_label": labels.debt_nature_label,
    "strategy_label": labels.strategy_label,
    "creditor_label": labels.creditor_label,
    "creditor_kind_label": labels.creditor_label,
    "approval_channel_label": labels.approval_channel_label,
    "debt_name": labels.debt_name,
    "household_fr": labels.household_fr,
    "stage_label": labels.stage_label,
    "outcome_label": labels.outcome_label,
    "document_label": labels.document_label,
    "channel_label": labels.channel_label,
    "open_stages": {stage.value for stage in OPEN_STAGES},
    "approval_task_label": TASK_LABEL,
}


def build_environment(
    *, email: bool, extra_globals: Mapping[str, Any] | None = None
) -> Environment:
    """Pages and PDF reports escape everything and trim the template's own line breaks; emails
    escape their HTML part only, keep the text part's line breaks as written, and refuse an
    undefined variable rather than send a message with a hole in it."""
    if email:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
    else:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS, **(extra_globals or {}))
    return env


@cache
def document_environment() -> Environment:
    """PDF reports, letters and receipts."""
    return build_environment(email=False)


@cache
def email_environment() -> Environment:
    return build_environment(email=True)
