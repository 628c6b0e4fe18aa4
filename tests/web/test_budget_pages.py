"""Budget pages: entry with inline validation, analysis, strategy editor, sending, forfaits.

Temporal is unreachable here (web fixtures), so sending the analysis takes its "try again"
path unless the gateway is replaced to stand for the workflow's answer.
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select
from support.webapp import Staff, audit_entries, seed_dossier, sign_in

from config.settings import Settings
from domain.budget import BudgetInput, ChargeCategory, propose_strategies
from domain.dossier_stages import Stage
from domain.dossier_timeline import TASK_LABEL
from models.allowance_parameters import AllowanceParameter
from models.budget import BudgetRecord
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from rendering.labels import eur
from services.budget.allowances import seed_sample_allowances
from services.budget.store import (
    NO_STRATEGY,
    analyse,
    load_budget_input,
    load_strategy,
    record_approval,
    snapshot_analysis,
)
from web.staff.budget import strategy as budget_strategy
from web.workflow_gateway import TransitionRefused
from workflows.dossier_messages import SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis


@pytest.fixture
def dossier(web_settings: Settings, staff: Staff) -> Dossier:
    with session_scope(web_settings) as session:
        seed_sample_allowances(session)
    return seed_dossier(web_settings, staff.case_worker)


@pytest.fixture
def worker(client: TestClient, staff: Staff) -> str:
    return sign_in(client, staff.case_worker)


def budget_form(token: str, **overrides: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "on": "02/06/2025",
        "household.adults": "1",
        "household.children": "1",
        "dependants": "1",
        "resources.0.kind": "salary",
        "resources.0.label": "Salaire net",
        "resources.0.monthly_amount": "1 873,40",
        "resources.0.person": "1",
        "resources.1.kind": "family_benefit",
        "resources.1.monthly_amount": "148,52",
        "resources.1.person": "1",
        "resources.2.kind": "",
        "resources.2.monthly_amount": "",
        "charges.0.category": "rent",
        "charges.0.monthly_amount": "612,35",
        "debts.0.creditor": "Banque Exemple",
        "debts.0.creditor_kind": "bank",
        "debts.0.nature": "consumer_credit",
        "debts.0.capital_outstanding": "8457,91",
        "debts.0.monthly_instalment": "243,17",
        "debts.1.creditor": "Énergie Plus",
        "debts.1.creditor_kind": "energy",
        "debts.1.nature": "energy_arrears",
        "debts.1.capital_outstanding": "0",
        "debts.1.arrears": "918,64",
        "debts.1.disputed": "on",
    }
    form.update(overrides)
    return form


def stored(settings: Settings, viewer: StaffUser, dossier_id: str) -> BudgetInput | None:
    with session_scope(settings) as session:
        return load_budget_input(session, viewer, dossier_id, settings)


def raw_row(settings: Settings, dossier_id: str) -> str:
    """Every column of the budget row as the database holds it, joined; timestamps left out,
    since their digits could spell a figure by chance."""
    with session_scope(settings) as session:
        row = session.execute(
            text("SELECT * FROM budget_record WHERE dossier_id = :id"), {"id": dossier_id}
        ).one()
    return " | ".join(
        str(value) for column, value in row._mapping.items() if not column.endswith("_at")
    )


def page_text(response: Any) -> str:
    return html.unescape(response.text)


def test_first_entry_is_prefilled_with_the_dossiers_creditors(
    client: TestClient, worker: str, dossier: Dossier
) -> None:
    page = client.get(f"/dossiers/{dossier.id}/budget")
    assert page.status_code == 200
    body = page_text(page)
    assert 'name="debts.0.creditor" value="Banque Exemple"' in body
    assert 'name="debts.1.creditor" value="Énergie Plus"' in body
    assert "département 75" in body


def test_bad_input_keeps_what_was_typed_and_names_the_field(
    client: TestClient, worker: str, dossier: Dossier, web_settings: Settings, staff: Staff
) -> None:
    response = client.post(
        f"/dossiers/{dossier.id}/budget",
        data=budget_form(
            worker,
            **{"resources.1.monthly_amount": "douze cents", "debts.0.arrears": "-5"},
        ),
    )
    assert response.status_code == 422
    body = page_text(response)
    assert "Ressource 2 (montant mensuel) : Montant attendu : un nombre" in body
    assert "Dette 1 (arriérés) : Le montant ne peut pas être négatif." in body
    # Everything typed is back in its field, the bad values included.
    for name, value in (
        ("resources.1.monthly_amount", "douze cents"),
        ("resources.0.monthly_amount", "1 873,40"),
        ("resources.0.label", "Salaire net"),
        ("debts.0.arrears", "-5"),
        ("debts.1.arrears", "918,64"),
        ("on", "02/06/2025"),
    ):
        assert f'name="{name}" value="{value}"' in body, name
    assert 'id="f-resources-1-monthly_amount" name="resources.1.monthly_amount"' in body
    assert 'aria-invalid="true"' in body
    assert stored(web_settings, staff.case_worker, dossier.id) is None


def test_a_date_before_the_first_barème_is_refused_on_its_field(
    client: TestClient, worker: str, dossier: Dossier
) -> None:
    response = client.post(
        f"/dossiers/{dossier.id}/budget", data=budget_form(worker, on="15/03/2021")
    )
    assert response.status_code == 422
    body = page_text(response)
    assert "Date de l'analyse : Aucune valeur connue pour le barème des saisies" in body
    assert 'name="on" value="15/03/2021"' in body


def test_rows_are_added_without_javascript(
    client: TestClient, worker: str, dossier: Dossier, web_settings: Settings, staff: Staff
) -> None:
    response = client.post(
        f"/dossiers/{dossier.id}/budget", data=budget_form(worker, add="resources")
    )
    assert response.status_code == 200
    body = page_text(response)
    assert 'name="resources.3.monthly_amount"' in body
    assert 'name="resources.0.monthly_amount" value="1 873,40"' in body
    assert stored(web_settings, staff.case_worker, dossier.id) is None


def test_saved_budget_is_encrypted_and_every_figure_is_shown(
    client: TestClient, worker: str, dossier: Dossier, web_settings: Settings, staff: Staff
) -> None:
    response = client.post(
        f"/dossiers/{dossier.id}/budget", data=budget_form(worker), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/dossiers/{dossier.id}/budget/analysis"
    data = stored(web_settings, staff.case_worker, dossier.id)
    assert data is not None and len(data.resources) == 2 and data.debts[1].disputed

    row = raw_row(web_settings, dossier.id)
    for figure in ("1873", "148.52", "148,52", "612", "8457", "918", "Banque Exemple"):
        assert figure not in row

    page = client.get(f"/dossiers/{dossier.id}/budget/analysis")
    assert page.status_code == 200
    body = page_text(page)
    with session_scope(web_settings) as session:
        analysis = analyse(session, "75", data)[0]
    assert 'id="bands"' in body
    assert body.count("<td>1/") + body.count("<td>2/3</td>") >= 6
    for amount in (
        analysis.quotite_saisissable,
        analysis.rsa_household,
        analysis.max_legal,
        analysis.living_budget,
        analysis.capacity,
        analysis.annual_base,
    ):
        assert eur(amount) in body, amount
    assert "1er janvier 2025" in body  # the barème's date
    assert eur(analysis.rsa.amount_single) in body and "1er avril 2025" in body
    assert "Code de la consommation, art. R.731-1" in body
    assert "Forfaits d'exemple" in body  # sample forfaits are flagged
    assert json.loads(audit_entries(web_settings, "budget.write")[0].detail or "") == {
        "resources": 2,
        "charges": 1,
        "debts": 2,
    }


def save_budget(client: TestClient, token: str, dossier: Dossier) -> None:
    response = client.post(
        f"/dossiers/{dossier.id}/budget", data=budget_form(token), follow_redirects=False
    )
    assert response.status_code == 303, page_text(response)


def test_strategy_editor_starts_from_the_proposals_and_saves_the_choice(
    client: TestClient, worker: str, dossier: Dossier, web_settings: Settings, staff: Staff
) -> None:
    save_budget(client, worker, dossier)
    data = stored(web_settings, staff.case_worker, dossier.id)
    assert data is not None
    with session_scope(web_settings) as session:
        proposals = propose_strategies(data, analyse(session, "75", data)[0])
    page = client.get(f"/dossiers/{dossier.id}/budget/strategy")
    body = page_text(page)
    assert page.status_code == 200
    assert proposals[0].rationale_fr in body
    # Proposals come unticked: the engine proposes, the case worker decides.
    assert 'name="lines.0.retained" value="on" checked' not in body

    nothing = client.post(
        f"/dossiers/{dossier.id}/budget/strategy",
        data={"csrf_token": worker, "lines.0.kind": proposals[0].kind.value},
    )
    assert nothing.status_code == 422
    assert "Retenez au moins une démarche" in page_text(nothing)

    bad = client.post(
        f"/dossiers/{dossier.id}/budget/strategy",
        data={
            "csrf_token": worker,
            "lines.0.retained": "on",
            "lines.0.kind": "payment_plan",
            "lines.0.debt_index": "0",
            "lines.0.rationale": "Plan amiable négocié à la baisse.",
            "lines.0.monthly_amount": "beaucoup",
        },
    )
    assert bad.status_code == 422
    assert "Démarche 1 (mensualité) : Montant attendu" in page_text(bad)
    assert 'value="beaucoup"' in page_text(bad)

    saved = client.post(
        f"/dossiers/{dossier.id}/budget/strategy",
        data={
            "csrf_token": worker,
            "lines.0.retained": "on",
            "lines.0.kind": "payment_plan",
            "lines.0.debt_index": "0",
            "lines.0.rationale": "Plan amiable négocié à la baisse.",
            "lines.0.monthly_amount": "150",
            "lines.1.kind": "moratorium",
            "lines.1.rationale": "Non retenu.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with session_scope(web_settings) as session:
        lines = load_strategy(session, staff.case_worker, dossier.id, web_settings)
    assert lines is not None and [(line.kind.value, line.debt_index) for line in lines] == [
        ("payment_plan", 0)
    ]
    assert "négocié" not in raw_row(web_settings, dossier.id)
    again = page_text(client.get(f"/dossiers/{dossier.id}/budget/strategy"))
    assert 'name="lines.0.retained" value="on" checked' in again


def test_sending_needs_a_strategy_and_says_why_it_was_refused(
    client: TestClient,
    worker: str,
    dossier: Dossier,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save_budget(client, worker, dossier)
    url = f"/dossiers/{dossier.id}/budget/submit"
    no_strategy = client.post(url, data={"csrf_token": worker})
    assert no_strategy.status_code == 409
    assert NO_STRATEGY in page_text(no_strategy)

    client.post(
        f"/dossiers/{dossier.id}/budget/strategy",
        data={
            "csrf_token": worker,
            "lines.0.retained": "on",
            "lines.0.kind": "aid_request",
            "lines.0.rationale": "Demander une aide du FSL.",
        },
    )
    offline = client.post(url, data={"csrf_token": worker})
    assert offline.status_code == 503
    assert "momentanément indisponible : rien n'a été modifié" in page_text(offline)

    calls: list[tuple[str, str, Any]] = []

    async def refuse(_target: object, dossier_id: str, name: str, arg: Any) -> Any:
        calls.append((dossier_id, name, arg))
        raise TransitionRefused("L'analyse ne peut être envoyée qu'une fois les pièces complètes.")

    monkeypatch.setattr(budget_strategy, "send_update", refuse)
    refused = client.post(url, data={"csrf_token": worker})
    assert refused.status_code == 409
    assert "L'analyse n'a pas été envoyée." in page_text(refused)
    assert "une fois les pièces complètes" in page_text(refused)

    async def accept(_target: object, dossier_id: str, name: str, arg: Any) -> Any:
        calls.append((dossier_id, name, arg))
        return {"submission": 1, "client_notified": True}

    monkeypatch.setattr(budget_strategy, "send_update", accept)
    sent = client.post(url, data={"csrf_token": worker})
    assert sent.status_code == 200  # followed to the dossier page
    assert "Analyse envoyée au client (envoi n° 1)" in page_text(sent)
    actor = calls[-1][2]
    assert calls[-1][:2] == (dossier.id, SUBMIT_ANALYSIS_UPDATE)
    assert isinstance(actor, SubmitAnalysis) and actor.actor.startswith("staff:")


def test_another_teams_case_worker_is_refused_everywhere(
    client: TestClient, dossier: Dossier, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.other_team)
    for url in ("budget", "budget/analysis", "budget/strategy", "budget/report.pdf"):
        response = client.get(f"/dossiers/{dossier.id}/{url}")
        assert response.status_code == 403, url
        assert "accès refusé" in page_text(response)
    for url in ("budget", "budget/strategy", "budget/submit"):
        response = client.post(f"/dossiers/{dossier.id}/{url}", data=budget_form(token))
        assert response.status_code == 403, url
    assert stored(web_settings, staff.case_worker, dossier.id) is None
    denied = audit_entries(web_settings, "access.denied")
    assert len(denied) == 7
    assert {e.actor for e in denied} == {f"staff:{staff.other_team.id}"}


def test_dossier_page_says_where_the_budget_stands(
    client: TestClient, worker: str, dossier: Dossier, web_settings: Settings, staff: Staff
) -> None:
    section = re.compile(r'<section[^>]*id="budget">(.*?)</section>', re.S)

    def budget_section() -> str:
        match = section.search(page_text(client.get(f"/dossiers/{dossier.id}")))
        assert match
        return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())

    assert "Non commencée" in budget_section()
    save_budget(client, worker, dossier)
    assert "Budget saisi" in budget_section()
    assert "Stratégie à choisir" in budget_section()
    client.post(
        f"/dossiers/{dossier.id}/budget/strategy",
        data={
            "csrf_token": worker,
            "lines.0.retained": "on",
            "lines.0.kind": "aid_request",
            "lines.0.rationale": "Demander une aide du FSL.",
        },
    )
    with session_scope(web_settings) as session:
        snapshot_analysis(session, dossier.id, web_settings, submission=1)
    assert "Envoyée au client" in budget_section()
    assert "envoi n° 1" in budget_section()
    # The workflow's task after the approval delay shows as a flag in the section.
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage, row.next_deadline_label = Stage.AWAITING_APPROVAL, TASK_LABEL
        session.add(row)
    flagged = budget_section()
    assert "À faire : contacter le client." in flagged
    assert "Enregistrer un accord donné par téléphone" in flagged
    with session_scope(web_settings) as session:
        record_approval(
            session,
            dossier.id,
            submission=1,
            channel="phone",
            actor=f"staff:{staff.case_worker.id}",
        )
    text_now = budget_section()
    assert "Validée par le client" in text_now and "par téléphone" in text_now


def test_forfaits_page_for_supervisors_and_admins_only(
    client: TestClient, dossier: Dossier, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.case_worker)
    assert client.get("/allowances").status_code == 403
    client.cookies.clear()

    token = sign_in(client, staff.admin)
    # Paged: Paris is reached through the département filter.
    page = page_text(client.get("/allowances?departement=75"))
    assert "données d'exemple" in page and "Département 75" in page

    bad = client.post(
        "/allowances",
        data={
            "csrf_token": token,
            "departement": "75",
            "valid_from": "01/01/2026",
            "category": "food",
            "base_amount": "trois cents",
            "source": "",
        },
    )
    assert bad.status_code == 422
    body = page_text(bad)
    assert "Adulte seul : Montant attendu" in body and "Source : Indiquez la source" in body
    assert 'name="base_amount" value="trois cents"' in body

    saved = client.post(
        "/allowances",
        data={
            "csrf_token": token,
            "departement": "75",
            "valid_from": "01/01/2026",
            "category": "food",
            "base_amount": "400",
            "second_adult_amount": "200",
            "per_child_amount": "120,50",
            "source": "Commission de Paris, délibération du 12 décembre 2025",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with session_scope(web_settings) as session:
        rows = session.exec(
            select(AllowanceParameter).where(
                AllowanceParameter.departement == "75",
                AllowanceParameter.category == ChargeCategory.FOOD,
            )
        ).all()
    edited = [r for r in rows if r.valid_from == date(2026, 1, 1)]
    assert len(edited) == 1 and not edited[0].sample and str(edited[0].per_child_amount) == "120.50"
    entry = audit_entries(web_settings, "allowance.update")[0]
    assert entry.actor == f"staff:{staff.admin.id}"
    assert json.loads(entry.detail or "")["after"]["base"] == "400.00"


def test_budget_table_holds_no_clear_figure_column() -> None:
    columns = BudgetRecord.__table__.columns  # type: ignore[attr-defined]
    financial = [c.name for c in columns if c.info["category"] == "financial"]
    assert financial and all(name.endswith("_enc") for name in financial)


def test_closed_dossier_and_read_only_roles_cannot_change_the_budget(
    client: TestClient, dossier: Dossier, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    save_budget(client, token, dossier)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED
        session.add(row)
    refused = client.post(f"/dossiers/{dossier.id}/budget", data=budget_form(token))
    assert refused.status_code == 409
    assert "Ce dossier est clôturé : son budget ne peut plus être modifié." in page_text(refused)
    assert "Enregistrer et voir l'analyse" not in page_text(
        client.get(f"/dossiers/{dossier.id}/budget")
    )

    client.cookies.clear()
    dpo_token = sign_in(client, staff.dpo)
    assert client.get(f"/dossiers/{dossier.id}/budget/analysis").status_code == 200
    assert (
        client.post(f"/dossiers/{dossier.id}/budget", data=budget_form(dpo_token)).status_code
        == 403
    )


def test_an_approved_budget_can_no_longer_be_changed(
    client: TestClient, dossier: Dossier, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    save_budget(client, token, dossier)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.APPROVED
        session.add(row)
    refused = client.post(f"/dossiers/{dossier.id}/budget", data=budget_form(token))
    assert refused.status_code == 409
    assert "Le client a validé cette analyse" in page_text(refused)
    entry = page_text(client.get(f"/dossiers/{dossier.id}/budget"))
    assert "Enregistrer et voir l'analyse" not in entry
    assert "Corriger le budget" not in page_text(
        client.get(f"/dossiers/{dossier.id}/budget/analysis")
    )
