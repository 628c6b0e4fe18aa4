"""Kinds of resources, charges, debts and strategies, with their French labels."""

from __future__ import annotations

from enum import StrEnum


class ResourceKind(StrEnum):
    SALARY = "salary"
    PENSION = "pension"
    UNEMPLOYMENT = "unemployment"
    SOCIAL_BENEFIT = "social_benefit"
    FAMILY_BENEFIT = "family_benefit"
    HOUSING_BENEFIT = "housing_benefit"
    OTHER = "other"


RESOURCE_LABELS_FR: dict[ResourceKind, str] = {
    ResourceKind.SALARY: "Salaire",
    ResourceKind.PENSION: "Pension de retraite ou d'invalidité",
    ResourceKind.UNEMPLOYMENT: "Allocation chômage",
    ResourceKind.SOCIAL_BENEFIT: "Minimum social (RSA, AAH, prime d'activité…)",
    ResourceKind.FAMILY_BENEFIT: "Prestations familiales",
    ResourceKind.HOUSING_BENEFIT: "Aide au logement (APL, ALF, ALS)",
    ResourceKind.OTHER: "Autre ressource",
}


class ChargeCategory(StrEnum):
    RENT = "rent"
    LOCAL_TAXES = "local_taxes"
    INCOME_TAX = "income_tax"
    CHILDCARE = "childcare"
    HEALTH_INSURANCE = "health_insurance"
    ALIMONY_PAID = "alimony_paid"
    SCHOOL_COSTS = "school_costs"
    WORK_TRAVEL = "work_travel"
    FOOD = "food"
    CLOTHING = "clothing"
    HEATING = "heating"
    HOUSEHOLD_COSTS = "household_costs"
    INSURANCE = "insurance"
    OTHER = "other"


CHARGE_LABELS_FR: dict[ChargeCategory, str] = {
    ChargeCategory.RENT: "Loyer (charges locatives comprises)",
    ChargeCategory.LOCAL_TAXES: "Impôts locaux",
    ChargeCategory.INCOME_TAX: "Impôt sur le revenu",
    ChargeCategory.CHILDCARE: "Frais de garde d'enfants",
    ChargeCategory.HEALTH_INSURANCE: "Mutuelle santé",
    ChargeCategory.ALIMONY_PAID: "Pension alimentaire versée",
    ChargeCategory.SCHOOL_COSTS: "Frais de scolarité et de cantine",
    ChargeCategory.WORK_TRAVEL: "Frais de trajet domicile-travail",
    ChargeCategory.FOOD: "Alimentation et hygiène",
    ChargeCategory.CLOTHING: "Habillement",
    ChargeCategory.HEATING: "Chauffage",
    ChargeCategory.HOUSEHOLD_COSTS: "Dépenses ménagères (eau, téléphone, internet, entretien)",
    ChargeCategory.INSURANCE: "Assurances (habitation, véhicule)",
    ChargeCategory.OTHER: "Autre charge",
}


class ChargeBasis(StrEnum):
    """How a charge enters the living budget (Banque de France method)."""

    ACTUAL = "actual"  # the declared amount
    CEILED = "ceiled"  # the declared amount, up to a ceiling
    ALLOWANCE = "allowance"  # a flat allowance by household composition, whatever is declared


CHARGE_BASIS_LABELS_FR: dict[ChargeBasis, str] = {
    ChargeBasis.ACTUAL: "Montant réel",
    ChargeBasis.CEILED: "Montant réel plafonné",
    ChargeBasis.ALLOWANCE: "Forfait",
}

CHARGE_BASIS: dict[ChargeCategory, ChargeBasis] = {
    ChargeCategory.RENT: ChargeBasis.ACTUAL,
    ChargeCategory.LOCAL_TAXES: ChargeBasis.ACTUAL,
    ChargeCategory.INCOME_TAX: ChargeBasis.ACTUAL,
    ChargeCategory.CHILDCARE: ChargeBasis.ACTUAL,
    ChargeCategory.HEALTH_INSURANCE: ChargeBasis.ACTUAL,
    ChargeCategory.ALIMONY_PAID: ChargeBasis.ACTUAL,
    ChargeCategory.SCHOOL_COSTS: ChargeBasis.ACTUAL,
    ChargeCategory.WORK_TRAVEL: ChargeBasis.CEILED,
    ChargeCategory.FOOD: ChargeBasis.ALLOWANCE,
    ChargeCategory.CLOTHING: ChargeBasis.ALLOWANCE,
    ChargeCategory.HEATING: ChargeBasis.ALLOWANCE,
    ChargeCategory.HOUSEHOLD_COSTS: ChargeBasis.ALLOWANCE,
    ChargeCategory.INSURANCE: ChargeBasis.ALLOWANCE,
    # Anything else the case worker declares is retained as declared; the page shows it.
    ChargeCategory.OTHER: ChargeBasis.ACTUAL,
}

ALLOWANCE_CATEGORIES: tuple[ChargeCategory, ...] = tuple(
    category for category, basis in CHARGE_BASIS.items() if basis is ChargeBasis.ALLOWANCE
)


class DebtNature(StrEnum):
    CONSUMER_CREDIT = "consumer_credit"
    REVOLVING_CREDIT = "revolving_credit"
    MORTGAGE = "mortgage"
    RENT_ARREARS = "rent_arrears"
    ENERGY_ARREARS = "energy_arrears"
    TELECOM_ARREARS = "telecom_arrears"
    TAX_ARREARS = "tax_arrears"
    BANK_OVERDRAFT = "bank_overdraft"
    FINES = "fines"
    OTHER = "other"


DEBT_NATURE_LABELS_FR: dict[DebtNature, str] = {
    DebtNature.CONSUMER_CREDIT: "Crédit à la consommation",
    DebtNature.REVOLVING_CREDIT: "Crédit renouvelable",
    DebtNature.MORTGAGE: "Crédit immobilier",
    DebtNature.RENT_ARREARS: "Dette de loyer",
    DebtNature.ENERGY_ARREARS: "Impayé d'énergie",
    DebtNature.TELECOM_ARREARS: "Impayé de téléphone ou d'internet",
    DebtNature.TAX_ARREARS: "Dette fiscale",
    DebtNature.BANK_OVERDRAFT: "Découvert bancaire",
    DebtNature.FINES: "Amendes",
    DebtNature.OTHER: "Autre dette",
}

# Debts whose instalments make up the taux d'endettement (loans, insurance included).
LOAN_NATURES = frozenset(
    {DebtNature.CONSUMER_CREDIT, DebtNature.REVOLVING_CREDIT, DebtNature.MORTGAGE}
)


class StrategyKind(StrEnum):
    PAYMENT_PLAN = "payment_plan"
    RESCHEDULING = "rescheduling"
    REMISSION = "remission"
    SETTLEMENT = "settlement"
    FEE_WAIVER = "fee_waiver"
    MORATORIUM = "moratorium"
    OMBUDSMAN_MEDIATION = "ombudsman_mediation"
    BANQUE_DE_FRANCE_FILE = "banque_de_france_file"
    AID_REQUEST = "aid_request"


STRATEGY_LABELS_FR: dict[StrategyKind, str] = {
    StrategyKind.PAYMENT_PLAN: "Plan de remboursement amiable",
    StrategyKind.RESCHEDULING: "Rééchelonnement",
    StrategyKind.REMISSION: "Demande de remise de dette",
    StrategyKind.SETTLEMENT: "Transaction (règlement pour solde)",
    StrategyKind.FEE_WAIVER: "Annulation ou plafonnement des frais",
    StrategyKind.MORATORIUM: "Moratoire (suspension des paiements)",
    StrategyKind.OMBUDSMAN_MEDIATION: "Médiation par le médiateur du créancier",
    StrategyKind.BANQUE_DE_FRANCE_FILE: "Dossier de surendettement à la Banque de France",
    StrategyKind.AID_REQUEST: "Demande d'aide (FSL, chèque énergie, CAF)",
}
