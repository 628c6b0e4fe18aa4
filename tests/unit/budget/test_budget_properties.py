"""Properties of the engine over many households (hypothesis)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from budget_cases import TEST_ALLOWANCES, budget
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.budget import BudgetAnalysis, compute_budget

ZERO = Decimal("0.00")
amounts = st.integers(min_value=0, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
dates = st.dates(min_value=date(2024, 4, 1), max_value=date(2027, 12, 31))
households = st.tuples(st.integers(1, 2), st.integers(0, 6), st.integers(0, 6))
charges = st.lists(
    st.tuples(st.sampled_from(["rent", "work_travel", "food", "childcare"]), amounts),
    max_size=4,
)


def analyse(
    on: date,
    resources: Decimal,
    people: tuple[int, int, int],
    lines: Sequence[tuple[str, Decimal]] = (),
) -> BudgetAnalysis:
    adults, children, dependants = people
    data = budget(
        on,
        str(resources),
        adults=adults,
        children=children,
        dependants=dependants,
        charges=[{"category": c, "monthly_amount": str(a)} for c, a in lines],
    )
    return compute_budget(data, TEST_ALLOWANCES)


@settings(max_examples=300, deadline=None)
@given(dates, amounts, households, charges)
def test_figures_are_never_negative_and_bounded(
    on: date,
    resources: Decimal,
    people: tuple[int, int, int],
    lines: list[tuple[str, Decimal]],
) -> None:
    analysis = analyse(on, resources, people, lines)
    assert analysis.quotite_saisissable >= ZERO
    assert analysis.capacity >= ZERO
    assert analysis.max_legal >= ZERO
    # Never above resources − RSA for the household (nor above Q), nor below 0.
    assert analysis.max_legal <= max(ZERO, analysis.resources_minus_rsa)
    assert analysis.max_legal <= analysis.quotite_saisissable
    assert analysis.capacity <= analysis.max_legal
    assert analysis.capacity <= max(ZERO, analysis.resources_minus_living_budget)
    # Q never takes more than the resources; the bands add up to the annual base.
    assert analysis.quotite_saisissable <= resources
    assert sum(b.portion for b in analysis.bands) == analysis.annual_base


@settings(max_examples=300, deadline=None)
@given(dates, amounts, amounts, households)
def test_quotite_is_non_decreasing_in_resources(
    on: date, first: Decimal, second: Decimal, people: tuple[int, int, int]
) -> None:
    low, high = sorted((first, second))
    lower, higher = analyse(on, low, people), analyse(on, high, people)
    assert lower.quotite_saisissable <= higher.quotite_saisissable
    assert lower.max_legal <= higher.max_legal
    assert lower.capacity <= higher.capacity


@settings(max_examples=200, deadline=None)
@given(dates, amounts, st.tuples(st.integers(1, 2), st.integers(0, 6)), st.integers(0, 5))
def test_more_dependants_never_raise_the_quotite(
    on: date, resources: Decimal, household: tuple[int, int], extra: int
) -> None:
    adults, children = household
    fewer = analyse(on, resources, (adults, children, 0))
    more = analyse(on, resources, (adults, children, extra))
    assert more.quotite_saisissable <= fewer.quotite_saisissable
