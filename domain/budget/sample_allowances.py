"""SAMPLE allowances (forfaits) by département and year — données d'exemple, not real figures.

Each commission de surendettement sets its own forfaits; these invented figures only let the
product run until staff enter the real ones (they are flagged `sample=True` everywhere).

`SAMPLE_ALLOWANCES` holds, per département and year, the amounts for ONE adult living alone.
`household_allowances` turns such a set into the amounts for a given household with the
sample composition scale below: the first adult counts 1, a second adult adds
`SECOND_ADULT_SHARE` and each child adds `CHILD_SHARE` of the one-adult amount (consumption
units of the modified OECD scale for food, clothing and household costs; heating and insurance
are per dwelling and grow less). Each derived amount is rounded half-up to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.budget.amounts import cents
from domain.budget.enums import ChargeCategory
from domain.budget.inputs import DEFAULT_DEPARTEMENT, AllowanceSet, Household
from domain.budget.legal_parameters import in_force

C = ChargeCategory
SAMPLE_SOURCE = "Données d'exemple Cravelynos (à remplacer par le barème de la commission)"
SAMPLE_YEARS: dict[int, Decimal] = {
    # Yearly indexation of the 2024 sample figures.
    2024: Decimal("1.000"),
    2025: Decimal("1.020"),
    2026: Decimal("1.035"),
}
_PARTS = (C.FOOD, C.CLOTHING, C.HEATING, C.HOUSEHOLD_COSTS, C.INSURANCE)
# Département -> 2024 amounts for one adult (food, clothing, heating, household costs,
# insurance) and the monthly work travel ceiling.
_BASE_2024: dict[str, tuple[tuple[int, int, int, int, int], int]] = {
    DEFAULT_DEPARTEMENT: ((320, 45, 80, 95, 30), 150),
    "75": ((345, 48, 70, 105, 32), 90),
    "93": ((330, 45, 75, 100, 32), 100),
    "69": ((325, 45, 85, 95, 30), 140),
    "13": ((325, 45, 65, 95, 31), 150),
    "59": ((315, 44, 95, 92, 29), 150),
}
SECOND_ADULT_SHARE: dict[ChargeCategory, Decimal] = {
    C.FOOD: Decimal("0.5"),
    C.CLOTHING: Decimal("0.5"),
    C.HOUSEHOLD_COSTS: Decimal("0.5"),
    C.HEATING: Decimal("0.2"),
    C.INSURANCE: Decimal("0.2"),
}
CHILD_SHARE: dict[ChargeCategory, Decimal] = {
    C.FOOD: Decimal("0.3"),
    C.CLOTHING: Decimal("0.3"),
    C.HOUSEHOLD_COSTS: Decimal("0.3"),
    C.HEATING: Decimal("0.1"),
    C.INSURANCE: Decimal("0.1"),
}


def _sample(departement: str, year: int) -> AllowanceSet:
    amounts, ceiling = _BASE_2024[departement]
    index = SAMPLE_YEARS[year]
    return AllowanceSet(
        departement=departement,
        valid_from=date(year, 1, 1),
        amounts={part: cents(Decimal(v) * index) for part, v in zip(_PARTS, amounts, strict=True)},
        work_travel_ceiling=cents(Decimal(ceiling) * index),
        source=f"{SAMPLE_SOURCE}, pour un adulte seul",
        sample=True,
    )


SAMPLE_ALLOWANCES: list[AllowanceSet] = [
    _sample(departement, year) for departement in _BASE_2024 for year in SAMPLE_YEARS
]


def household_allowances(one_adult: AllowanceSet, household: Household) -> AllowanceSet:
    """The one-adult amounts scaled to the household (the work travel ceiling is per worker)."""
    amounts = {
        category: cents(
            amount
            * (
                1
                + SECOND_ADULT_SHARE[category] * (household.adults - 1)
                + CHILD_SHARE[category] * household.children
            )
        )
        for category, amount in one_adult.amounts.items()
    }
    return one_adult.model_copy(
        update={
            "amounts": amounts,
            "source": f"{SAMPLE_SOURCE}, pour {describe_household(household)}",
        }
    )


def describe_household(household: Household) -> str:
    adults = "un adulte" if household.adults == 1 else "deux adultes"
    if household.children == 0:
        return adults
    children = "un enfant" if household.children == 1 else f"{household.children} enfants"
    return f"{adults} et {children}"


def sample_allowances(departement: str, on: date, household: Household) -> AllowanceSet:
    """The sample set of the département (else the default "*" one) on `on`, for the household."""
    sets = [s for s in SAMPLE_ALLOWANCES if s.departement == departement] or [
        s for s in SAMPLE_ALLOWANCES if s.departement == DEFAULT_DEPARTEMENT
    ]
    return household_allowances(in_force(sets, on, "les forfaits de dépenses (exemple)"), household)
