"""Anonymised statistics that outlive a dossier: no identifier, no date finer than a quarter."""

from __future__ import annotations

from sqlmodel import SQLModel

from models.categories import Category, field


class DossierStatistic(SQLModel, table=True):
    __tablename__ = "dossier_statistic"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    closed_year: int = field(Category.OPERATIONAL)
    closed_quarter: int = field(Category.OPERATIONAL)
    outcome: str = field(Category.OPERATIONAL, max_length=40)
    creditor_count: int = field(Category.OPERATIONAL)
    # Rounded to whole months so the figure cannot single a dossier out.
    duration_months: int = field(Category.OPERATIONAL)
    departement: str = field(Category.OPERATIONAL, max_length=3)
