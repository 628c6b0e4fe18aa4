"""Budget analysis by the Banque de France method: pure rules, no I/O.

Public API (import from here): the input models, `compute_budget`, `propose_strategies`, the
dated legal parameters and the sample allowances.
"""

from domain.budget.analysis import (
    Allocation,
    BudgetAnalysis,
    LivingBudgetLine,
    ParameterRef,
    RsaRef,
    RsaStep,
    SeizureBand,
    SeizureScaleRef,
    StrategyProposal,
)
from domain.budget.engine import compute_budget
from domain.budget.enums import (
    ALLOWANCE_CATEGORIES,
    CHARGE_BASIS,
    CHARGE_BASIS_LABELS_FR,
    CHARGE_LABELS_FR,
    DEBT_NATURE_LABELS_FR,
    LOAN_NATURES,
    RESOURCE_LABELS_FR,
    STRATEGY_LABELS_FR,
    ChargeBasis,
    ChargeCategory,
    DebtNature,
    ResourceKind,
    StrategyKind,
)
from domain.budget.inputs import (
    DEFAULT_DEPARTEMENT,
    Allowances,
    AllowanceSet,
    BudgetInput,
    ChargeLine,
    DebtLine,
    Household,
    ResourceLine,
)
from domain.budget.legal_parameters import (
    RSA_AMOUNTS,
    SEIZURE_SCALES,
    ParameterMissing,
    first_computable_date,
)
from domain.budget.sample_allowances import (
    SAMPLE_ALLOWANCES,
    household_allowances,
    sample_allowances,
)
from domain.budget.strategies import propose_strategies

__all__ = [
    "ALLOWANCE_CATEGORIES",
    "CHARGE_BASIS",
    "CHARGE_BASIS_LABELS_FR",
    "CHARGE_LABELS_FR",
    "DEBT_NATURE_LABELS_FR",
    "DEFAULT_DEPARTEMENT",
    "LOAN_NATURES",
    "RESOURCE_LABELS_FR",
    "RSA_AMOUNTS",
    "SAMPLE_ALLOWANCES",
    "SEIZURE_SCALES",
    "STRATEGY_LABELS_FR",
    "Allocation",
    "AllowanceSet",
    "Allowances",
    "BudgetAnalysis",
    "BudgetInput",
    "ChargeBasis",
    "ChargeCategory",
    "ChargeLine",
    "DebtLine",
    "DebtNature",
    "Household",
    "LivingBudgetLine",
    "ParameterMissing",
    "ParameterRef",
    "ResourceKind",
    "ResourceLine",
    "RsaRef",
    "RsaStep",
    "SeizureBand",
    "SeizureScaleRef",
    "StrategyKind",
    "StrategyProposal",
    "compute_budget",
    "first_computable_date",
    "household_allowances",
    "propose_strategies",
    "sample_allowances",
]
