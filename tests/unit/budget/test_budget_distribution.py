"""Sharing the capacity: landlord first, then pro rata of the claims, disputed debts excluded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from budget_cases import debt

from domain.budget import DebtLine
from domain.budget.distribution import distribute

D = Decimal


def lines(*specs: dict[str, Any]) -> list[DebtLine]:
    return [DebtLine.model_validate(spec) for spec in specs]


def amounts(debts: list[DebtLine], capacity: str) -> list[Decimal]:
    return [a.monthly_amount for a in distribute(debts, D(capacity), 36).allocations]


def test_landlord_first_then_pro_rata_and_disputed_excluded() -> None:
    debts = lines(
        debt("Bailleur", "landlord", "rent_arrears", "0", arrears="1800.00"),
        debt("Banque", "bank", "consumer_credit", "5000.00", arrears="1000.00"),
        debt("Crédit", "credit_company", "revolving_credit", "3000.00"),
        debt("Énergie", "energy", "energy_arrears", "500.00", disputed=True),
    )
    result = distribute(debts, D("200.00"), 36)
    # Landlord: no agreed instalment, 1 800 / 36 = 50.00 first.
    # Left 150, pro rata of 6 000 and 3 000: 100.00 and 50.00. The disputed debt: 0.
    assert [a.monthly_amount for a in result.allocations] == [
        D("50.00"), D("100.00"), D("50.00"), D("0.00"),
    ]  # fmt: skip
    assert [a.priority for a in result.allocations] == [True, False, False, False]
    assert [a.share for a in result.allocations] == [
        D("0.2500"), D("0.5000"), D("0.2500"), D("0.0000"),
    ]  # fmt: skip
    assert result.allocations[1].claim == D("6000.00")
    assert "contestée" in result.allocations[3].rationale_fr
    assert any("Énergie" in note for note in result.notes_fr)
    assert "L.711-6" in result.allocations[0].rationale_fr


def test_rounding_keeps_the_total_to_the_cent() -> None:
    debts = lines(
        debt("Bailleur", "landlord", "rent_arrears", "1000.00"),
        debt("A", "bank", "consumer_credit", "1000.00"),
        debt("B", "bank", "consumer_credit", "1000.00"),
        debt("C", "bank", "consumer_credit", "1000.00"),
    )
    # Landlord 1 000 / 36 = 27.777…; the 72.222… left / 3 = 24.0740… each.
    # Floors 27.77 + 3 × 24.07 = 99.98: the 2 missing cents go to the largest remainders,
    # the landlord (0.777…) then A (0.407…, first of three equal remainders).
    result = amounts(debts, "100.00")
    assert result == [D("27.78"), D("24.08"), D("24.07"), D("24.07")]
    assert sum(result) == D("100.00")


def test_agreed_instalment_is_the_landlord_need_and_may_take_everything() -> None:
    debts = lines(
        debt("Bailleur", "landlord", "other", "0", arrears="2400.00", monthly_instalment="150.00"),
        debt("Banque", "bank", "consumer_credit", "5000.00"),
    )
    # Capacity 100 < landlord need 150: all to the landlord, nothing left for the bank.
    assert amounts(debts, "100.00") == [D("100.00"), D("0.00")]
    # Capacity 400: landlord 150, bank 250.
    assert amounts(debts, "400.00") == [D("150.00"), D("250.00")]


def test_leftover_tops_the_landlord_up_and_capacity_above_the_claims() -> None:
    debts = lines(
        debt("Bailleur", "landlord", "rent_arrears", "1800.00"),
        debt("Banque", "bank", "bank_overdraft", "100.00"),
    )
    # Landlord 50, bank 100 (its whole claim), the 50 left go back to the landlord: 100.
    assert amounts(debts, "200.00") == [D("100.00"), D("100.00")]
    # Capacity 2 500 > 1 900 of claims: each is paid in full, the notes say so.
    result = distribute(debts, D("2500.00"), 36)
    assert [a.monthly_amount for a in result.allocations] == [D("1800.00"), D("100.00")]
    assert any("soldées en un mois" in note for note in result.notes_fr)


def test_zero_capacity_shares_nothing() -> None:
    debts = lines(debt("Banque", "bank", "consumer_credit", "5000.00"))
    result = distribute(debts, D("0.00"), 36)
    assert result.allocations[0].monthly_amount == D("0.00")
    assert result.allocations[0].share == D("0.0000")
    assert any("nulle" in note for note in result.notes_fr)
