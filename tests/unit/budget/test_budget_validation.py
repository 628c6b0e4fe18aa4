"""Bad input: French messages naming the field; dates before the first parameter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from budget_cases import TEST_ALLOWANCES, budget
from pydantic import ValidationError

from domain.budget import (
    RSA_AMOUNTS,
    SEIZURE_SCALES,
    AllowanceSet,
    BudgetInput,
    ChargeCategory,
    ParameterMissing,
    compute_budget,
    first_computable_date,
)
from domain.intake import validation_errors


def errors_for(**changes: Any) -> dict[str, str]:
    payload: dict[str, Any] = {
        "on": "2025-06-01",
        "household": {"adults": 1, "children": 0},
        "dependants": 0,
        "resources": [{"kind": "salary", "monthly_amount": "1500.00"}],
    }
    payload.update(changes)
    with pytest.raises(ValidationError) as caught:
        BudgetInput.model_validate(payload)
    return validation_errors(caught.value)


def test_amounts_accept_french_and_json_forms() -> None:
    data = BudgetInput.model_validate(
        {
            "on": "01/06/2025",
            "household": {"adults": 2, "children": 1},
            "dependants": 1,
            "resources": [
                {"kind": "salary", "monthly_amount": "1 234,56", "person": 1},
                {"kind": "pension", "monthly_amount": 100.1, "person": 2},
                {"kind": "family_benefit", "monthly_amount": 50},
            ],
        }
    )
    assert data.on == date(2025, 6, 1)
    assert data.monthly_resources == Decimal("1384.66")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1.00", "Le montant ne peut pas être négatif."),
        ("mille euros", "Montant attendu : un nombre, par exemple 1234,56."),
        ("12.345", "Deux décimales au maximum (les centimes)."),
        ("NaN", "Montant attendu : un nombre, par exemple 1234,56."),
        (True, "Montant attendu : un nombre, par exemple 1234,56."),
        # More digits than Decimal's precision: refused, never an InvalidOperation (a 500).
        ("1E+30", "Montant trop élevé : 10 000 000 € au maximum."),
        (1.2664816294114944e16, "Montant trop élevé : 10 000 000 € au maximum."),
        ("1E-1000000", "Deux décimales au maximum (les centimes)."),
    ],
)
def test_bad_amounts_name_the_field(value: object, message: str) -> None:
    errors = errors_for(resources=[{"kind": "salary", "monthly_amount": value}])
    assert errors == {"resources.0.monthly_amount": message}


def test_other_fields_name_themselves() -> None:
    assert errors_for(dependants="deux") == {"dependants": "Nombre entier attendu."}
    assert errors_for(dependants=-1) == {"dependants": "La valeur doit être au moins 0."}
    assert errors_for(on="demain") == {
        "on": "Date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA, par exemple 2025-06-01."
    }
    assert errors_for(household={"adults": 3, "children": 0}) == {
        "household.adults": "La valeur doit être au plus 2."
    }
    assert errors_for(resources=[{"kind": "lottery", "monthly_amount": "1"}]) == {
        "resources.0.kind": "Type de ressource inconnu."
    }
    assert errors_for(
        debts=[
            {
                "creditor": " ",
                "creditor_kind": "bank",
                "nature": "consumer_credit",
                "capital_outstanding": "-5",
            }
        ]
    ) == {
        "debts.0.creditor": "Ce champ est obligatoire.",
        "debts.0.capital_outstanding": "Le montant ne peut pas être négatif.",
    }
    assert errors_for(colour="blue") == {"colour": "Champ non attendu."}


@pytest.mark.parametrize(
    ("on", "what", "first"),
    [
        (date(2023, 12, 31), "barème des saisies", "1er janvier 2024"),
        # The 2024 scale applies, but no RSA amount is known before 2024-04-01.
        (date(2024, 3, 31), "RSA", "1er avril 2024"),
    ],
)
def test_date_before_the_first_parameter(on: date, what: str, first: str) -> None:
    with pytest.raises(ParameterMissing) as caught:
        compute_budget(budget(on, "1500.00"), TEST_ALLOWANCES)
    assert caught.value.field == "on"
    assert what in caught.value.message_fr and first in caught.value.message_fr
    assert caught.value.errors == {"on": caught.value.message_fr}


def test_first_computable_date_and_parameters_are_dated() -> None:
    assert first_computable_date() == date(2024, 4, 1)
    compute_budget(budget(first_computable_date(), "1500.00"), TEST_ALLOWANCES)
    assert [s.valid_from for s in SEIZURE_SCALES] == [
        date(2024, 1, 1), date(2025, 1, 1), date(2026, 1, 1),
    ]  # fmt: skip
    assert [(r.valid_from, r.value) for r in RSA_AMOUNTS] == [
        (date(2024, 4, 1), Decimal("635.71")),
        (date(2025, 4, 1), Decimal("646.52")),
    ]
    assert all("R.3252-2" in s.source for s in SEIZURE_SCALES)


def test_allowance_set_needs_every_allowance_category() -> None:
    amounts = dict(TEST_ALLOWANCES.amounts)
    del amounts[ChargeCategory.HEATING]
    with pytest.raises(ValidationError) as caught:
        AllowanceSet.model_validate({**TEST_ALLOWANCES.model_dump(), "amounts": amounts})
    assert validation_errors(caught.value) == {"amounts": "Forfait manquant pour : Chauffage."}
    with pytest.raises(ValidationError) as caught:
        AllowanceSet.model_validate({**TEST_ALLOWANCES.model_dump(), "departement": "00"})
    assert "Département invalide" in validation_errors(caught.value)["departement"]
