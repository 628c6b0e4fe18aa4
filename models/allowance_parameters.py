"""The commissions' allowances (forfaits) as dated, editable parameters.

Household dimension: one row gives, for a département, a category and a start date, the monthly
amount for ONE adult living alone (`base_amount`), what a second adult adds
(`second_adult_amount`) and what each child adds (`per_child_amount`):

    amount for the household = base + second adult × (adults − 1) + per child × children

Commissions publish their forfaits per household size; absolute increments let staff type
those figures as published, and cover every composition. The work travel ceiling is a row of
category "work_travel" read the same way (the samples give it per worker, no increment).

Each category resolves on its own: the département's latest row on the date, else the "*" row
(every département without figures of its own). Rows seeded from the engine's sample figures
are flagged `sample` until someone edits them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import SQLModel

from domain.budget import (
    ChargeCategory,
    Household,
)
from domain.budget.amounts import cents
from domain.clock import utcnow
from models.categories import Category, field


class AllowanceParameter(SQLModel, table=True):
    """Not personal data: figures a commission publishes, and who last changed them."""

    __tablename__ = "allowance_parameter"
    __table_args__ = (UniqueConstraint("departement", "valid_from", "category"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    # "*" for every département without figures of its own.
    departement: str = field(Category.OPERATIONAL, max_length=3, index=True)
    valid_from: date = field(Category.OPERATIONAL)
    category: ChargeCategory = field(Category.OPERATIONAL, max_length=30)
    base_amount: Decimal = field(Category.OPERATIONAL, max_digits=10, decimal_places=2)
    second_adult_amount: Decimal = field(
        Category.OPERATIONAL, default=Decimal("0.00"), max_digits=10, decimal_places=2
    )
    per_child_amount: Decimal = field(
        Category.OPERATIONAL, default=Decimal("0.00"), max_digits=10, decimal_places=2
    )
    source: str = field(Category.OPERATIONAL, max_length=300)
    sample: bool = field(Category.OPERATIONAL, default=False)
    updated_by: str = field(Category.OPERATIONAL, max_length=60)
    updated_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)

    def amount_for(self, household: Household) -> Decimal:
        return cents(
            self.base_amount
            + self.second_adult_amount * (household.adults - 1)
            + self.per_child_amount * household.children
        )
