"""RSA montant forfaitaire for the household: the floor the debtor must keep (R.731-1).

CASF R.262-1: the one-person amount is raised by 50 % for the second person of the household,
by 30 % for each further person (a partner or a dependant), and by 40 % instead from the third
dependant on (a dependant being, here, each child: a single parent's third child or a couple's
third child). For a couple this is 100 / +50 / +30 / +30 / +40...; for one adult with children
it is 100 / +50 / +30 / +40 / +40... (a single parent's third child is the fourth person).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from domain.budget.inputs import Household
from domain.budget.legal_parameters import DatedAmount

FIRST = Fraction(1)
SECOND = Fraction(50, 100)
FURTHER = Fraction(30, 100)
FROM_THIRD_DEPENDANT = Fraction(40, 100)
THIRD_DEPENDANT = 3


@dataclass(frozen=True)
class RsaPerson:
    person: int
    rate: Fraction
    amount: Fraction
    reason_fr: str


def household_rates(household: Household) -> list[tuple[Fraction, str]]:
    """The rate each person of the household adds, with why, in order."""
    rates: list[tuple[Fraction, str]] = [(FIRST, "Allocataire : montant forfaitaire")]
    if household.adults == 2:
        rates.append((SECOND, "Conjoint ou partenaire : deuxième personne du foyer"))
    for child in range(1, household.children + 1):
        if child >= THIRD_DEPENDANT:
            rates.append((FROM_THIRD_DEPENDANT, f"Enfant n° {child} : à partir du 3e à charge"))
        elif len(rates) == 1:
            rates.append((SECOND, f"Enfant n° {child} : deuxième personne du foyer"))
        else:
            rates.append((FURTHER, f"Enfant n° {child} : personne supplémentaire"))
    return rates


def rsa_household(household: Household, rsa: DatedAmount) -> list[RsaPerson]:
    single = Fraction(rsa.value)
    return [
        RsaPerson(index, rate, single * rate, reason)
        for index, (rate, reason) in enumerate(household_rates(household), start=1)
    ]
