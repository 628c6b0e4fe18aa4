"""POST /api/v1/budget/capacity: computed from the request, stored nowhere, refusals by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import SQLModel
from support.webapp import Staff

from config.settings import Settings
from models.database import session_scope

Auth = Callable[..., dict[str, str]]
URL = "/api/v1/budget/capacity"


def rows(settings: Settings) -> dict[str, int]:
    """Row count of every table: nothing may be written, audit included."""
    with session_scope(settings) as session:
        return {
            table.name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for table in SQLModel.metadata.sorted_tables
        }


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "on": "2025-06-01",
        "monthly_resources": "1500.00",
        "dependants": 2,
        "household": {"adults": 2, "children": 2},
        "charges": [{"category": "rent", "monthly_amount": "300.00"}],
        "debts": [
            {
                "creditor": "Bailleur",
                "creditor_kind": "landlord",
                "nature": "rent_arrears",
                "capital_outstanding": "0",
                "arrears": "720.00",
            },
            {
                "creditor": "Banque",
                "creditor_kind": "bank",
                "nature": "consumer_credit",
                "capital_outstanding": "4000.00",
                "monthly_instalment": "300.00",
            },
        ],
    }
    body.update(changes)
    return body


def test_capacity_from_decimal_strings(
    client: TestClient, staff: Staff, auth: Auth, web_settings: Settings
) -> None:
    headers = auth(staff.case_worker)
    before = rows(web_settings)
    response = client.post(URL, json=payload(), headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    # Couple + 2 children, 2 dependants, 1 500 €: Q = 2 079.50 / 12 = 173.29; RSA 210 % of
    # 646.52 = 1 357.69; max legal = 1 500 − 1 357.692 = 142.31 (the RSA caps it).
    assert body["quotite_saisissable"] == "173.29"
    assert body["rsa_household"] == "1357.69"
    assert body["max_legal"] == "142.31"
    # Default sample allowances ("*") 2025 for 2 adults + 2 children (× 2.1 for food, clothing
    # and household costs; × 1.4 for heating and insurance):
    # 326.40 × 2.1 = 685.44; 45.90 × 2.1 = 96.39; 81.60 × 1.4 = 114.24; 96.90 × 2.1 = 203.49;
    # 30.60 × 1.4 = 42.84 → 1 142.40, + rent 300 = 1 442.40; 1 500 − 1 442.40 = 57.60.
    assert body["living_budget"] == "1442.40"
    assert body["capacity"] == "57.60"
    # 300 / 1 500 = 0.2.
    assert body["debt_to_income"] == "0.2000"
    assert body["debt_to_income_flag"] is False
    assert body["allowances_departement"] == "*" and body["allowances_sample"] is True
    assert [band["seized_annual"] for band in body["bands"]][:4] == [
        "394.00", "422.00", "846.00", "417.50",
    ]  # fmt: skip
    assert body["bands"][0] == {
        "lower": "0.00", "upper": "7880.00", "share": "1/20", "portion": "7880.00",
        "seized_annual": "394.00",
    }  # fmt: skip
    # Landlord first: 720 / 36 = 20; the bank gets the 37.60 left.
    assert [a["monthly_amount"] for a in body["distribution"]] == ["20.00", "37.60"]
    assert rows(web_settings) == before


def test_known_departement_uses_its_sample_allowances(
    client: TestClient, staff: Staff, auth: Auth
) -> None:
    response = client.post(
        URL,
        json=payload(departement="75", household={"adults": 1, "children": 0}, dependants=0),
        headers=auth(staff.case_worker),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["allowances_departement"] == "75"
    # Paris 2025 for one adult: 351.90 + 48.96 + 71.40 + 107.10 + 32.64 = 612.00, + rent 300.
    assert body["living_budget"] == "912.00"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"monthly_resources": "-100"}, "monthly_resources", "ne peut pas être négatif"),
        ({"monthly_resources": "beaucoup"}, "monthly_resources", "Montant attendu"),
        ({"monthly_resources": "100.005"}, "monthly_resources", "Deux décimales au maximum"),
        ({"dependants": "deux"}, "dependants", "Nombre entier attendu."),
        ({"on": "2023-12-31"}, "on", "barème des saisies"),
        ({"on": "2024-03-01"}, "on", "1er avril 2024"),
        ({"on": "hier"}, "on", "Date attendue"),
        ({"departement": "99"}, "departement", "Département invalide"),
        ({"departement": "XX"}, "departement", "Département invalide"),
        ({"household": {"adults": 0, "children": 0}}, "household.adults", "au moins 1"),
        (
            {"charges": [{"category": "rent", "monthly_amount": "1,234"}]},
            "charges.0.monthly_amount",
            "Deux décimales au maximum",
        ),
        (
            {"charges": [{"category": "yacht", "monthly_amount": "1"}]},
            "charges.0.category",
            "Catégorie de charge inconnue.",
        ),
        ({"debts": [{"creditor": "X"}]}, "debts.0.creditor_kind", "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_by_field(
    client: TestClient,
    staff: Staff,
    auth: Auth,
    web_settings: Settings,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    headers = auth(staff.case_worker)
    before = rows(web_settings)
    response = client.post(URL, json=payload(**changes), headers=headers)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    matching = [item for item in detail if item["field"] == field]
    assert matching, detail
    assert message in matching[0]["message"]
    assert rows(web_settings) == before


def test_missing_field_and_no_token(client: TestClient, staff: Staff, auth: Auth) -> None:
    body = payload()
    del body["household"]
    response = client.post(URL, json=body, headers=auth(staff.case_worker))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "household", "message": "Ce champ est obligatoire."}
    ]
    assert client.post(URL, json=payload()).status_code == 401
