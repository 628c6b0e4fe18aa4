"""What the engine returns: every figure of the computation, rounded to the cent for display.

Models are plain pydantic (JSON-serialisable: Decimals become strings), so a snapshot can be
stored, shown on a page, printed in the report or sent by the API exactly as computed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from domain.budget.enums import ChargeBasis, ChargeCategory, StrategyKind


class ParameterRef(BaseModel):
    """A dated parameter the computation used, for the page and the report."""

    name: str
    valid_from: date
    value: str
    source: str


class SeizureScaleRef(BaseModel):
    valid_from: date
    source: str
    thresholds: list[Decimal]  # annual, as published (no dependant)
    per_dependant: Decimal  # annual raise of each threshold per dependant
    raised_thresholds: list[Decimal]  # annual, raised for this household's dependants


class SeizureBand(BaseModel):
    """One slice of the annual base and what the scale seizes of it."""

    lower: Decimal  # annual, exclusive
    upper: Decimal | None  # annual, inclusive; None for the last band (everything above)
    share: str  # "1/20" ... "2/3", "1/1" above the last threshold
    portion: Decimal  # part of the annual base falling in this band
    seized_annual: Decimal  # portion × share


class RsaRef(BaseModel):
    valid_from: date
    amount_single: Decimal  # montant forfaitaire for one person
    source: str


class RsaStep(BaseModel):
    """One person of the household and the raise they bring to the RSA amount."""

    person: int  # 1, 2, 3...
    rate: str  # "100 %", "50 %", "30 %", "40 %"
    amount: Decimal
    reason_fr: str


class LivingBudgetLine(BaseModel):
    category: ChargeCategory
    label_fr: str
    basis: ChargeBasis
    declared: Decimal  # what the household declared (0 when nothing)
    retained: Decimal  # what enters the living budget
    ceiling: Decimal | None = None  # for ceiled charges
    allowance: Decimal | None = None  # for allowance-based charges


class Allocation(BaseModel):
    debt_index: int  # position in BudgetInput.debts
    creditor: str
    claim: Decimal  # capital outstanding + arrears
    priority: bool  # landlord paid first (Code de la consommation L.711-6)
    share: Decimal  # part of the capacity, ratio with 4 decimals
    monthly_amount: Decimal
    rationale_fr: str


class BudgetAnalysis(BaseModel):
    on: date
    monthly_resources: Decimal
    annual_base: Decimal
    seizure_scale: SeizureScaleRef
    bands: list[SeizureBand]
    quotite_saisissable_annual: Decimal
    quotite_saisissable: Decimal  # monthly
    rsa: RsaRef
    household_size: int
    rsa_steps: list[RsaStep]
    rsa_household: Decimal
    resources_minus_rsa: Decimal  # may be negative: then nothing can be repaid
    max_legal: Decimal
    max_legal_basis_fr: str
    living_budget_lines: list[LivingBudgetLine]
    living_budget: Decimal
    resources_minus_living_budget: Decimal  # may be negative
    current_instalments: Decimal  # all debts' current monthly instalments
    reste_a_vivre: Decimal  # resources − living budget − current instalments (may be negative)
    capacity: Decimal
    capacity_basis_fr: str
    loan_instalments: Decimal
    debt_to_income: Decimal | None  # None when there is no resource at all
    debt_to_income_flag: bool
    total_debt: Decimal  # every claim, disputed ones included
    disputed_debt: Decimal
    distributed_debt: Decimal  # claims sharing the capacity (disputed ones excluded)
    distribution: list[Allocation]
    distribution_notes_fr: list[str]
    months_to_repay: int | None  # None when the capacity is 0
    parameters_used: list[ParameterRef]


class StrategyProposal(BaseModel):
    """A proposal for the case worker, who edits, picks or drops it: the engine never decides."""

    debt_index: int | None  # None: household level (aid, Banque de France file)
    kind: StrategyKind
    rationale_fr: str
    suggested_monthly: Decimal | None = None
