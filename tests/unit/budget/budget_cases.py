"""Builders shared by the budget engine tests: fixed allowances so hand computations stay short."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.budget import AllowanceSet, BudgetInput, ChargeCategory

D = Decimal
C = ChargeCategory

# Round figures chosen for the hand computations (sum of the allowances: 1 020.00 €).
TEST_ALLOWANCES = AllowanceSet(
    departement="75",
    valid_from=date(2024, 1, 1),
    amounts={
        C.FOOD: D("600.00"),
        C.CLOTHING: D("100.00"),
        C.HEATING: D("120.00"),
        C.HOUSEHOLD_COSTS: D("150.00"),
        C.INSURANCE: D("50.00"),
    },
    work_travel_ceiling=D("100.00"),
    source="Barème de test",
    sample=False,
)


def budget(
    on: date,
    resources: str,
    *,
    adults: int = 1,
    children: int = 0,
    dependants: int = 0,
    charges: list[dict[str, Any]] | None = None,
    debts: list[dict[str, Any]] | None = None,
    fragile_client: bool = False,
) -> BudgetInput:
    return BudgetInput.model_validate(
        {
            "on": on,
            "household": {"adults": adults, "children": children},
            "dependants": dependants,
            "resources": [{"kind": "salary", "monthly_amount": resources}],
            "charges": charges or [],
            "debts": debts or [],
            "fragile_client": fragile_client,
        }
    )


def debt(creditor: str, kind: str, nature: str, capital: str, **extra: Any) -> dict[str, Any]:
    return {
        "creditor": creditor,
        "creditor_kind": kind,
        "nature": nature,
        "capital_outstanding": capital,
        **extra,
    }
