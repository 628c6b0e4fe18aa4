"""The distribution adds up to the capacity to the cent, whatever the debts (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.budget import DebtLine
from domain.budget.distribution import distribute

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
debts = st.lists(
    st.builds(
        lambda kind, nature, capital, arrears, instalment, disputed: DebtLine(
            creditor="Créancier",
            creditor_kind=kind,
            nature=nature,
            capital_outstanding=capital,
            arrears=arrears,
            monthly_instalment=instalment,
            disputed=disputed,
        ),
        st.sampled_from(["landlord", "bank", "energy", "debt_buyer"]),
        st.sampled_from(["rent_arrears", "consumer_credit", "energy_arrears", "other"]),
        cents,
        cents,
        cents,
        st.booleans(),
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(debts, cents)
def test_allocations_sum_to_the_capacity_or_the_claims(
    lines: list[DebtLine], capacity: Decimal
) -> None:
    result = distribute(lines, capacity, 36)
    paid = [a.monthly_amount for a in result.allocations]
    eligible = sum((d.claim for d in lines if not d.disputed), Decimal(0))
    assert sum(paid) == min(capacity, eligible)
    for line, allocation in zip(lines, result.allocations, strict=True):
        assert Decimal(0) <= allocation.monthly_amount <= line.claim
        if line.disputed:
            assert allocation.monthly_amount == 0
