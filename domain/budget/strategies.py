"""Strategy proposals, debt by debt and for the household, each with its reason.

Proposals only: the case worker keeps, edits or drops each one and may add others; nothing here
is sent to anyone. The rules follow what a conseiller budgétaire would first try:
- a disputed debt: contest it in writing, then the creditor's mediator (no payment proposed);
- a share of the capacity: an amicable plan at that amount;
- a loan whose current instalment exceeds that share: a rescheduling;
- no share at all: a moratorium (suspension, up to 2 years in a commission's measures);
- debts that cannot be repaid within 84 months: a remission of what exceeds 84 shares, or a
  settlement for debt buyers and collection agencies; and, for the household, the Banque de
  France over-indebtedness file;
- bank debts: a waiver of incident fees (capped at 25 €/month for fragile clients);
- rent or energy arrears: FSL, chèque énergie, the CAF arrangement that keeps housing benefit.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import ceil

from domain.budget.amounts import cents, euros
from domain.budget.analysis import BudgetAnalysis, StrategyProposal
from domain.budget.enums import LOAN_NATURES, DebtNature, ResourceKind, StrategyKind
from domain.budget.inputs import BudgetInput, DebtLine
from domain.budget.legal_parameters import (
    FRAGILE_FEE_CAPS,
    MAX_PLAN_MONTHS,
    in_force,
)
from domain.dossier_stages import CreditorKind

K = StrategyKind
MEDIATORS: dict[CreditorKind, str] = {
    CreditorKind.BANK: "le médiateur de la banque (Code monétaire et financier, art. L.316-1)",
    CreditorKind.CREDIT_COMPANY: "le médiateur de l'organisme de crédit (souvent celui de l'ASF)",
    CreditorKind.LANDLORD: "la commission départementale de conciliation (litiges locatifs)",
    CreditorKind.ENERGY: "le médiateur national de l'énergie",
    CreditorKind.TELECOM: "le médiateur des communications électroniques",
}
SETTLING_CREDITORS = frozenset({CreditorKind.DEBT_BUYER, CreditorKind.COLLECTION_AGENCY})


def propose_strategies(data: BudgetInput, analysis: BudgetAnalysis) -> list[StrategyProposal]:
    plan_months = in_force(MAX_PLAN_MONTHS, data.on, "la durée maximale d'un plan").value
    fee_cap = in_force(FRAGILE_FEE_CAPS, data.on, "le plafond des frais d'incidents")
    over_plan = analysis.distributed_debt > 0 and (
        analysis.months_to_repay is None or analysis.months_to_repay > plan_months
    )
    # When the budget bears every current instalment, nothing is rescheduled and no creditor is
    # offered more than its contract asks for.
    instalments_fit = (
        sum((d.monthly_instalment for d in data.debts if not d.disputed), Decimal(0))
        <= analysis.capacity
    )
    proposals: list[StrategyProposal] = []
    for index, debt in enumerate(data.debts):
        share = analysis.distribution[index].monthly_amount
        found = _for_debt(index, debt, share, over_plan, plan_months, instalments_fit)
        if debt.nature is DebtNature.BANK_OVERDRAFT or (
            debt.creditor_kind is CreditorKind.BANK and debt.arrears > 0
        ):
            found.append(_fee_waiver(index, data.fragile_client, fee_cap.value, fee_cap.source))
        if debt.guarantor and found:
            first = found[0]
            found[0] = first.model_copy(
                update={
                    "rationale_fr": first.rationale_fr
                    + " Une caution garantit cette dette : tout impayé peut lui être réclamé ; "
                    "la prévenir et rechercher un accord amiable avant toute défaillance."
                }
            )
        proposals.extend(found)
    if over_plan:
        proposals.append(_banque_de_france(analysis, plan_months))
    proposals.extend(_aids(data))
    return proposals


def _for_debt(
    index: int,
    debt: DebtLine,
    share: Decimal,
    over_plan: bool,
    plan_months: int,
    instalments_fit: bool,
) -> list[StrategyProposal]:
    if debt.disputed:
        mediator = MEDIATORS.get(debt.creditor_kind, "le médiateur dont relève le créancier")
        return [
            StrategyProposal(
                debt_index=index,
                kind=K.OMBUDSMAN_MEDIATION,
                rationale_fr=(
                    "Dette contestée : la contester par écrit auprès du créancier, puis saisir "
                    f"{mediator} si la réponse ne convient pas. Aucun paiement n'est proposé "
                    "tant que la contestation n'est pas tranchée."
                ),
            )
        ]
    if debt.claim == 0:
        return []
    found = []
    keeps_contract = debt.monthly_instalment > 0 and share >= debt.monthly_instalment
    if keeps_contract:
        months = ceil(Fraction(debt.claim) / Fraction(debt.monthly_instalment))
        found.append(
            StrategyProposal(
                debt_index=index,
                kind=K.PAYMENT_PLAN,
                rationale_fr=(
                    f"Le budget permet de continuer à payer l'échéance actuelle de "
                    f"{euros(debt.monthly_instalment)} par mois (part de la capacité revenant à "
                    f"ce créancier : {euros(share)}) : la maintenir, environ {months} mois pour "
                    f"solder {euros(debt.claim)}, et faire régulariser les éventuels impayés "
                    "dans ce cadre."
                ),
                suggested_monthly=debt.monthly_instalment,
            )
        )
    elif share > 0:
        months = ceil(Fraction(debt.claim) / Fraction(share))
        where = (
            " auprès du comptable public (les amendes pénales ne peuvent pas être effacées, "
            "Code de la consommation, art. L.711-4)"
            if debt.nature is DebtNature.FINES
            else ""
        )
        found.append(
            StrategyProposal(
                debt_index=index,
                kind=K.PAYMENT_PLAN,
                rationale_fr=(
                    f"Proposer un plan amiable de {euros(share)} par mois{where}, la part de la "
                    f"capacité de remboursement revenant à ce créancier : environ {months} mois "
                    f"pour solder {euros(debt.claim)} sans intérêts."
                ),
                suggested_monthly=share,
            )
        )
    if debt.nature in LOAN_NATURES and debt.monthly_instalment > share and not instalments_fit:
        found.append(
            StrategyProposal(
                debt_index=index,
                kind=K.RESCHEDULING,
                rationale_fr=(
                    f"L'échéance actuelle ({euros(debt.monthly_instalment)}, assurance "
                    f"comprise) dépasse ce que le budget permet ({euros(share)}) : demander un "
                    "rééchelonnement (durée allongée, taux réduit) pour ramener l'échéance à ce "
                    "niveau."
                ),
                suggested_monthly=share,
            )
        )
    if share == 0:
        found.append(
            StrategyProposal(
                debt_index=index,
                kind=K.MORATORIUM,
                rationale_fr=(
                    "Aucune part de la capacité ne revient à ce créancier : demander une "
                    "suspension des paiements le temps que la situation s'améliore (une "
                    "commission peut suspendre l'exigibilité jusqu'à 2 ans, Code de la "
                    "consommation, art. L.733-1)."
                ),
                suggested_monthly=Decimal("0.00"),
            )
        )
    if over_plan and debt.nature is not DebtNature.FINES:
        found.append(_remission(index, debt, share, plan_months))
    return found


def _remission(index: int, debt: DebtLine, share: Decimal, plan_months: int) -> StrategyProposal:
    repayable = min(debt.claim, share * plan_months)
    beyond = cents(debt.claim - repayable)
    if debt.creditor_kind in SETTLING_CREDITORS:
        return StrategyProposal(
            debt_index=index,
            kind=K.SETTLEMENT,
            rationale_fr=(
                f"Les dettes ne peuvent pas être remboursées en {plan_months} mois. Ce créancier "
                "(racheteur de créances ou recouvrement) accepte souvent un règlement pour solde : "
                f"proposer au plus {euros(repayable)} ({euros(share)} × {plan_months} mois) contre "
                f"l'abandon du reste ({euros(beyond)})."
            ),
            suggested_monthly=share,
        )
    return StrategyProposal(
        debt_index=index,
        kind=K.REMISSION,
        rationale_fr=(
            f"Les dettes ne peuvent pas être remboursées en {plan_months} mois : demander la "
            f"remise de la part qui excède {plan_months} mensualités de {euros(share)}, soit "
            f"{euros(beyond)} sur {euros(debt.claim)}."
            + (
                " Pour l'impôt, la demande de remise gracieuse se fait auprès du service des "
                "impôts (Livre des procédures fiscales, art. L.247)."
                if debt.nature is DebtNature.TAX_ARREARS
                else ""
            )
        ),
        suggested_monthly=share,
    )


def _fee_waiver(index: int, fragile: bool, cap: Decimal, source: str) -> StrategyProposal:
    if fragile:
        text = (
            "Client en situation de fragilité financière : ses frais d'incidents bancaires sont "
            f"plafonnés à {euros(cap)} par mois ({source}). Vérifier les relevés et demander le "
            "remboursement de tout dépassement, puis l'annulation des frais restants."
        )
    else:
        text = (
            "Demander l'annulation des frais d'incidents et pénalités à titre commercial. Si le "
            "client remplit les critères de fragilité financière (par exemple 5 incidents dans "
            "le mois ou un dossier de surendettement en cours), demander aussi l'application du "
            f"plafond de {euros(cap)} par mois ({source})."
        )
    return StrategyProposal(debt_index=index, kind=K.FEE_WAIVER, rationale_fr=text)


def _banque_de_france(analysis: BudgetAnalysis, plan_months: int) -> StrategyProposal:
    if analysis.months_to_repay is None:
        why = "la capacité de remboursement est nulle"
    else:
        why = (
            f"il faudrait {analysis.months_to_repay} mois à {euros(analysis.capacity)} par mois "
            f"pour rembourser {euros(analysis.distributed_debt)}"
        )
    return StrategyProposal(
        debt_index=None,
        kind=K.BANQUE_DE_FRANCE_FILE,
        rationale_fr=(
            f"Les dettes ne peuvent pas être apurées en {plan_months} mois ({why}) : proposer au "
            "client de déposer un dossier de surendettement auprès de la Banque de France "
            "(Code de la consommation, art. L.711-1 et L.732-3), qui peut imposer un plan, des "
            "remises ou un effacement."
        ),
        suggested_monthly=analysis.capacity if analysis.capacity > 0 else None,
    )


def _aids(data: BudgetInput) -> list[StrategyProposal]:
    natures = {debt.nature for debt in data.debts if not debt.disputed and debt.claim > 0}
    rent = DebtNature.RENT_ARREARS in natures
    energy = DebtNature.ENERGY_ARREARS in natures
    found = []
    if rent or energy:
        what = " et ".join(
            part for part, present in (("de loyer", rent), ("d'énergie", energy)) if present
        )
        found.append(
            _aid(
                f"Demander une aide du Fonds de solidarité pour le logement (FSL) du département "
                f"pour les impayés {what} (loi n° 90-449 du 31 mai 1990, art. 6)."
            )
        )
    if energy:
        found.append(
            _aid(
                "Vérifier l'attribution du chèque énergie (envoyé selon le revenu fiscal de "
                "référence) et l'affecter à la dette d'énergie (Code de l'énergie, art. L.124-1)."
            )
        )
    if rent:
        if any(line.kind is ResourceKind.HOUSING_BENEFIT for line in data.resources):
            text = (
                "Signaler l'impayé de loyer à la CAF (ou à la MSA) et convenir avec le bailleur "
                "d'un plan d'apurement, condition du maintien de l'aide au logement."
            )
        else:
            text = (
                "Vérifier les droits à l'aide au logement auprès de la CAF (ou de la MSA) et, "
                "s'ils sont ouverts, convenir d'un plan d'apurement avec le bailleur."
            )
        found.append(_aid(text))
    return found


def _aid(text: str) -> StrategyProposal:
    return StrategyProposal(debt_index=None, kind=K.AID_REQUEST, rationale_fr=text)
