"""A dossier's budget: what the case worker entered, the strategy, what the client was sent.

One row per dossier. Every figure is financial data encrypted under the client's data key
(JSON documents, bound to table, column and dossier id), so erasing the client's key makes
them unreadable like the rest of their data. What stays in clear is when things happened and
by which channel the client approved, never an amount.

Two copies on purpose: `input_enc` and `strategy_enc` are the working copy the case worker
keeps editing; the `submitted_*` and `analysis_enc` columns freeze what was sent to the client
(submission number `submission`), which is what the client approves and the report prints.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class BudgetRecord(SQLModel, table=True):
    __tablename__ = "budget_record"

    dossier_id: str = field(
        Category.OPERATIONAL, primary_key=True, max_length=32, foreign_key="dossier.id"
    )
    # Working copy: JSON of domain.budget.BudgetInput and of the chosen strategy lines.
    input_enc: str | None = field(Category.FINANCIAL, default=None)
    strategy_enc: str | None = field(Category.FINANCIAL, default=None)
    input_updated_at: datetime | None = field(Category.OPERATIONAL, default=None)
    strategy_updated_at: datetime | None = field(Category.OPERATIONAL, default=None)
    # Frozen at submission: the input, the BudgetAnalysis computed from it and the strategy.
    submission: int = field(Category.OPERATIONAL, default=0)
    submitted_input_enc: str | None = field(Category.FINANCIAL, default=None)
    analysis_enc: str | None = field(Category.FINANCIAL, default=None)
    submitted_strategy_enc: str | None = field(Category.FINANCIAL, default=None)
    submitted_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    # The client's approval of submission `approved_submission` (a new submission clears it).
    approved_submission: int | None = field(Category.NEGOTIATION_HISTORY, default=None)
    approved_at: datetime | None = field(Category.NEGOTIATION_HISTORY, default=None)
    approval_channel: str | None = field(Category.NEGOTIATION_HISTORY, default=None, max_length=20)
    approved_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    # The PDF report of submission `report_submission`; a report is made once per submission.
    # No foreign key: retention deletes documents on their own schedule.
    report_document_id: str | None = field(Category.OPERATIONAL, default=None, max_length=32)
    report_submission: int | None = field(Category.OPERATIONAL, default=None)
    created_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    updated_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
