"""What the budget engine is given: household, resources, charges, debts, allowances.

Every amount is a monthly Decimal >= 0 with at most two decimals; every refusal carries a French
message and is keyed by the field path ("resources.0.monthly_amount") by domain.intake's
translator, so pages and the API name the field.

`dependants` (personnes à charge, Code du travail R.3252-3) is given apart from the household
composition on purpose: it raises the seizure thresholds and counts the debtor's dependants in
the sense of that article (children, a partner or an ascendant with resources below the RSA,
and children the debtor pays maintenance for, who may live elsewhere), whereas the RSA scale
counts the people living in the household (adults + children).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from domain.budget.amounts import DateField, Money
from domain.budget.enums import (
    ALLOWANCE_CATEGORIES,
    CHARGE_LABELS_FR,
    ChargeCategory,
    DebtNature,
    ResourceKind,
)
from domain.contact_fields import normalise_departement
from domain.dossier_stages import CreditorKind
from domain.input_fields import name_text, optional_text

MAX_LINES = 50
MAX_PEOPLE = 20
DEFAULT_DEPARTEMENT = "*"

# A monthly allowance per allowance-based category, for one given household.
Allowances = Mapping[ChargeCategory, Decimal]


def _known(enum: type[StrEnum], message: str) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and value in enum._value2member_map_:
            return value
        raise ValueError(message)

    return check


# An empty optional label stays "" rather than None.
LABEL = optional_text("Libellé", 120, blank="")


class Household(BaseModel):
    model_config = ConfigDict(extra="forbid")

    adults: int = Field(ge=1, le=2)
    children: int = Field(ge=0, le=MAX_PEOPLE)

    @property
    def size(self) -> int:
        return self.adults + self.children


class ResourceLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Annotated[
        ResourceKind, BeforeValidator(_known(ResourceKind, "Type de ressource inconnu."))
    ]
    label: Annotated[str, LABEL] = ""
    monthly_amount: Money
    # Which adult of the household receives it (1 or 2): both partners' resources are added.
    person: int = Field(default=1, ge=1, le=2)


class ChargeLine(BaseModel):
    """A monthly charge; for allowance-based categories the amount is shown, not retained."""

    model_config = ConfigDict(extra="forbid")

    category: Annotated[
        ChargeCategory, BeforeValidator(_known(ChargeCategory, "Catégorie de charge inconnue."))
    ]
    label: Annotated[str, LABEL] = ""
    monthly_amount: Money


class DebtLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    creditor: Annotated[str, name_text("Nom du créancier", 120)]
    creditor_kind: Annotated[
        CreditorKind, BeforeValidator(_known(CreditorKind, "Type de créancier inconnu."))
    ]
    nature: Annotated[DebtNature, BeforeValidator(_known(DebtNature, "Nature de dette inconnue."))]
    capital_outstanding: Money
    arrears: Money = Decimal("0.00")
    # Current monthly instalment, borrower insurance included.
    monthly_instalment: Money = Decimal("0.00")
    guarantor: bool = False
    disputed: bool = False

    @property
    def claim(self) -> Decimal:
        """What the creditor claims: capital outstanding + arrears."""
        return self.capital_outstanding + self.arrears


class BudgetInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: DateField
    household: Household
    dependants: int = Field(ge=0, le=MAX_PEOPLE)
    resources: list[ResourceLine] = Field(max_length=MAX_LINES)
    charges: list[ChargeLine] = Field(default_factory=list, max_length=MAX_LINES)
    debts: list[DebtLine] = Field(default_factory=list, max_length=MAX_LINES)
    # Client identified as financially fragile by the bank (caps on bank incident fees).
    fragile_client: bool = False

    @property
    def monthly_resources(self) -> Decimal:
        return sum((line.monthly_amount for line in self.resources), Decimal("0.00"))


class AllowanceSet(BaseModel):
    """Monthly allowances (forfaits) for one household, as a commission sets them.

    `amounts` holds one amount per allowance-based category (all of them), already for the
    household concerned; `work_travel_ceiling` caps the home-work travel costs.
    """

    model_config = ConfigDict(extra="forbid")

    departement: str
    valid_from: date
    amounts: dict[ChargeCategory, Money]
    work_travel_ceiling: Money
    source: str
    sample: bool

    @field_validator("departement")
    @classmethod
    def _departement(cls, value: str) -> str:
        return (
            DEFAULT_DEPARTEMENT
            if value.strip() == DEFAULT_DEPARTEMENT
            else (normalise_departement(value))
        )

    @field_validator("amounts")
    @classmethod
    def _every_allowance(
        cls, value: dict[ChargeCategory, Decimal]
    ) -> dict[ChargeCategory, Decimal]:
        extra = [CHARGE_LABELS_FR[c] for c in value if c not in ALLOWANCE_CATEGORIES]
        if extra:
            raise ValueError("Pas de forfait pour : " + ", ".join(extra) + ".")
        missing = [CHARGE_LABELS_FR[c] for c in ALLOWANCE_CATEGORIES if c not in value]
        if missing:
            raise ValueError("Forfait manquant pour : " + ", ".join(missing) + ".")
        return {category: value[category] for category in ALLOWANCE_CATEGORIES}
