"""Worked examples computed by hand from the legal tables (figures in the comments).

Scales used (annual thresholds, R.3252-2; raise per dependant, R.3252-3):
2024: 4 370 / 8 520 / 12 690 / 16 820 / 20 970 / 25 200, +1 690
2025: 4 440 / 8 660 / 12 890 / 17 090 / 21 300 / 25 600, +1 720
2026: 4 480 / 8 730 / 13 000 / 17 230 / 21 470 / 25 810, +1 740
RSA for one person: 635.71 from 2024-04-01, 646.52 from 2025-04-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from budget_cases import TEST_ALLOWANCES, budget

from domain.budget import BudgetAnalysis, compute_budget

D = Decimal


def band_rows(analysis: BudgetAnalysis) -> list[tuple[str, str | None, str, str, str]]:
    return [
        (str(b.lower), None if b.upper is None else str(b.upper), b.share, str(b.portion),
         str(b.seized_annual))
        for b in analysis.bands
    ]  # fmt: skip


def test_rsa_cap_applies_for_a_low_income_family() -> None:
    # Couple with two children, both children dependants, 1 500 €/month, on 2025-06-01.
    data = budget(
        date(2025, 6, 1),
        "1500.00",
        adults=2,
        children=2,
        dependants=2,
        charges=[{"category": "rent", "monthly_amount": "300.00"}],
    )
    analysis = compute_budget(data, TEST_ALLOWANCES)

    # Annual base 12 × 1 500 = 18 000. 2025 thresholds + 2 × 1 720 = 3 440:
    # 7 880 / 12 100 / 16 330 / 20 530 / 24 740 / 29 040.
    assert analysis.annual_base == D("18000.00")
    assert [str(t) for t in analysis.seizure_scale.raised_thresholds] == [
        "7880.00", "12100.00", "16330.00", "20530.00", "24740.00", "29040.00",
    ]  # fmt: skip
    # Bands: 7 880 × 1/20 = 394; 4 220 × 1/10 = 422; 4 230 × 1/5 = 846;
    # (18 000 − 16 330) = 1 670 × 1/4 = 417.50; nothing above.
    assert band_rows(analysis) == [
        ("0.00", "7880.00", "1/20", "7880.00", "394.00"),
        ("7880.00", "12100.00", "1/10", "4220.00", "422.00"),
        ("12100.00", "16330.00", "1/5", "4230.00", "846.00"),
        ("16330.00", "20530.00", "1/4", "1670.00", "417.50"),
        ("20530.00", "24740.00", "1/3", "0.00", "0.00"),
        ("24740.00", "29040.00", "2/3", "0.00", "0.00"),
        ("29040.00", None, "1/1", "0.00", "0.00"),
    ]
    # Q = (394 + 422 + 846 + 417.50) / 12 = 2 079.50 / 12 = 173.2916… → 173.29.
    assert 394 + 422 + 846 + D("417.50") == D("2079.50")
    assert analysis.quotite_saisissable_annual == D("2079.50")
    assert analysis.quotite_saisissable == D("173.29")
    # RSA: 4 persons (couple + 2 children) = 100 + 50 + 30 + 30 = 210 % of 646.52
    # = 1 357.692 → 1 357.69; resources − RSA = 1 500 − 1 357.692 = 142.308 → 142.31.
    assert analysis.household_size == 4
    assert [s.rate for s in analysis.rsa_steps] == ["100 %", "50 %", "30 %", "30 %"]
    assert analysis.rsa_household == D("1357.69")
    assert analysis.resources_minus_rsa == D("142.31")
    # The RSA caps it: max legal = min(173.29, 142.308) = 142.308 → 142.31.
    assert analysis.max_legal == D("142.31")
    assert "RSA du foyer limite" in analysis.max_legal_basis_fr
    # Living budget: rent 300 + allowances 600 + 100 + 120 + 150 + 50 = 1 320;
    # 1 500 − 1 320 = 180 > 142.31, so the capacity is the max legal.
    assert analysis.living_budget == D("1320.00")
    assert analysis.capacity == D("142.31")
    assert "maximum légal limite" in analysis.capacity_basis_fr


def test_the_year_of_the_scale_changes_the_quotite() -> None:
    # One adult alone, no dependant, 2 000 €/month: annual base 24 000.
    in_2024 = compute_budget(budget(date(2024, 6, 1), "2000.00"), TEST_ALLOWANCES)
    in_2026 = compute_budget(budget(date(2026, 6, 1), "2000.00"), TEST_ALLOWANCES)

    # 2024: 4 370/20 = 218.50; 4 150/10 = 415; 4 170/5 = 834; 4 130/4 = 1 032.50;
    # 4 150/3 = 1 383.333…; (24 000 − 20 970) = 3 030 × 2/3 = 2 020.
    # Total 17 710/3 = 5 903.333… ; / 12 = 491.944… → 491.94.
    assert in_2024.seizure_scale.valid_from == date(2024, 1, 1)
    assert band_rows(in_2024)[4:6] == [
        ("16820.00", "20970.00", "1/3", "4150.00", "1383.33"),
        ("20970.00", "25200.00", "2/3", "3030.00", "2020.00"),
    ]
    assert Fraction(4370, 20) + 415 + 834 + Fraction(4130, 4) + Fraction(4150, 3) + 2020 == (
        Fraction(17710, 3)
    )
    assert in_2024.quotite_saisissable_annual == D("5903.33")
    assert in_2024.quotite_saisissable == D("491.94")

    # 2026: 4 480/20 = 224; 4 250/10 = 425; 4 270/5 = 854; 4 230/4 = 1 057.50;
    # 4 240/3 = 1 413.333…; (24 000 − 21 470) = 2 530 × 2/3 = 1 686.666…
    # Total 5 660.50; / 12 = 471.7083… → 471.71.
    assert band_rows(in_2026) == [
        ("0.00", "4480.00", "1/20", "4480.00", "224.00"),
        ("4480.00", "8730.00", "1/10", "4250.00", "425.00"),
        ("8730.00", "13000.00", "1/5", "4270.00", "854.00"),
        ("13000.00", "17230.00", "1/4", "4230.00", "1057.50"),
        ("17230.00", "21470.00", "1/3", "4240.00", "1413.33"),
        ("21470.00", "25810.00", "2/3", "2530.00", "1686.67"),
        ("25810.00", None, "1/1", "0.00", "0.00"),
    ]
    # The rounded bands add up to 5 660.50 only by chance; the total is computed unrounded.
    assert in_2026.quotite_saisissable_annual == D("5660.50")
    assert in_2026.quotite_saisissable == D("471.71")
    # Resources − RSA (2 000 − 635.71 and 2 000 − 646.52) exceed Q: Q is the max legal.
    assert in_2024.max_legal == D("491.94")
    assert in_2026.max_legal == D("471.71")


def test_dependants_change_the_quotite() -> None:
    # One adult and two children, 2 000 €/month on 2026-06-01.
    none = compute_budget(budget(date(2026, 6, 1), "2000.00", children=2), TEST_ALLOWANCES)
    two = compute_budget(
        budget(date(2026, 6, 1), "2000.00", children=2, dependants=2), TEST_ALLOWANCES
    )

    # Without dependants: as above, 471.71.
    assert none.quotite_saisissable == D("471.71")
    # With 2 dependants every threshold rises by 2 × 1 740 = 3 480:
    # 7 960 / 12 210 / 16 480 / 20 710 / 24 950 / 29 290.
    # 7 960/20 = 398; 4 250/10 = 425; 4 270/5 = 854; 4 230/4 = 1 057.50;
    # (24 000 − 20 710) = 3 290 × 1/3 = 1 096.666…
    # Total 11 493.5/3 = 3 831.1666…; / 12 = 319.2638… → 319.26.
    assert [str(t) for t in two.seizure_scale.raised_thresholds][:4] == [
        "7960.00", "12210.00", "16480.00", "20710.00",
    ]  # fmt: skip
    assert [b.seized_annual for b in two.bands[:5]] == [
        D("398.00"), D("425.00"), D("854.00"), D("1057.50"), D("1096.67"),
    ]  # fmt: skip
    assert two.quotite_saisissable_annual == D("3831.17")
    assert two.quotite_saisissable == D("319.26")
    # RSA for one adult + 2 children: 100 + 50 + 30 = 180 % of 646.52 = 1 163.736 → 1 163.74;
    # 2 000 − 1 163.736 = 836.26 > 319.26: the quotité is the max legal.
    assert two.rsa_household == D("1163.74")
    assert two.max_legal == D("319.26")


def test_rsa_amount_switches_on_the_first_of_april() -> None:
    # Couple + 2 children, 2 dependants, 1 500 €/month: Q (2025 scale) = 173.29 on both days.
    before = compute_budget(
        budget(date(2025, 3, 31), "1500.00", adults=2, children=2, dependants=2),
        TEST_ALLOWANCES,
    )
    after = compute_budget(
        budget(date(2025, 4, 1), "1500.00", adults=2, children=2, dependants=2),
        TEST_ALLOWANCES,
    )
    # 2025-03-31: 635.71 × 2.1 = 1 334.991 → 1 334.99; 1 500 − 1 334.991 = 165.009 → 165.01.
    assert before.rsa.amount_single == D("635.71")
    assert before.rsa.valid_from == date(2024, 4, 1)
    assert before.rsa_household == D("1334.99")
    assert before.max_legal == D("165.01")
    # 2025-04-01: 646.52 × 2.1 = 1 357.692 → 1 357.69; 1 500 − 1 357.692 = 142.308 → 142.31.
    assert after.rsa.amount_single == D("646.52")
    assert after.rsa_household == D("1357.69")
    assert after.max_legal == D("142.31")
    assert before.quotite_saisissable == after.quotite_saisissable == D("173.29")


def test_no_repayment_when_resources_are_below_the_rsa() -> None:
    # One adult, 600 €/month on 2025-06-01: 600 < 646.52, nothing may be taken.
    analysis = compute_budget(budget(date(2025, 6, 1), "600.00"), TEST_ALLOWANCES)
    # Q: 4 440/20 = 222 ; (7 200 − 4 440) = 2 760/10 = 276 → 498 / 12 = 41.50.
    assert analysis.quotite_saisissable == D("41.50")
    assert analysis.resources_minus_rsa == D("-46.52")
    assert analysis.max_legal == D("0.00")
    assert analysis.capacity == D("0.00")
    assert "ne dépassent pas le RSA" in analysis.max_legal_basis_fr


def test_everything_above_the_last_threshold_is_seizable() -> None:
    # One adult, 3 000 €/month on 2026-06-01: base 36 000, last threshold 25 810.
    analysis = compute_budget(budget(date(2026, 6, 1), "3000.00"), TEST_ALLOWANCES)
    # Bands up to 25 810: 224 + 425 + 854 + 1 057.50 + 1 413.333… + 4 340 × 2/3 (2 893.333…)
    # = 6 867.1666…; above: 10 190 × 1 = 10 190. Total 17 057.1666… / 12 = 1 421.43.
    assert analysis.bands[-1].portion == D("10190.00")
    assert analysis.bands[-1].seized_annual == D("10190.00")
    assert analysis.quotite_saisissable_annual == D("17057.17")
    assert analysis.quotite_saisissable == D("1421.43")
