"""Quotité saisissable: the barème des saisies applied band by band, exactly.

Code du travail R.3252-2: the annual remuneration is cut into bands at the thresholds, each band
is seizable for its share (1/20 ... 2/3) and everything above the last threshold is seizable in
full; R.3252-3 raises every threshold by a fixed amount per dependant. The annual base is 12 ×
the monthly resources and the monthly quotité is the annual one divided by 12. Fractions are
kept exact here; rounding happens when the figures are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.budget.legal_parameters import SEIZURE_SHARES, SeizureScale

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Band:
    lower: Fraction
    upper: Fraction | None  # None: everything above the last threshold
    share: Fraction
    portion: Fraction
    seized: Fraction


@dataclass(frozen=True)
class Seizure:
    annual_base: Fraction
    raised_thresholds: tuple[Fraction, ...]
    bands: tuple[Band, ...]
    seized_annual: Fraction

    @property
    def monthly(self) -> Fraction:
        return self.seized_annual / MONTHS_PER_YEAR


def raised_thresholds(scale: SeizureScale, dependants: int) -> tuple[Fraction, ...]:
    raise_by = Fraction(scale.per_dependant) * dependants
    return tuple(Fraction(threshold) + raise_by for threshold in scale.thresholds)


def seize(monthly_resources: Decimal, dependants: int, scale: SeizureScale) -> Seizure:
    base = Fraction(monthly_resources) * MONTHS_PER_YEAR
    thresholds = raised_thresholds(scale, dependants)
    lowers = (Fraction(0), *thresholds)
    uppers: tuple[Fraction | None, ...] = (*thresholds, None)
    bands = []
    for lower, upper, share in zip(lowers, uppers, SEIZURE_SHARES, strict=True):
        top = base if upper is None else min(base, upper)
        portion = max(Fraction(0), top - lower)
        bands.append(Band(lower, upper, share, portion, portion * share))
    return Seizure(base, thresholds, tuple(bands), sum((b.seized for b in bands), Fraction(0)))
