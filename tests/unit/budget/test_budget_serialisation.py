"""Inputs and analyses survive a JSON round trip unchanged (they are stored as snapshots)."""

from __future__ import annotations

import json
from datetime import date

from budget_cases import TEST_ALLOWANCES, budget, debt

from domain.budget import (
    BudgetAnalysis,
    BudgetInput,
    StrategyProposal,
    compute_budget,
    propose_strategies,
)


def test_json_round_trip_keeps_every_figure() -> None:
    data = budget(
        date(2026, 6, 1),
        "1733.33",
        adults=2,
        children=1,
        dependants=1,
        charges=[{"category": "work_travel", "monthly_amount": "212.10"}],
        debts=[debt("Banque", "bank", "revolving_credit", "2500.55", arrears="99.99")],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    assert BudgetInput.model_validate_json(data.model_dump_json()) == data
    again = BudgetAnalysis.model_validate_json(analysis.model_dump_json())
    assert again == analysis
    # Amounts are JSON strings with their cents, never floats.
    dumped = json.loads(analysis.model_dump_json())
    assert dumped["monthly_resources"] == "1733.33"
    assert dumped["bands"][0]["share"] == "1/20"
    proposals = propose_strategies(data, analysis)
    assert [StrategyProposal.model_validate_json(p.model_dump_json()) for p in proposals] == (
        proposals
    )
