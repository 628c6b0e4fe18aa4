"""The budget entry form: typed values kept as typed, validated by the engine's BudgetInput.

Field names follow the error paths of the validation ("resources.0.monthly_amount"), so an
error lands next to its field. Rows left blank are ignored (emptying a row removes it); errors
on the remaining rows are mapped back to the row the person filled in. Rows are added by a
submit button, so the form works without JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.budget import BudgetInput
from domain.budget.inputs import MAX_LINES
from domain.input_fields import REQUIRED_MESSAGE
from domain.intake import validation_errors
from rendering.labels import amount_input, date_input

SECTIONS = ("resources", "charges", "debts")
EXTRA_ROWS = {"resources": 2, "charges": 2, "debts": 1}
_ROW_FIELD = re.compile(r"^(resources|charges|debts)\.(\d{1,2})\.([a-z_]+)$", re.ASCII)
_ROW_ERROR = re.compile(r"^(resources|charges|debts)\.(\d+)(?:\.(.+))?$", re.ASCII)

FIELD_LABELS: dict[str, str] = {
    "on": "Date de l'analyse",
    "household": "Composition du foyer",
    "household.adults": "Adultes du foyer",
    "household.children": "Enfants du foyer",
    "dependants": "Personnes à charge",
    "fragile_client": "Client fragile",
    "resources": "Ressources",
    "charges": "Charges",
    "debts": "Dettes",
    "__all__": "Formulaire",
}
ROW_NAMES = {"resources": "Ressource", "charges": "Charge", "debts": "Dette"}
PART_LABELS: dict[str, str] = {
    "kind": "type",
    "label": "libellé",
    "monthly_amount": "montant mensuel",
    "person": "adulte",
    "category": "catégorie",
    "creditor": "créancier",
    "creditor_kind": "type de créancier",
    "nature": "nature",
    "capital_outstanding": "capital restant dû",
    "arrears": "arriérés",
    "monthly_instalment": "échéance mensuelle",
}
CHOOSE: dict[str, str] = {
    "kind": "Choisissez le type de ressource.",
    "category": "Choisissez la catégorie de charge.",
    "creditor_kind": "Choisissez le type de créancier.",
    "nature": "Choisissez la nature de la dette.",
}
ONE_ADULT = "Le foyer ne compte qu'un adulte : cette ressource est celle de l'adulte 1."


@dataclass
class ResourceRow:
    kind: str = ""
    label: str = ""
    monthly_amount: str = ""
    person: str = "1"

    @property
    def blank(self) -> bool:
        return not (self.kind or self.label.strip() or self.monthly_amount.strip())

    def payload(self) -> dict[str, Any]:
        return _present(
            kind=self.kind, label=self.label, monthly_amount=self.monthly_amount, person=self.person
        )


@dataclass
class ChargeRow:
    category: str = ""
    label: str = ""
    monthly_amount: str = ""

    @property
    def blank(self) -> bool:
        return not (self.category or self.label.strip() or self.monthly_amount.strip())

    def payload(self) -> dict[str, Any]:
        return _present(
            category=self.category, label=self.label, monthly_amount=self.monthly_amount
        )


@dataclass
class DebtRow:
    creditor: str = ""
    creditor_kind: str = ""
    nature: str = ""
    capital_outstanding: str = ""
    arrears: str = ""
    monthly_instalment: str = ""
    guarantor: bool = False
    disputed: bool = False

    @property
    def blank(self) -> bool:
        texts = (self.creditor, self.capital_outstanding, self.arrears, self.monthly_instalment)
        return not (
            any(t.strip() for t in texts)
            or self.creditor_kind
            or self.nature
            or self.guarantor
            or self.disputed
        )

    def payload(self) -> dict[str, Any]:
        return {
            **_present(
                creditor=self.creditor,
                creditor_kind=self.creditor_kind,
                nature=self.nature,
                capital_outstanding=self.capital_outstanding,
                arrears=self.arrears,
                monthly_instalment=self.monthly_instalment,
            ),
            "guarantor": self.guarantor,
            "disputed": self.disputed,
        }


def _present(**values: str) -> dict[str, str]:
    """Empty fields are left out: a missing amount or choice is reported as missing."""
    return {name: value for name, value in values.items() if value.strip()}


_ROW_TYPES: dict[str, type[ResourceRow] | type[ChargeRow] | type[DebtRow]] = {
    "resources": ResourceRow,
    "charges": ChargeRow,
    "debts": DebtRow,
}
_CHECKBOXES = {"guarantor", "disputed"}


@dataclass
class BudgetForm:
    """What the form shows: on a refused submission, exactly what was typed."""

    on: str = ""
    adults: str = "1"
    children: str = "0"
    dependants: str = "0"
    fragile_client: bool = False
    resources: list[ResourceRow] = field(default_factory=list)
    charges: list[ChargeRow] = field(default_factory=list)
    debts: list[DebtRow] = field(default_factory=list)

    @classmethod
    def blank_form(cls, today: date, creditors: list[tuple[str, str]]) -> BudgetForm:
        """A first entry: today's date, and one debt row per creditor of the dossier."""
        form = cls(on=date_input(today))
        form.debts = [DebtRow(creditor=name, creditor_kind=kind) for name, kind in creditors]
        form.pad()
        return form

    @classmethod
    def from_input(cls, data: BudgetInput) -> BudgetForm:
        form = cls(
            on=date_input(data.on),
            adults=str(data.household.adults),
            children=str(data.household.children),
            dependants=str(data.dependants),
            fragile_client=data.fragile_client,
            resources=[
                ResourceRow(r.kind.value, r.label, amount_input(r.monthly_amount), str(r.person))
                for r in data.resources
            ],
            charges=[
                ChargeRow(c.category.value, c.label, amount_input(c.monthly_amount))
                for c in data.charges
            ],
            debts=[
                DebtRow(
                    d.creditor,
                    d.creditor_kind.value,
                    d.nature.value,
                    amount_input(d.capital_outstanding),
                    amount_input(d.arrears),
                    amount_input(d.monthly_instalment),
                    d.guarantor,
                    d.disputed,
                )
                for d in data.debts
            ],
        )
        form.pad()
        return form

    @classmethod
    def from_form(cls, form: FormData) -> BudgetForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value if isinstance(value, str) else ""

        rows: dict[str, dict[int, Any]] = {section: {} for section in SECTIONS}
        for key in form:
            match = _ROW_FIELD.match(key)
            if not match or int(match.group(2)) >= MAX_LINES:
                continue
            section, index, name = match.group(1), int(match.group(2)), match.group(3)
            row_type = _ROW_TYPES[section]
            if name not in {f.name for f in fields(row_type)}:
                continue
            row = rows[section].setdefault(index, row_type())
            setattr(row, name, True if name in _CHECKBOXES else text(key))
        result = cls(
            on=text("on"),
            adults=text("household.adults"),
            children=text("household.children"),
            dependants=text("dependants"),
            # An unticked checkbox sends nothing: absence means "no".
            fragile_client="fragile_client" in form,
        )
        for section in SECTIONS:
            found = rows[section]
            row_type = _ROW_TYPES[section]
            setattr(
                result,
                section,
                [found.get(i) or row_type() for i in range(max(found, default=-1) + 1)],
            )
        return result

    def pad(self) -> None:
        """Blank rows to fill in after the existing ones."""
        for section, extra in EXTRA_ROWS.items():
            self.add_rows(section, extra)

    def add_rows(self, section: str, count: int = 1) -> None:
        rows: list[Any] = getattr(self, section)
        for _ in range(min(count, MAX_LINES - len(rows))):
            rows.append(_ROW_TYPES[section]())

    def filled(self, section: str) -> list[int]:
        return [i for i, row in enumerate(getattr(self, section)) if not row.blank]

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "household": _present(adults=self.adults, children=self.children),
            **_present(on=self.on, dependants=self.dependants),
            "fragile_client": self.fragile_client,
        }
        for section in SECTIONS:
            rows = getattr(self, section)
            payload[section] = [rows[i].payload() for i in self.filled(section)]
        return payload

    def validate(self) -> tuple[BudgetInput | None, dict[str, str]]:
        """The validated input, or the errors keyed by the names of the fields on the page."""
        errors: dict[str, str] = {}
        if self.adults.strip() == "1":
            for i in self.filled("resources"):
                if self.resources[i].person.strip() == "2":
                    errors[f"resources.{i}.person"] = ONE_ADULT
        try:
            data = BudgetInput.model_validate(self.payload())
        except ValidationError as exc:
            return None, {**self.page_errors(validation_errors(exc)), **errors}
        return (None, errors) if errors else (data, {})

    def page_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Map error paths of the compacted row lists back to the rows on the page."""
        result: dict[str, str] = {}
        for path, message in errors.items():
            match = _ROW_ERROR.match(path)
            if match:
                section, position, part = match.group(1), int(match.group(2)), match.group(3)
                filled = self.filled(section)
                if position < len(filled):
                    path = f"{section}.{filled[position]}" + (f".{part}" if part else "")
                    if part in CHOOSE and message == REQUIRED_MESSAGE:
                        message = CHOOSE[part]
            result.setdefault(path, message)
        return result


def error_summary(errors: dict[str, str]) -> list[tuple[str, str]]:
    """(field, text) lines of the summary on top of the form, each naming its field."""
    lines: list[tuple[str, str]] = []
    for path, message in errors.items():
        match = _ROW_ERROR.match(path)
        if match:
            label = f"{ROW_NAMES[match.group(1)]} {int(match.group(2)) + 1}"
            if match.group(3):
                label += f" ({PART_LABELS.get(match.group(3), match.group(3))})"
        else:
            label = FIELD_LABELS.get(path, "Formulaire")
        named = message.casefold().startswith(label.casefold())
        lines.append((path, message if named else f"{label} : {message}"))
    return lines
