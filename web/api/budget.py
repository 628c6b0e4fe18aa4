"""Budget capacity: the Banque de France computation on figures sent in the request.

Nothing is read from or written to a dossier: the answer depends on the request alone (and on
the dated legal parameters and the sample allowances of the département, flagged as such).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from domain.budget import (
    DEFAULT_DEPARTEMENT,
    Allocation,
    BudgetInput,
    ChargeLine,
    DebtLine,
    Household,
    LivingBudgetLine,
    ParameterRef,
    ResourceKind,
    ResourceLine,
    RsaStep,
    SeizureBand,
    compute_budget,
    sample_allowances,
)
from domain.budget.amounts import DateField, Money
from domain.budget.inputs import MAX_LINES, MAX_PEOPLE
from domain.budget.legal_parameters import check_parameters, first_computable_date
from domain.contact_fields import DEPARTEMENT_INPUT
from web.auth import ApiStaff

router = APIRouter(prefix="/budget", tags=["budget"])
RESOURCE_LABEL = "Ressources mensuelles déclarées"


class CapacityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: DateField = Field(
        description=(
            "Date de l'analyse (AAAA-MM-JJ ou JJ/MM/AAAA), au plus tôt le "
            f"{first_computable_date().isoformat()} : les paramètres légaux (barème des "
            "saisies, RSA) ne sont pas connus avant."
        ),
        json_schema_extra={
            "format": "analysis-day",
            "formatMinimum": first_computable_date().isoformat(),
        },
    )
    monthly_resources: Money = Field(description="Ressources mensuelles du foyer, en euros")
    dependants: int = Field(ge=0, le=MAX_PEOPLE, description="Personnes à charge (R.3252-3)")
    household: Household
    charges: list[ChargeLine] = Field(default_factory=list, max_length=MAX_LINES)
    debts: list[DebtLine] = Field(default_factory=list, max_length=MAX_LINES)
    departement: Annotated[str | None, DEPARTEMENT_INPUT.optional()] = Field(
        default=None, description="Département des forfaits (exemple) ; défaut : barème *"
    )
    fragile_client: bool = False


class CapacityResponse(BaseModel):
    on: date
    monthly_resources: str
    annual_base: str
    quotite_saisissable: str
    rsa_household: str
    max_legal: str
    living_budget: str
    reste_a_vivre: str
    capacity: str
    debt_to_income: str | None = Field(description="Ratio à 4 décimales ; null sans ressources")
    debt_to_income_flag: bool
    months_to_repay: int | None
    bands: list[SeizureBand]
    rsa_steps: list[RsaStep]
    living_budget_lines: list[LivingBudgetLine]
    distribution: list[Allocation]
    max_legal_basis: str
    capacity_basis: str
    allowances_departement: str
    allowances_sample: bool
    parameters_used: list[ParameterRef]


@router.post("/capacity", response_model=CapacityResponse)
def capacity(staff: ApiStaff, body: CapacityRequest) -> CapacityResponse:
    """Quotité saisissable, RSA du foyer, maximum légal, budget de vie courante et capacité."""
    # The legal parameters first: their message is the one that helps with a too early date.
    check_parameters(body.on)
    data = BudgetInput(
        on=body.on,
        household=body.household,
        dependants=body.dependants,
        resources=[
            ResourceLine(
                kind=ResourceKind.OTHER, label=RESOURCE_LABEL, monthly_amount=body.monthly_resources
            )
        ],
        charges=body.charges,
        debts=body.debts,
        fragile_client=body.fragile_client,
    )
    allowances = sample_allowances(body.departement or DEFAULT_DEPARTEMENT, body.on, body.household)
    analysis = compute_budget(data, allowances)
    return CapacityResponse(
        on=analysis.on,
        monthly_resources=str(analysis.monthly_resources),
        annual_base=str(analysis.annual_base),
        quotite_saisissable=str(analysis.quotite_saisissable),
        rsa_household=str(analysis.rsa_household),
        max_legal=str(analysis.max_legal),
        living_budget=str(analysis.living_budget),
        reste_a_vivre=str(analysis.reste_a_vivre),
        capacity=str(analysis.capacity),
        debt_to_income=None if analysis.debt_to_income is None else str(analysis.debt_to_income),
        debt_to_income_flag=analysis.debt_to_income_flag,
        months_to_repay=analysis.months_to_repay,
        bands=analysis.bands,
        rsa_steps=analysis.rsa_steps,
        living_budget_lines=analysis.living_budget_lines,
        distribution=analysis.distribution,
        max_legal_basis=analysis.max_legal_basis_fr,
        capacity_basis=analysis.capacity_basis_fr,
        allowances_departement=allowances.departement,
        allowances_sample=allowances.sample,
        parameters_used=analysis.parameters_used,
    )
