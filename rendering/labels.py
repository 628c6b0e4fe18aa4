"""How things read in French, the same on the pages, in the emails and in the PDF reports.

Amounts: "1 234,56 €" (narrow no-break space between thousands, no-break space before €);
ratios: "35,12 %"; dates: "1er avril 2025"; enum values by their French label. Registered once
as Jinja filters and globals (rendering/environment.py), so nothing reads differently from one
place to another.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from domain.budget import (
    CHARGE_BASIS_LABELS_FR,
    CHARGE_LABELS_FR,
    DEBT_NATURE_LABELS_FR,
    RESOURCE_LABELS_FR,
    STRATEGY_LABELS_FR,
    BudgetInput,
    ChargeBasis,
    ChargeCategory,
    DebtNature,
    ResourceKind,
    StrategyKind,
)
from domain.budget.legal_parameters import date_fr
from domain.clock import as_utc
from domain.contact_fields import CONTACT_CHANNEL_LABELS_FR, ContactChannel
from domain.dossier_stages import (
    APPROVAL_CHANNEL_LABELS_FR,
    CREDITOR_KIND_LABELS_FR,
    DOCUMENT_LABELS_FR,
    OUTCOME_LABELS_FR,
    STAGE_LABELS_FR,
    ApprovalChannel,
    CreditorKind,
    DocumentKind,
    Outcome,
    Stage,
)
from domain.french_dates import french_date, french_datetime

THOUSANDS = "\u202f"
NBSP = "\u00a0"
HOUSEHOLD = "Ensemble du foyer"


def eur(value: Decimal | int | str | None) -> str:
    """'1 234,56 €'; '' for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if amount < 0 else ""
    whole, _, decimals = f"{abs(amount):,.2f}".partition(".")
    return f"{sign}{whole.replace(',', THOUSANDS)},{decimals}{NBSP}€"


def amount_input(value: Decimal | None) -> str:
    """An amount as it is put back into a form field: '1234,56' (no grouping, no symbol)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def date_input(day: date) -> str:
    """A date as French people type it: 01/06/2025 (both this and 2025-06-01 are accepted)."""
    return day.strftime("%d/%m/%Y")


def percent(value: Decimal | None, places: int = 2) -> str:
    """A ratio shown as a percentage: Decimal('0.3512') -> '35,12 %'."""
    if value is None:
        return ""
    shown = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-places))
    return f"{shown}".replace(".", ",") + f"{NBSP}%"


def day(value: date | datetime | None) -> str:
    """'1er avril 2025' for a date, the Paris date for a moment."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return french_date(value)
    return date_fr(value)


def share(value: str) -> str:
    """A band's share: '1/20' stays, the last band ('1/1') reads as the whole."""
    return "totalité" if value == "1/1" else value


def enum_label(labels: dict[Any, str], enum: type, value: object) -> str:
    """The French label of an enum value; the raw value if it is not (or no longer) known."""
    try:
        return labels[enum(value)]
    except ValueError:
        return str(value)


def labeller(labels: dict[Any, str], enum: type[Enum]) -> Callable[[object], str]:
    """A filter that reads one enum's values (or their raw strings) as French labels."""

    def label(value: object) -> str:
        return enum_label(labels, enum, value)

    return label


resource_label = labeller(RESOURCE_LABELS_FR, ResourceKind)
charge_label = labeller(CHARGE_LABELS_FR, ChargeCategory)
basis_label = labeller(CHARGE_BASIS_LABELS_FR, ChargeBasis)
debt_nature_label = labeller(DEBT_NATURE_LABELS_FR, DebtNature)
strategy_label = labeller(STRATEGY_LABELS_FR, StrategyKind)
creditor_label = labeller(CREDITOR_KIND_LABELS_FR, CreditorKind)
approval_channel_label = labeller(APPROVAL_CHANNEL_LABELS_FR, ApprovalChannel)
stage_label = labeller(STAGE_LABELS_FR, Stage)
outcome_label = labeller(OUTCOME_LABELS_FR, Outcome)
document_label = labeller(DOCUMENT_LABELS_FR, DocumentKind)
channel_label = labeller(CONTACT_CHANNEL_LABELS_FR, ContactChannel)


def debt_name(data: BudgetInput, index: int | None) -> str:
    """Who a strategy line is about: a debt of the budget, or the household as a whole."""
    if index is None:
        return HOUSEHOLD
    if 0 <= index < len(data.debts):
        debt = data.debts[index]
        return f"{debt.creditor} ({debt_nature_label(debt.nature).lower()})"
    return f"Dette n° {index + 1} (absente du budget)"


def household_fr(adults: int, children: int) -> str:
    people = "1 adulte" if adults == 1 else f"{adults} adultes"
    if children:
        people += f" et {children} enfant{'s' if children > 1 else ''}"
    return people


def phone_fr(number: str | None) -> str:
    """'+33612345678' (as stored) shown the French way: '06 12 34 56 78'."""
    if not number:
        return ""
    if number.startswith("+33") and len(number) == 12 and number[1:].isdigit():
        national = "0" + number[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return number


def long_date(moment: datetime | None) -> str:
    return "" if moment is None else french_date(moment)


def long_datetime(moment: datetime | None) -> str:
    return "" if moment is None else french_datetime(moment)


def without_prefix(text: str, prefix: str) -> str:
    """A line read under a badge that already says its prefix: 'Créancier n°1 : offre
    envoyée' under 'Créancier n°1 · EDF' reads 'Offre envoyée'."""
    if not prefix or not text.startswith(prefix):
        return text
    rest = text[len(prefix) :]
    return rest[:1].upper() + rest[1:]


def iso(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).isoformat()
