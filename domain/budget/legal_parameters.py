"""Legal figures of the budget analysis, as dated parameters (valid_from, value, source).

Nothing here is a bare constant: each figure says from when it applies and where it comes from,
and `in_force` picks the one applicable on a date, refusing dates before the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Protocol, TypeVar

from domain.errors import InvalidInput
from domain.french_dates import MONTHS

DATE_FIELD = "on"


class ParameterMissing(InvalidInput):
    """No legal parameter applies on the requested date (reported as a 422 on the field)."""

    def __init__(self, field: str, message_fr: str) -> None:
        super().__init__({field: message_fr})
        self.field = field
        self.message_fr = message_fr


@dataclass(frozen=True)
class SeizureScale:
    """Barème des saisies sur rémunérations: annual thresholds and the raise per dependant."""

    valid_from: date
    thresholds: tuple[Decimal, ...]  # the 6 upper bounds of the bands taxed 1/20 ... 2/3
    per_dependant: Decimal
    source: str


@dataclass(frozen=True)
class DatedAmount:
    valid_from: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class DatedRate:
    valid_from: date
    value: Fraction
    source: str


@dataclass(frozen=True)
class DatedCount:
    valid_from: date
    value: int
    source: str


# Shares of each band of R.3252-2, the last one (above the 6th threshold) being the whole.
SEIZURE_SHARES: tuple[Fraction, ...] = (
    Fraction(1, 20),
    Fraction(1, 10),
    Fraction(1, 5),
    Fraction(1, 4),
    Fraction(1, 3),
    Fraction(2, 3),
    Fraction(1),
)

_SCALE_ARTICLES = "Code du travail, art. R.3252-2 et R.3252-3"


def _thresholds(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


SEIZURE_SCALES: tuple[SeizureScale, ...] = (
    SeizureScale(
        date(2024, 1, 1),
        _thresholds(4370, 8520, 12690, 16820, 20970, 25200),
        Decimal(1690),
        f"{_SCALE_ARTICLES} (décret n° 2023-1228 du 20 décembre 2023)",
    ),
    SeizureScale(
        date(2025, 1, 1),
        _thresholds(4440, 8660, 12890, 17090, 21300, 25600),
        Decimal(1720),
        f"{_SCALE_ARTICLES} (décret n° 2024-1231 du 30 décembre 2024)",
    ),
    SeizureScale(
        date(2026, 1, 1),
        _thresholds(4480, 8730, 13000, 17230, 21470, 25810),
        Decimal(1740),
        f"{_SCALE_ARTICLES} (décret n° 2025-1299 du 24 décembre 2025)",
    ),
)

# Montant forfaitaire du RSA for one person, revalued each 1 April.
RSA_AMOUNTS: tuple[DatedAmount, ...] = (
    DatedAmount(
        date(2024, 4, 1),
        Decimal("635.71"),
        "Code de l'action sociale et des familles, art. L.262-2 ; décret de revalorisation "
        "du montant forfaitaire du RSA au 1er avril 2024",
    ),
    DatedAmount(
        date(2025, 4, 1),
        Decimal("646.52"),
        "Code de l'action sociale et des familles, art. L.262-2 ; décret n° 2025-293 du "
        "29 mars 2025",
    ),
)

RSA_SCALE_SOURCE = "Code de l'action sociale et des familles, art. R.262-1"
MAX_LEGAL_SOURCE = "Code de la consommation, art. R.731-1 à R.731-3"
LANDLORD_PRIORITY_SOURCE = "Code de la consommation, art. L.711-6"

# Taux d'endettement above which the page flags the household (an indicator, not a rule).
DEBT_TO_INCOME_THRESHOLDS: tuple[DatedRate, ...] = (
    DatedRate(
        date(2022, 1, 1),
        Fraction(35, 100),
        "Haut Conseil de stabilité financière, décision D-HCSF-2021-7 (taux d'effort de 35 %)",
    ),
)

# Longest plan a commission can set: beyond it, the Banque de France file is the way.
MAX_PLAN_MONTHS: tuple[DatedCount, ...] = (
    DatedCount(date(2016, 7, 1), 84, "Code de la consommation, art. L.732-3 (7 ans)"),
)

# Rent arrears without an agreed instalment are spread over the longest délai a judge may grant.
RENT_ARREARS_MONTHS: tuple[DatedCount, ...] = (
    DatedCount(
        date(2014, 3, 27),
        36,
        "Loi n° 89-462 du 6 juillet 1989, art. 24 (délais de paiement de 3 ans au plus)",
    ),
)

# Monthly cap on bank incident fees for financially fragile clients.
FRAGILE_FEE_CAPS: tuple[DatedAmount, ...] = (
    DatedAmount(
        date(2020, 11, 1),
        Decimal("25.00"),
        "Code monétaire et financier, art. L.312-1-3 et R.312-4-3 (décret n° 2020-889 du "
        "20 juillet 2020)",
    ),
)


def date_fr(day: date) -> str:
    """'1er avril 2025'."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


class _Dated(Protocol):
    @property
    def valid_from(self) -> date: ...


D = TypeVar("D", bound=_Dated)


def in_force(parameters: Sequence[D], on: date, name_fr: str) -> D:
    """The parameter applicable on `on` (the latest valid_from <= on)."""
    applicable = [p for p in parameters if p.valid_from <= on]
    if not applicable:
        first = min(p.valid_from for p in parameters)
        raise ParameterMissing(
            DATE_FIELD,
            f"Aucune valeur connue pour {name_fr} au {date_fr(on)} : la première "
            f"s'applique à partir du {date_fr(first)}. Choisissez une date à partir "
            f"de celle-ci.",
        )
    return max(applicable, key=lambda p: p.valid_from)


def seizure_scale_on(on: date) -> SeizureScale:
    return in_force(SEIZURE_SCALES, on, "le barème des saisies sur rémunérations")


def rsa_on(on: date) -> DatedAmount:
    return in_force(RSA_AMOUNTS, on, "le montant forfaitaire du RSA")


def first_computable_date() -> date:
    """The first date on which every legal parameter of the analysis is known."""
    return max(min(p.valid_from for p in group) for group in (SEIZURE_SCALES, RSA_AMOUNTS))


def check_parameters(on: date) -> None:
    """Raise ParameterMissing (field "on") unless every legal parameter is known on `on`."""
    seizure_scale_on(on)
    rsa_on(on)
