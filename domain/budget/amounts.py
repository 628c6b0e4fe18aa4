"""Money as case workers type it, and exact rounding to the cent.

Amounts are parsed into Decimal (never float), refused with a French message naming the problem
(the message is shown next to the field), and rounded half-up to the cent only when a figure is
shown, so intermediate results stay exact.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

CENT = Decimal("0.01")
RATIO_STEP = Decimal("0.0001")
MAX_AMOUNT = Decimal("10000000")
AMOUNT_MESSAGE = "Montant attendu : un nombre, par exemple 1234,56."
NEGATIVE_MESSAGE = "Le montant ne peut pas être négatif."
DECIMALS_MESSAGE = "Deux décimales au maximum (les centimes)."
TOO_LARGE_MESSAGE = "Montant trop élevé : 10 000 000 € au maximum."
DATE_MESSAGE = "Date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA, par exemple 2025-06-01."
# Spaces people put between thousands, the no-break ones included.
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f_")


def parse_amount(value: object) -> Decimal:
    """A non-negative amount with at most two decimals, or ValueError with a French message."""
    if isinstance(value, bool):
        raise ValueError(AMOUNT_MESSAGE)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | float | str):
        # str(float) gives the shortest text that round-trips, so 0.1 stays 0.1.
        text = str(value).translate(_THOUSANDS).replace(",", ".").removesuffix("€")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(AMOUNT_MESSAGE) from None
    else:
        raise ValueError(AMOUNT_MESSAGE)
    if not amount.is_finite():
        raise ValueError(AMOUNT_MESSAGE)
    if amount < 0:
        raise ValueError(NEGATIVE_MESSAGE)
    # Before any quantize: 1E+30 has more digits than Decimal's precision and would not round.
    if amount > MAX_AMOUNT:
        raise ValueError(TOO_LARGE_MESSAGE)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(DECIMALS_MESSAGE)
    return amount.quantize(CENT)


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if "/" in text:
                day, month, year = (int(part) for part in text.split("/"))
                return date(year, month, day)
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(DATE_MESSAGE)


# What the API schema says of an amount: a JSON number, or text as people type it (the
# `amount` format, defined by its description).
AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT), "multipleOf": 0.01},
        {
            "type": "string",
            "format": "amount",
            "description": "Montant tapé à la française ou non : « 1 234,56 », « 1234.56 € ».",
        },
    ],
    "description": "Montant en euros, de 0 à 10 000 000, avec deux décimales au plus.",
}
DATE_SCHEMA = {
    "type": "string",
    "format": "day",
    "description": "Date au format AAAA-MM-JJ ou JJ/MM/AAAA.",
    "examples": ["2025-06-01"],
}
Money = Annotated[Decimal, BeforeValidator(parse_amount), WithJsonSchema(AMOUNT_SCHEMA)]
DateField = Annotated[date, BeforeValidator(parse_date), WithJsonSchema(DATE_SCHEMA)]


def cents(value: Fraction | Decimal | int) -> Decimal:
    """Round half-up (away from zero) to the cent, exactly."""
    return _round(Fraction(value), 100, CENT)


def ratio(value: Fraction | Decimal | int) -> Decimal:
    """A ratio rounded half-up to 4 decimals (0.3512 = 35.12 %)."""
    return _round(Fraction(value), 10000, RATIO_STEP)


def _round(value: Fraction, scale: int, step: Decimal) -> Decimal:
    scaled = abs(value) * scale
    units = scaled.numerator // scaled.denominator
    if scaled - units >= Fraction(1, 2):
        units += 1
    sign = -1 if value < 0 else 1
    return (Decimal(sign * units) * step).quantize(step)


def euros(value: Fraction | Decimal | int) -> str:
    """'1 234,56 €' (French grouping with a no-break space, decimal comma)."""
    amount = cents(value)
    sign = "-" if amount < 0 else ""
    units, _, decimals = f"{abs(amount):.2f}".partition(".")
    grouped = f"{int(units):,}".replace(",", "\u202f")
    return f"{sign}{grouped},{decimals}\u00a0€"
