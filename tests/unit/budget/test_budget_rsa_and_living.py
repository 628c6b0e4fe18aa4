"""RSA household scale, living budget lines, taux d'endettement, reste à vivre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from budget_cases import TEST_ALLOWANCES, budget, debt

from domain.budget import ChargeBasis, ChargeCategory, Household, compute_budget, sample_allowances

D = Decimal
ON = date(2025, 6, 1)  # RSA 646.52


@pytest.mark.parametrize(
    ("adults", "children", "rates", "amount"),
    [
        # 1 person: 646.52
        (1, 0, ["100 %"], "646.52"),
        # 2 persons: × 1.5 = 969.78
        (2, 0, ["100 %", "50 %"], "969.78"),
        (1, 1, ["100 %", "50 %"], "969.78"),
        # 3 persons: × 1.8 = 1 163.736
        (2, 1, ["100 %", "50 %", "30 %"], "1163.74"),
        (1, 2, ["100 %", "50 %", "30 %"], "1163.74"),
        # 4 persons, couple: × 2.1 = 1 357.692
        (2, 2, ["100 %", "50 %", "30 %", "30 %"], "1357.69"),
        # 4 persons, one parent: the third child is the third dependant, +40 % (R.262-1):
        # × 2.2 = 1 422.344
        (1, 3, ["100 %", "50 %", "30 %", "40 %"], "1422.34"),
        # 5 persons, couple: × 2.5 = 1 616.30
        (2, 3, ["100 %", "50 %", "30 %", "30 %", "40 %"], "1616.30"),
        # 6 persons, couple: × 2.9 = 1 874.908
        (2, 4, ["100 %", "50 %", "30 %", "30 %", "40 %", "40 %"], "1874.91"),
        # 6 persons, one parent: × 3.0 = 1 939.56
        (1, 5, ["100 %", "50 %", "30 %", "40 %", "40 %", "40 %"], "1939.56"),
    ],
)
def test_rsa_household_scale(adults: int, children: int, rates: list[str], amount: str) -> None:
    analysis = compute_budget(
        budget(ON, "5000.00", adults=adults, children=children), TEST_ALLOWANCES
    )
    assert analysis.household_size == adults + children
    assert [step.rate for step in analysis.rsa_steps] == rates
    assert analysis.rsa_household == D(amount)


def test_living_budget_lines_by_basis() -> None:
    data = budget(
        ON,
        "2500.00",
        charges=[
            {"category": "rent", "monthly_amount": "650.00"},
            {"category": "rent", "monthly_amount": "50.00", "label": "Garage"},
            {"category": "work_travel", "monthly_amount": "180.00"},
            {"category": "food", "monthly_amount": "900.00"},
            {"category": "childcare", "monthly_amount": "120.50"},
        ],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    lines = {line.category: line for line in analysis.living_budget_lines}
    # Actual: the two rent lines added, 650 + 50 = 700.
    assert lines[ChargeCategory.RENT].basis is ChargeBasis.ACTUAL
    assert lines[ChargeCategory.RENT].retained == D("700.00")
    # Ceiled: 180 declared, ceiling 100.
    travel = lines[ChargeCategory.WORK_TRAVEL]
    assert (travel.declared, travel.retained, travel.ceiling) == (D("180.00"), D("100.00"), D(100))
    # Allowance: 900 declared, 600 retained; clothing not declared, allowance anyway.
    food = lines[ChargeCategory.FOOD]
    assert (food.declared, food.retained, food.allowance) == (D("900.00"), D("600.00"), D(600))
    assert lines[ChargeCategory.CLOTHING].declared == D("0.00")
    assert lines[ChargeCategory.CLOTHING].retained == D("100.00")
    assert ChargeCategory.INCOME_TAX not in lines
    # 700 + 100 + 120.50 + 1 020 (allowances) = 1 940.50.
    assert analysis.living_budget == D("1940.50")
    # Capacity: Q(2025, 30 000 base) vs 2 500 − 1 940.50 = 559.50.
    # Q = 222 + 422 + 846 + 1 050 + 4 210/3 + 4 300 × 2/3 + 4 400
    #   = 2 540 + 12 810/3 + 4 400 = 2 540 + 4 270 + 4 400 = 11 210; / 12 = 934.1666… → 934.17;
    # resources − RSA = 1 853.48; max legal = 934.17; capacity = 559.50.
    assert 2540 + Fraction(4210, 3) + Fraction(4300 * 2, 3) + 4400 == 11210
    assert analysis.quotite_saisissable == D("934.17")
    assert analysis.capacity == D("559.50")
    assert "budget de vie courante limite" in analysis.capacity_basis_fr


def test_default_sample_allowances_are_said_to_be_sample() -> None:
    analysis = compute_budget(budget(ON, "1500.00"))
    sources = [p.source for p in analysis.parameters_used if p.name.startswith("Forfait")]
    assert len(sources) == 5
    assert all("Données d'exemple" in s and "aucun forfait fourni" in s for s in sources)
    # The default set for one adult in 2025: 320 × 1.02 = 326.40 for food.
    assert analysis.living_budget_lines[0].allowance == D("326.40")


def test_sample_allowances_scale_with_the_household() -> None:
    alone = sample_allowances("75", ON, Household(adults=1, children=0))
    family = sample_allowances("75", ON, Household(adults=2, children=2))
    # Paris food 2025: 345 × 1.02 = 351.90; family: × (1 + 0.5 + 2 × 0.3) = × 2.1 = 738.99.
    assert alone.amounts[ChargeCategory.FOOD] == D("351.90")
    assert family.amounts[ChargeCategory.FOOD] == D("738.99")
    # Heating per dwelling: 70 × 1.02 = 71.40; × (1 + 0.2 + 2 × 0.1) = × 1.4 = 99.96.
    assert family.amounts[ChargeCategory.HEATING] == D("99.96")
    assert family.sample and family.departement == "75"
    # A département without its own sample set takes the default one.
    assert sample_allowances("01", ON, Household(adults=1, children=0)).departement == "*"


def test_debt_to_income_flag_above_35_percent() -> None:
    loans = [
        debt("Banque A", "bank", "consumer_credit", "9000.00", monthly_instalment="450.00"),
        debt("Banque B", "bank", "mortgage", "90000.00", monthly_instalment="250.00"),
        # Not a loan: not in the ratio.
        debt("EDF", "energy", "energy_arrears", "300.00", monthly_instalment="100.00"),
    ]
    at_limit = compute_budget(budget(ON, "2000.00", debts=loans), TEST_ALLOWANCES)
    # (450 + 250) / 2 000 = 0.35: not above.
    assert at_limit.loan_instalments == D("700.00")
    assert at_limit.debt_to_income == D("0.3500")
    assert at_limit.debt_to_income_flag is False
    above = compute_budget(budget(ON, "1999.99", debts=loans), TEST_ALLOWANCES)
    # 700 / 1 999.99 = 0.350001… → 0.3500 shown, but above 35 %: flagged.
    assert above.debt_to_income == D("0.3500")
    assert above.debt_to_income_flag is True
    # Reste à vivre = 2 000 − 1 020 (allowances) − 800 (every current instalment) = 180.
    assert at_limit.current_instalments == D("800.00")
    assert at_limit.reste_a_vivre == D("180.00")


def test_no_resources_no_ratio_but_flagged_when_paying_loans() -> None:
    loans = [debt("Banque", "bank", "consumer_credit", "900.00", monthly_instalment="50.00")]
    analysis = compute_budget(budget(ON, "0", debts=loans), TEST_ALLOWANCES)
    assert analysis.debt_to_income is None
    assert analysis.debt_to_income_flag is True
    assert analysis.capacity == D("0.00")
    assert analysis.months_to_repay is None
    assert analysis.reste_a_vivre == D("-1070.00")
