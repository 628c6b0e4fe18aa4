"""Sharing the monthly repayment capacity between creditors: the landlord first, then pro rata.

The rule, step by step (amounts are exact fractions until the final rounding):
1. Eligible debts: every debt that is not disputed and has something due (claim = capital
   outstanding + arrears > 0). Disputed debts get nothing until the dispute is settled.
2. Priority (Code de la consommation L.711-6: landlords are paid before lenders): every
   eligible debt owed to a landlord (creditor kind "landlord") or of nature "rent arrears".
   Its monthly need is its current instalment when one is given (capped at the claim),
   otherwise its claim spread over the longest délai a judge may grant for rent arrears
   (36 months). The capacity goes first to these needs, pro rata of the needs if it is short.
3. What is left goes to the other eligible debts pro rata of their claims, up to each claim.
4. Anything still left (when the other debts are all covered) tops the priority debts up,
   pro rata of what remains due on them, up to their claims.
5. Rounding: the amounts are rounded to the cent by the largest-remainder method, so they add
   up exactly to the capacity (or to the eligible claims, if they are smaller than the capacity).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.budget.amounts import cents, euros, ratio
from domain.budget.analysis import Allocation
from domain.budget.enums import DebtNature
from domain.budget.inputs import DebtLine
from domain.dossier_stages import CreditorKind

ZERO = Fraction(0)


@dataclass(frozen=True)
class Distribution:
    allocations: list[Allocation]
    notes_fr: list[str]


def is_priority(debt: DebtLine) -> bool:
    return debt.creditor_kind is CreditorKind.LANDLORD or debt.nature is DebtNature.RENT_ARREARS


def is_eligible(debt: DebtLine) -> bool:
    return not debt.disputed and debt.claim > 0


def monthly_need(debt: DebtLine, rent_months: int) -> Fraction:
    if debt.monthly_instalment > 0:
        return Fraction(min(debt.monthly_instalment, debt.claim))
    return Fraction(debt.claim) / rent_months


def _pro_rata(total: Fraction, weights: dict[int, Fraction]) -> dict[int, Fraction]:
    whole = sum(weights.values(), ZERO)
    if whole == 0:
        return {index: ZERO for index in weights}
    return {index: total * weight / whole for index, weight in weights.items()}


def exact_shares(
    debts: list[DebtLine], capacity: Fraction, rent_months: int
) -> dict[int, Fraction]:
    """Steps 1 to 4: the exact monthly amount of each eligible debt."""
    eligible = {i: d for i, d in enumerate(debts) if is_eligible(d)}
    claims = {i: Fraction(d.claim) for i, d in eligible.items()}
    priority = {i for i, d in eligible.items() if is_priority(d)}
    needs = {i: monthly_need(eligible[i], rent_months) for i in priority}
    first = _pro_rata(min(capacity, sum(needs.values(), ZERO)), needs)
    left = capacity - sum(first.values(), ZERO)
    others = {i: claim for i, claim in claims.items() if i not in priority}
    second = _pro_rata(min(left, sum(others.values(), ZERO)), others)
    left -= sum(second.values(), ZERO)
    remaining = {i: claims[i] - first[i] for i in priority}
    third = _pro_rata(min(left, sum(remaining.values(), ZERO)), remaining)
    return {i: first.get(i, ZERO) + second.get(i, ZERO) + third.get(i, ZERO) for i in eligible}


def round_to_cents(exact: dict[int, Fraction]) -> dict[int, Decimal]:
    """Largest remainder: floors to the cent, then the missing cents to the largest remainders."""
    total_cents = round(sum(exact.values(), ZERO) * 100)
    floors = {i: (value * 100).numerator // (value * 100).denominator for i, value in exact.items()}
    missing = total_cents - sum(floors.values())
    by_remainder = sorted(exact, key=lambda i: (-(exact[i] * 100 - floors[i]), i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return {i: Decimal(units) / 100 for i, units in floors.items()}


def distribute(debts: list[DebtLine], capacity: Decimal, rent_months: int) -> Distribution:
    exact = exact_shares(debts, Fraction(capacity), rent_months)
    amounts = round_to_cents(exact)
    priority_claims = {i: d for i, d in enumerate(debts) if is_eligible(d) and is_priority(d)}
    other_total = sum((d.claim for d in debts if is_eligible(d) and not is_priority(d)), Decimal(0))
    allocations = []
    for index, debt in enumerate(debts):
        amount = cents(amounts.get(index, Decimal(0)))
        if debt.disputed:
            why = "Dette contestée : exclue de la répartition tant que la contestation dure."
        elif debt.claim == 0:
            why = "Rien n'est dû sur cette dette : pas de part de la capacité."
        elif index in priority_claims:
            why = _priority_reason(debt, rent_months)
        else:
            why = (
                f"Part de la capacité restante au prorata de la créance : {euros(debt.claim)} "
                f"sur {euros(other_total)} de créances non prioritaires."
            )
        allocations.append(
            Allocation(
                debt_index=index,
                creditor=debt.creditor,
                claim=cents(debt.claim),
                priority=index in priority_claims,
                share=ratio(Fraction(amount) / Fraction(capacity)) if capacity else ratio(0),
                monthly_amount=amount,
                rationale_fr=why,
            )
        )
    return Distribution(allocations, _notes(debts, capacity, amounts))


def _priority_reason(debt: DebtLine, rent_months: int) -> str:
    if debt.monthly_instalment > 0:
        need = f"son échéance mensuelle de {euros(min(debt.monthly_instalment, debt.claim))}"
    else:
        need = (
            f"sa créance de {euros(debt.claim)} étalée sur {rent_months} mois, soit "
            f"{euros(Fraction(debt.claim) / rent_months)} par mois"
        )
    return (
        "Bailleur payé en priorité (Code de la consommation, art. L.711-6) à hauteur de "
        f"{need} ; complété si la capacité dépasse les autres créances."
    )


def _notes(debts: list[DebtLine], capacity: Decimal, amounts: dict[int, Decimal]) -> list[str]:
    notes = []
    disputed = [d.creditor for d in debts if d.disputed]
    if disputed:
        notes.append("Dettes contestées exclues de la répartition : " + ", ".join(disputed) + ".")
    distributed = sum(amounts.values(), Decimal(0))
    if capacity == 0:
        notes.append("Capacité de remboursement nulle : rien à répartir.")
    elif distributed < capacity:
        notes.append(
            f"Les créances réparties ({euros(distributed)}) sont inférieures à la capacité "
            f"({euros(capacity)}) : elles peuvent être soldées en un mois."
        )
    return notes
