"""compute_budget: the Banque de France method, every intermediate figure kept.

Order of the computation (all exact; each figure is rounded half-up to the cent when stored):
1. monthly resources R (all resources of the household, both partners included);
2. quotité saisissable Q from the barème des saisies on the annual base 12 × R (seizure.py);
3. RSA for the household (rsa.py) and the maximum legal repayment
   max_legal = max(0, min(Q, R − RSA household)) (Code de la consommation R.731-1 to R.731-3);
4. living budget L (living_budget.py) and the repayment capacity
   capacity = max(0, min(max_legal, R − L)), rounded after the min, so that it never exceeds
   the rounded max_legal;
5. reste à vivre = R − L − current instalments of every debt: what the household has left
   today if it keeps paying as it does (negative when it cannot);
6. taux d'endettement = loan instalments (credits, insurance included) ÷ R, flagged above 35 %;
7. distribution of the capacity (distribution.py) and months to repay the eligible claims
   (ceiling of claims ÷ capacity, with no interest: commissions may set the rate at 0 %).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import ceil

from domain.budget.amounts import cents, euros, ratio
from domain.budget.analysis import (
    BudgetAnalysis,
    ParameterRef,
    RsaRef,
    RsaStep,
    SeizureBand,
    SeizureScaleRef,
)
from domain.budget.distribution import distribute, is_eligible
from domain.budget.enums import CHARGE_LABELS_FR, LOAN_NATURES
from domain.budget.inputs import DEFAULT_DEPARTEMENT, AllowanceSet, BudgetInput
from domain.budget.legal_parameters import (
    DEBT_TO_INCOME_THRESHOLDS,
    LANDLORD_PRIORITY_SOURCE,
    MAX_LEGAL_SOURCE,
    MAX_PLAN_MONTHS,
    RENT_ARREARS_MONTHS,
    RSA_SCALE_SOURCE,
    in_force,
    rsa_on,
    seizure_scale_on,
)
from domain.budget.living_budget import living_budget_lines
from domain.budget.rsa import rsa_household
from domain.budget.sample_allowances import sample_allowances
from domain.budget.seizure import seize

ZERO = Fraction(0)


def _percent(rate: Fraction) -> str:
    value = rate * 100
    if value.denominator == 1:
        return f"{value.numerator} %"
    return f"{Decimal(value.numerator) / Decimal(value.denominator)} %"


def _share(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def compute_budget(data: BudgetInput, allowances: AllowanceSet | None = None) -> BudgetAnalysis:
    scale = seizure_scale_on(data.on)
    rsa = rsa_on(data.on)
    debt_threshold = in_force(DEBT_TO_INCOME_THRESHOLDS, data.on, "le seuil d'endettement")
    plan_months = in_force(MAX_PLAN_MONTHS, data.on, "la durée maximale d'un plan")
    rent_months = in_force(RENT_ARREARS_MONTHS, data.on, "les délais pour dette locative")
    allowance_note = ""
    if allowances is None:
        allowances = sample_allowances(DEFAULT_DEPARTEMENT, data.on, data.household)
        allowance_note = " — aucun forfait fourni : forfaits d'exemple par défaut (*)"

    allowance_source = f"{allowances.source} (département {allowances.departement})"
    if allowances.sample and "exemple" not in allowances.source:
        allowance_source += " — données d'exemple"
    allowance_source += allowance_note

    resources = Fraction(data.monthly_resources)
    seizure = seize(data.monthly_resources, data.dependants, scale)
    quotite = seizure.monthly
    persons = rsa_household(data.household, rsa)
    rsa_total = sum((p.amount for p in persons), ZERO)
    above_rsa = resources - rsa_total
    max_legal = max(ZERO, min(quotite, above_rsa))

    lines = living_budget_lines(data.charges, allowances)
    living = sum((Fraction(line.retained) for line in lines), ZERO)
    above_living = resources - living
    capacity = cents(max(ZERO, min(max_legal, above_living)))
    instalments = sum((Fraction(d.monthly_instalment) for d in data.debts), ZERO)
    loans = sum(
        (Fraction(d.monthly_instalment) for d in data.debts if d.nature in LOAN_NATURES), ZERO
    )
    debt_ratio = loans / resources if resources else None
    flagged = loans > 0 if debt_ratio is None else debt_ratio > debt_threshold.value

    distribution = distribute(data.debts, capacity, rent_months.value)
    eligible = sum((d.claim for d in data.debts if is_eligible(d)), Decimal(0))
    disputed = sum((d.claim for d in data.debts if d.disputed), Decimal(0))
    months = ceil(Fraction(eligible) / Fraction(capacity)) if capacity > 0 else None

    parameters = [
        ParameterRef(
            name="Barème des saisies sur rémunérations (seuils annuels)",
            valid_from=scale.valid_from,
            value=" / ".join(euros(t) for t in scale.thresholds),
            source=scale.source,
        ),
        ParameterRef(
            name="Majoration des seuils par personne à charge (annuelle)",
            valid_from=scale.valid_from,
            value=euros(scale.per_dependant),
            source=scale.source,
        ),
        ParameterRef(
            name="Montant forfaitaire du RSA (personne seule)",
            valid_from=rsa.valid_from,
            value=euros(rsa.value),
            source=rsa.source,
        ),
        ParameterRef(
            name="Barème du RSA selon la composition du foyer",
            valid_from=rsa.valid_from,
            value=" + ".join(_percent(p.rate) for p in persons),
            source=RSA_SCALE_SOURCE,
        ),
        *(
            ParameterRef(
                name=f"Forfait : {CHARGE_LABELS_FR[category]}",
                valid_from=allowances.valid_from,
                value=euros(amount),
                source=allowance_source,
            )
            for category, amount in allowances.amounts.items()
        ),
        ParameterRef(
            name="Plafond des frais de trajet domicile-travail",
            valid_from=allowances.valid_from,
            value=euros(allowances.work_travel_ceiling),
            source=allowance_source,
        ),
        ParameterRef(
            name="Seuil d'alerte du taux d'endettement",
            valid_from=debt_threshold.valid_from,
            value=_percent(debt_threshold.value),
            source=debt_threshold.source,
        ),
        ParameterRef(
            name="Durée maximale d'un plan de remboursement",
            valid_from=plan_months.valid_from,
            value=f"{plan_months.value} mois",
            source=plan_months.source,
        ),
        ParameterRef(
            name="Étalement d'une dette locative sans échéance convenue",
            valid_from=rent_months.valid_from,
            value=f"{rent_months.value} mois",
            source=f"{rent_months.source} ; priorité du bailleur : {LANDLORD_PRIORITY_SOURCE}",
        ),
    ]

    return BudgetAnalysis(
        on=data.on,
        monthly_resources=cents(resources),
        annual_base=cents(seizure.annual_base),
        seizure_scale=SeizureScaleRef(
            valid_from=scale.valid_from,
            source=scale.source,
            thresholds=list(scale.thresholds),
            per_dependant=scale.per_dependant,
            raised_thresholds=[cents(t) for t in seizure.raised_thresholds],
        ),
        bands=[
            SeizureBand(
                lower=cents(band.lower),
                upper=None if band.upper is None else cents(band.upper),
                share=_share(band.share),
                portion=cents(band.portion),
                seized_annual=cents(band.seized),
            )
            for band in seizure.bands
        ],
        quotite_saisissable_annual=cents(seizure.seized_annual),
        quotite_saisissable=cents(quotite),
        rsa=RsaRef(valid_from=rsa.valid_from, amount_single=rsa.value, source=rsa.source),
        household_size=data.household.size,
        rsa_steps=[
            RsaStep(
                person=p.person,
                rate=_percent(p.rate),
                amount=cents(p.amount),
                reason_fr=p.reason_fr,
            )
            for p in persons
        ],
        rsa_household=cents(rsa_total),
        resources_minus_rsa=cents(above_rsa),
        max_legal=cents(max_legal),
        max_legal_basis_fr=_max_legal_basis(quotite, above_rsa),
        living_budget_lines=lines,
        living_budget=cents(living),
        resources_minus_living_budget=cents(above_living),
        current_instalments=cents(instalments),
        reste_a_vivre=cents(resources - living - instalments),
        capacity=capacity,
        capacity_basis_fr=_capacity_basis(max_legal, above_living),
        loan_instalments=cents(loans),
        debt_to_income=None if debt_ratio is None else ratio(debt_ratio),
        debt_to_income_flag=flagged,
        total_debt=cents(sum((d.claim for d in data.debts), Decimal(0))),
        disputed_debt=cents(disputed),
        distributed_debt=cents(eligible),
        distribution=distribution.allocations,
        distribution_notes_fr=distribution.notes_fr,
        months_to_repay=months,
        parameters_used=parameters,
    )


def _max_legal_basis(quotite: Fraction, above_rsa: Fraction) -> str:
    rule = (
        "Maximum légal de remboursement = le plus petit de la quotité saisissable et des "
        "ressources diminuées du RSA du foyer, sans être négatif "
        f"({MAX_LEGAL_SOURCE}) : "
    )
    if above_rsa <= 0:
        return rule + "les ressources ne dépassent pas le RSA du foyer, rien n'est remboursable."
    if above_rsa < quotite:
        return rule + "ici le RSA du foyer limite le remboursement (ressources − RSA < quotité)."
    return rule + "ici la quotité saisissable limite le remboursement."


def _capacity_basis(max_legal: Fraction, above_living: Fraction) -> str:
    rule = (
        "Capacité de remboursement = le plus petit du maximum légal et des ressources "
        "diminuées du budget de vie courante, sans être négative : "
    )
    if above_living <= 0:
        return rule + "le budget de vie courante absorbe toutes les ressources."
    if above_living < max_legal:
        return rule + "ici le budget de vie courante limite la capacité."
    return rule + "ici le maximum légal limite la capacité."
