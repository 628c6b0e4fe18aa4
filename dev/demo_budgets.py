"""Budgets for demo and benchmark dossiers, saved as a case worker would have entered them:
the figures, then the engine's proposals kept as the strategy."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from config.settings import Settings
from domain.budget import BudgetInput, compute_budget, propose_strategies
from models.staff import StaffUser
from services.budget.store import StrategyLine, save_budget_input, save_strategy
from services.negotiations.store import paris_today


def household_budget(debts: list[dict[str, Any]]) -> BudgetInput:
    """A working parent with one child, dated today, owing `debts` (DebtLine fields)."""
    return BudgetInput.model_validate(
        {
            "on": paris_today(),
            "household": {"adults": 1, "children": 1},
            "dependants": 1,
            "resources": [
                {"kind": "salary", "label": "Salaire net", "monthly_amount": "1780.00"},
                {"kind": "housing_benefit", "label": "APL", "monthly_amount": "160.00"},
            ],
            "charges": [
                {"category": "rent", "monthly_amount": "640.00"},
                {"category": "health_insurance", "monthly_amount": "38.00"},
            ],
            "debts": debts,
        }
    )


def save_budget_with_proposals(
    session: Session, owner: StaffUser, dossier_id: str, budget: BudgetInput, settings: Settings
) -> None:
    proposals = propose_strategies(budget, compute_budget(budget))
    strategy = [
        StrategyLine(
            kind=p.kind,
            debt_index=p.debt_index,
            rationale=p.rationale_fr,
            monthly_amount=p.suggested_monthly,
        )
        for p in proposals
    ]
    save_budget_input(session, owner, dossier_id, budget, settings)
    save_strategy(session, owner, dossier_id, strategy, settings)
