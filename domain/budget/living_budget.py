"""Budget de vie courante: the charges the Banque de France method lets the household keep.

One line per category: actual charges as declared, work travel as declared up to the ceiling,
and for food, clothing, heating, household costs and insurance the commission's allowance for
this household whatever was declared (the declared amount stays visible next to it). Every
allowance category has a line even when nothing was declared: those costs exist anyway.
"""

from __future__ import annotations

from decimal import Decimal

from domain.budget.analysis import LivingBudgetLine
from domain.budget.enums import (
    CHARGE_BASIS,
    CHARGE_LABELS_FR,
    ChargeBasis,
    ChargeCategory,
)
from domain.budget.inputs import AllowanceSet, ChargeLine

ZERO = Decimal("0.00")


def living_budget_lines(
    charges: list[ChargeLine], allowances: AllowanceSet
) -> list[LivingBudgetLine]:
    declared: dict[ChargeCategory, Decimal] = {}
    for charge in charges:
        declared[charge.category] = declared.get(charge.category, ZERO) + charge.monthly_amount
    lines = []
    for category, basis in CHARGE_BASIS.items():
        amount = declared.get(category, ZERO)
        if basis is ChargeBasis.ALLOWANCE:
            allowance = allowances.amounts[category]
            lines.append(_line(category, basis, amount, allowance, allowance=allowance))
        elif category in declared:
            if basis is ChargeBasis.CEILED:
                ceiling = allowances.work_travel_ceiling
                lines.append(_line(category, basis, amount, min(amount, ceiling), ceiling=ceiling))
            else:
                lines.append(_line(category, basis, amount, amount))
    return lines


def _line(
    category: ChargeCategory,
    basis: ChargeBasis,
    declared: Decimal,
    retained: Decimal,
    *,
    ceiling: Decimal | None = None,
    allowance: Decimal | None = None,
) -> LivingBudgetLine:
    return LivingBudgetLine(
        category=category,
        label_fr=CHARGE_LABELS_FR[category],
        basis=basis,
        declared=declared,
        retained=retained,
        ceiling=ceiling,
        allowance=allowance,
    )
