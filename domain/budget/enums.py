"""Kinds of resources, charges, debts and strategies, with their French labels."""

from __future__ import annotations

from domain.labelled_enum import LabelledEnum


class ResourceKind(LabelledEnum):
    SALARY = "salary", "Salaire"
    PENSION = "pension", "Pension de retraite ou d'invalidité"
    UNEMPLOYMENT = "unemployment", "Allocation chômage"
    SOCIAL_BENEFIT = "social_benefit", "Minimum social (RSA, AAH, prime d'activité…)"
    FAMILY_BENEFIT = "family_benefit", "Prestations familiales"
    HOUSING_BENEFIT = "housing_benefit", "Aide au logement (APL, ALF, ALS)"
    OTHER = "other", "Autre ressource"


RESOURCE_LABELS_FR = ResourceKind.labels()


class ChargeCategory(LabelledEnum):
    RENT = "rent", "Loyer (charges locatives comprises)"
    LOCAL_TAXES = "local_taxes", "Impôts locaux"
    INCOME_TAX = "income_tax", "Impôt sur le revenu"
    CHILDCARE = "childcare", "Frais de garde d'enfants"
    HEALTH_INSURANCE = "health_insurance", "Mutuelle santé"
    ALIMONY_PAID = "alimony_paid", "Pension alimentaire versée"
    SCHOOL_COSTS = "school_costs", "Frais de scolarité et de cantine"
    WORK_TRAVEL = "work_travel", "Frais de trajet domicile-travail"
    FOOD = "food", "Alimentation et hygiène"
    CLOTHING = "clothing", "Habillement"
    HEATING = "heating", "Chauffage"
    HOUSEHOLD_COSTS = "household_costs", "Dépenses ménagères (eau, téléphone, internet, entretien)"
    INSURANCE = "insurance", "Assurances (habitation, véhicule)"
    OTHER = "other", "Autre charge"


CHARGE_LABELS_FR = ChargeCategory.labels()


class ChargeBasis(LabelledEnum):
    """How a charge enters the living budget (Banque de France method)."""

    ACTUAL = "actual", "Montant réel"  # the declared amount
    CEILED = "ceiled", "Montant réel plafonné"  # the declared amount, up to a ceiling
    ALLOWANCE = (
        "allowance",
        "Forfait",
    )  # a flat allowance by household composition, whatever is declared


CHARGE_BASIS_LABELS_FR = ChargeBasis.labels()

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


class DebtNature(LabelledEnum):
    CONSUMER_CREDIT = "consumer_credit", "Crédit à la consommation"
    REVOLVING_CREDIT = "revolving_credit", "Crédit renouvelable"
    MORTGAGE = "mortgage", "Crédit immobilier"
    RENT_ARREARS = "rent_arrears", "Dette de loyer"
    ENERGY_ARREARS = "energy_arrears", "Impayé d'énergie"
    TELECOM_ARREARS = "telecom_arrears", "Impayé de téléphone ou d'internet"
    TAX_ARREARS = "tax_arrears", "Dette fiscale"
    BANK_OVERDRAFT = "bank_overdraft", "Découvert bancaire"
    FINES = "fines", "Amendes"
    OTHER = "other", "Autre dette"


DEBT_NATURE_LABELS_FR = DebtNature.labels()

# Debts whose instalments make up the taux d'endettement (loans, insurance included).
LOAN_NATURES = frozenset(
    {DebtNature.CONSUMER_CREDIT, DebtNature.REVOLVING_CREDIT, DebtNature.MORTGAGE}
)


class StrategyKind(LabelledEnum):
    PAYMENT_PLAN = "payment_plan", "Plan de remboursement amiable"
    RESCHEDULING = "rescheduling", "Rééchelonnement"
    REMISSION = "remission", "Demande de remise de dette"
    SETTLEMENT = "settlement", "Transaction (règlement pour solde)"
    FEE_WAIVER = "fee_waiver", "Annulation ou plafonnement des frais"
    MORATORIUM = "moratorium", "Moratoire (suspension des paiements)"
    OMBUDSMAN_MEDIATION = "ombudsman_mediation", "Médiation par le médiateur du créancier"
    BANQUE_DE_FRANCE_FILE = (
        "banque_de_france_file",
        "Dossier de surendettement à la Banque de France",
    )
    AID_REQUEST = "aid_request", "Demande d'aide (FSL, chèque énergie, CAF)"


STRATEGY_LABELS_FR = StrategyKind.labels()
