"""The strategy editor's form: the engine's proposals to keep, edit or drop, and the worker's own.

Each row has a "retain" box; only retained rows that are filled in are saved. Proposals come
unticked: the engine proposes, the case worker decides. Rows already saved come first, ticked;
proposals matching a saved row (same kind, same debt) are not repeated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.budget import StrategyProposal
from domain.intake import validation_errors
from rendering.labels import amount_input
from services.budget.store import MAX_STRATEGY_LINES, StrategyLine

_ROW_FIELD = re.compile(r"^lines\.(\d{1,2})\.([a-z_]+)$", re.ASCII)
_ROW_ERROR = re.compile(r"^lines\.(\d+)\.(.+)$", re.ASCII)
_TEXT = ("kind", "debt_index", "rationale", "monthly_amount", "origin")
NONE_RETAINED = "Retenez au moins une démarche (cochez « Retenir ») ou ajoutez la vôtre."
UNKNOWN_DEBT = "Cette dette ne figure plus dans le budget : choisissez-en une autre."
PART_LABELS = {
    "kind": "démarche",
    "debt_index": "dette concernée",
    "rationale": "justification",
    "monthly_amount": "mensualité",
}
CHOOSE_KIND = "Choisissez la démarche."


@dataclass
class StrategyRow:
    retained: bool = False
    kind: str = ""
    debt_index: str = ""
    rationale: str = ""
    monthly_amount: str = ""
    # "saved", "proposal" or "own": how the row came to be, for its legend.
    origin: str = "own"

    @property
    def blank(self) -> bool:
        return not (self.kind or self.rationale.strip() or self.monthly_amount.strip())

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"rationale": self.rationale}
        if self.kind:
            payload["kind"] = self.kind
        if self.debt_index:
            payload["debt_index"] = self.debt_index
        if self.monthly_amount.strip():
            payload["monthly_amount"] = self.monthly_amount
        return payload


def _index(value: int | None) -> str:
    return "" if value is None else str(value)


@dataclass
class StrategyForm:
    rows: list[StrategyRow] = field(default_factory=list)

    @classmethod
    def build(
        cls, saved: list[StrategyLine] | None, proposals: list[StrategyProposal]
    ) -> StrategyForm:
        rows = [
            StrategyRow(
                True,
                line.kind.value,
                _index(line.debt_index),
                line.rationale,
                amount_input(line.monthly_amount),
                "saved",
            )
            for line in saved or []
        ]
        taken = {(row.kind, row.debt_index) for row in rows}
        for proposal in proposals:
            key = (proposal.kind.value, _index(proposal.debt_index))
            if key in taken:
                continue
            taken.add(key)
            rows.append(
                StrategyRow(
                    False,
                    proposal.kind.value,
                    key[1],
                    proposal.rationale_fr,
                    amount_input(proposal.suggested_monthly),
                    "proposal",
                )
            )
        form = cls(rows)
        form.add_row()
        return form

    @classmethod
    def from_form(cls, form: FormData) -> StrategyForm:
        rows: dict[int, StrategyRow] = {}
        for key in form:
            match = _ROW_FIELD.match(key)
            if not match or int(match.group(1)) >= MAX_STRATEGY_LINES:
                continue
            row = rows.setdefault(int(match.group(1)), StrategyRow())
            name = match.group(2)
            if name == "retained":
                row.retained = True
            elif name in _TEXT:
                value = form.get(key)
                setattr(row, name, value if isinstance(value, str) else "")
        return cls([rows.get(i) or StrategyRow() for i in range(max(rows, default=-1) + 1)])

    def add_row(self) -> None:
        if len(self.rows) < MAX_STRATEGY_LINES:
            # A row the case worker adds is meant to be kept: ticked from the start.
            self.rows.append(StrategyRow(retained=True))

    def validate(self, debts: int) -> tuple[list[StrategyLine] | None, dict[str, str]]:
        """The retained lines, or errors keyed by the page's field names."""
        lines: list[StrategyLine] = []
        errors: dict[str, str] = {}
        for i, row in enumerate(self.rows):
            if not row.retained or row.blank:
                continue
            try:
                line = StrategyLine.model_validate(row.payload())
            except ValidationError as exc:
                for path, message in validation_errors(exc).items():
                    if path == "kind" and not row.kind:
                        message = CHOOSE_KIND
                    errors.setdefault(f"lines.{i}.{path}", message)
                continue
            if line.debt_index is not None and line.debt_index >= debts:
                errors[f"lines.{i}.debt_index"] = UNKNOWN_DEBT
                continue
            lines.append(line)
        if not errors and not lines:
            errors["lines"] = NONE_RETAINED
        return (None, errors) if errors else (lines, {})


def error_summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for path, message in errors.items():
        match = _ROW_ERROR.match(path)
        if match:
            part = PART_LABELS.get(match.group(2), match.group(2))
            label = f"Démarche {int(match.group(1)) + 1} ({part})"
        else:
            label = "Stratégie"
        lines.append((path, f"{label} : {message}"))
    return lines
