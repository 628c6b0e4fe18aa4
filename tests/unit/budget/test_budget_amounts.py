"""Rounding half-up to the cent at the end only, and French display of amounts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from domain.budget.amounts import cents, euros, ratio

D = Decimal


def test_half_up_to_the_cent() -> None:
    assert cents(D("2.345")) == D("2.35")
    assert cents(D("2.3449999")) == D("2.34")
    assert cents(Fraction(2079_50, 1200)) == D("173.29")  # 173.2916…
    assert cents(Fraction(1, 200)) == D("0.01")  # exactly half a cent
    assert cents(D("-2.345")) == D("-2.35")  # away from zero, e.g. a negative reste à vivre
    assert cents(7) == D("7.00")
    assert ratio(Fraction(7, 20)) == D("0.3500")
    assert ratio(Fraction(1, 20000)) == D("0.0001")  # 0.00005, half-up


def test_french_display() -> None:
    assert euros(D("1234567.8")) == "1\u202f234\u202f567,80\u00a0€"
    assert euros(D("-46.52")) == "-46,52\u00a0€"
    assert euros(0) == "0,00\u00a0€"
