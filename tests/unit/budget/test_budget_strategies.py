"""Strategy proposals: what is suggested for which debt, and why."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from budget_cases import TEST_ALLOWANCES, budget, debt

from domain.budget import (
    StrategyKind,
    StrategyProposal,
    compute_budget,
    propose_strategies,
)

D = Decimal
K = StrategyKind
ON = date(2025, 6, 1)


def kinds(proposals: list[StrategyProposal], index: int | None) -> list[StrategyKind]:
    return [p.kind for p in proposals if p.debt_index == index]


def test_plan_within_seven_years() -> None:
    # One adult, 2 000 €/month, allowances 1 020 + rent 600: capacity 2 000 − 1 620 = 380,
    # below the max legal: Q(2025, 24 000) = (222 + 422 + 846 + 1 050 + 4 210/3 + 2 700 × 2/3)
    # / 12 = 5 743.33… / 12 = 478.61 (resources − RSA = 1 353.48).
    data = budget(
        ON,
        "2000.00",
        charges=[{"category": "rent", "monthly_amount": "600.00"}],
        debts=[
            debt("Banque", "bank", "consumer_credit", "6000.00", monthly_instalment="450.00"),
            debt("Bailleur", "landlord", "rent_arrears", "0", arrears="900.00", guarantor=True),
            debt("Opérateur", "telecom", "telecom_arrears", "200.00", disputed=True),
        ],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    assert analysis.max_legal == D("478.61")
    assert analysis.capacity == D("380.00")
    # Landlord 900/36 = 25; bank 355. 6 900 of claims / 380 = 18.2 → 19 months.
    assert [a.monthly_amount for a in analysis.distribution] == [D("355.00"), D("25.00"), D(0)]
    assert analysis.months_to_repay == 19
    proposals = propose_strategies(data, analysis)
    # The bank's instalment (450) exceeds its share (355): plan + rescheduling.
    assert kinds(proposals, 0) == [K.PAYMENT_PLAN, K.RESCHEDULING]
    assert proposals[0].suggested_monthly == D("355.00")
    assert "355,00" in proposals[0].rationale_fr
    # The landlord's plan mentions the guarantor.
    landlord = [p for p in proposals if p.debt_index == 1]
    assert [p.kind for p in landlord] == [K.PAYMENT_PLAN]
    assert "caution" in landlord[0].rationale_fr
    # Disputed: mediation only, nothing to pay.
    disputed = [p for p in proposals if p.debt_index == 2]
    assert [p.kind for p in disputed] == [K.OMBUDSMAN_MEDIATION]
    assert disputed[0].suggested_monthly is None
    assert "médiateur des communications électroniques" in disputed[0].rationale_fr
    # Within 84 months: no Banque de France file; rent arrears: FSL and CAF.
    household = [p for p in proposals if p.debt_index is None]
    assert [p.kind for p in household] == [K.AID_REQUEST, K.AID_REQUEST]
    assert "FSL" in household[0].rationale_fr and "CAF" in household[1].rationale_fr


def test_beyond_seven_years_banque_de_france_and_remissions() -> None:
    # Same household, capacity 380, but 40 000 € of debts: 40 000 / 380 = 105.3 → 106 > 84.
    data = budget(
        ON,
        "2000.00",
        charges=[{"category": "rent", "monthly_amount": "600.00"}],
        debts=[
            debt("Banque", "bank", "consumer_credit", "30000.00"),
            debt("Racheteur", "debt_buyer", "other", "10000.00"),
            debt("Trésor", "other", "fines", "0", arrears="0"),
        ],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    assert analysis.months_to_repay == 106
    proposals = propose_strategies(data, analysis)
    # Bank: 285 a month (30 000 × 380 / 40 000); 84 × 285 = 23 940; remission of 6 060.
    bank = [p for p in proposals if p.debt_index == 0]
    assert [p.kind for p in bank] == [K.PAYMENT_PLAN, K.REMISSION]
    assert "6\u202f060,00" in bank[1].rationale_fr
    # Debt buyer: settlement rather than remission.
    assert kinds(proposals, 1) == [K.PAYMENT_PLAN, K.SETTLEMENT]
    # Nothing due on the fines line: nothing proposed.
    assert kinds(proposals, 2) == []
    bdf = [p for p in proposals if p.kind is K.BANQUE_DE_FRANCE_FILE]
    assert len(bdf) == 1 and bdf[0].debt_index is None
    assert "106 mois" in bdf[0].rationale_fr and bdf[0].suggested_monthly == D("380.00")


def test_no_capacity_moratorium_fee_waiver_and_energy_aid() -> None:
    data = budget(
        ON,
        "1100.00",
        debts=[
            debt("Banque", "bank", "bank_overdraft", "800.00", arrears="60.00"),
            debt("Énergie", "energy", "energy_arrears", "0", arrears="450.00"),
        ],
        fragile_client=True,
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    # Q(2025, 13 200) = 222 + 422 + 846 + (13 200 − 12 890) × 1/4 = 1 567.50; / 12 = 130.625;
    # 1 100 − 646.52 = 453.48; max legal 130.63; 1 100 − 1 020 = 80: capacity 80.
    assert analysis.max_legal == D("130.63")
    assert analysis.capacity == D("80.00")
    proposals = propose_strategies(data, analysis)
    assert kinds(proposals, 0) == [K.PAYMENT_PLAN, K.FEE_WAIVER]
    waiver = [p for p in proposals if p.kind is K.FEE_WAIVER][0]
    assert "25,00" in waiver.rationale_fr and "fragilité" in waiver.rationale_fr
    household = [p.rationale_fr for p in proposals if p.debt_index is None]
    assert any("FSL" in text and "d'énergie" in text for text in household)
    assert any("chèque énergie" in text for text in household)

    # Below the RSA: capacity 0, moratorium for each debt and the Banque de France file.
    poor = budget(ON, "600.00", debts=[debt("Banque", "bank", "consumer_credit", "800.00")])
    poor_analysis = compute_budget(poor, TEST_ALLOWANCES)
    poor_proposals = propose_strategies(poor, poor_analysis)
    assert kinds(poor_proposals, 0) == [K.MORATORIUM, K.REMISSION]
    assert kinds(poor_proposals, None) == [K.BANQUE_DE_FRANCE_FILE]
    assert "capacité de remboursement est nulle" in poor_proposals[-1].rationale_fr


def test_instalments_the_budget_bears_are_kept_never_raised_nor_rescheduled() -> None:
    # 2 000 €/month, allowances 1 020 + rent 600: capacity 380 €, above the 250 + 120 = 370 €
    # of current instalments. Pro rata of claims (8 500 / 9 500) would give the bank 340 €/month,
    # more than its contract asks: the proposal keeps 250 €, and nothing is rescheduled.
    data = budget(
        ON,
        "2000.00",
        charges=[{"category": "rent", "monthly_amount": "600.00"}],
        debts=[
            debt("Banque", "bank", "consumer_credit", "8500.00", monthly_instalment="250.00"),
            debt(
                "Crédit",
                "credit_company",
                "consumer_credit",
                "1000.00",
                monthly_instalment="120.00",
            ),
        ],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)
    assert analysis.capacity == D("380.00")
    proposals = propose_strategies(data, analysis)
    assert K.RESCHEDULING not in [p.kind for p in proposals]
    plans = {p.debt_index: p for p in proposals if p.kind == K.PAYMENT_PLAN}
    assert plans[0].suggested_monthly == D("250.00") and "maintenir" in plans[0].rationale_fr
    assert plans[1].suggested_monthly is not None and plans[1].suggested_monthly <= D("120.00")
