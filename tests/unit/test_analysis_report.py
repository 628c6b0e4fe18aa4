"""The analysis report: a French PDF of the submission, stored encrypted, once per submission."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import col, select
from support.stack import make_dossier, make_staff

from config.settings import Settings
from domain.budget import STRATEGY_LABELS_FR, BudgetInput, StrategyKind
from domain.dossier_stages import DocumentKind
from models.database import session_scope
from models.document import Document
from models.staff import StaffUser
from rendering.labels import eur
from services.budget.allowances import seed_sample_allowances
from services.budget.report import build_analysis_report
from services.budget.store import (
    BudgetNotReady,
    StrategyLine,
    analyse,
    save_budget_input,
    save_strategy,
    snapshot_analysis,
)
from services.documents import document_path, read_document

BUDGET = BudgetInput.model_validate(
    {
        "on": date(2025, 6, 2),
        "household": {"adults": 2, "children": 2},
        "dependants": 2,
        "resources": [
            {"kind": "salary", "monthly_amount": "1850.00", "label": "CDI"},
            {"kind": "salary", "monthly_amount": "1200.00", "person": 2},
            {"kind": "family_benefit", "monthly_amount": "148.52"},
        ],
        "charges": [
            {"category": "rent", "monthly_amount": "850.00"},
            {"category": "work_travel", "monthly_amount": "180.00"},
        ],
        "debts": [
            {
                "creditor": "Banque Exemple",
                "creditor_kind": "bank",
                "nature": "consumer_credit",
                "capital_outstanding": "8400.00",
                "arrears": "620.00",
                "monthly_instalment": "310.00",
            },
            {
                "creditor": "Office HLM",
                "creditor_kind": "landlord",
                "nature": "rent_arrears",
                "capital_outstanding": "0",
                "arrears": "1900.00",
            },
        ],
    }
)
STRATEGY = [
    StrategyLine(
        kind=StrategyKind.PAYMENT_PLAN,
        debt_index=1,
        rationale="Plan amiable avec le bailleur, payé en priorité.",
        monthly_amount="52.78",  # type: ignore[arg-type]
    ),
    StrategyLine(
        kind=StrategyKind.BANQUE_DE_FRANCE_FILE,
        rationale="Si la banque refuse le plan, déposer un dossier de surendettement.",
    ),
]


def plain(text: str) -> str:
    """PDF text with the no-break spaces of French amounts made ordinary spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def recorded(settings: Settings) -> tuple[StaffUser, str]:
    return record(settings)


def record(settings: Settings) -> tuple[StaffUser, str]:
    staff = make_staff(settings)
    dossier = make_dossier(settings, staff)
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        save_budget_input(session, staff, dossier.id, BUDGET, settings)
        save_strategy(session, staff, dossier.id, STRATEGY, settings)
    return staff, dossier.id


def submit(settings: Settings, dossier_id: str, number: int) -> None:
    with session_scope(settings) as session:
        snapshot_analysis(session, dossier_id, settings, submission=number)


def reports(settings: Settings, dossier_id: str) -> list[Document]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(Document)
                .where(Document.dossier_id == dossier_id)
                .order_by(col(Document.uploaded_at))
            ).all()
        )


def test_report_needs_a_submission(settings: Settings, recorded: tuple[StaffUser, str]) -> None:
    with pytest.raises(BudgetNotReady, match="Aucune analyse n'a encore été envoyée"):
        build_analysis_report(settings, recorded[1])


def test_report_prints_every_figure_with_its_basis(
    settings: Settings, recorded: tuple[StaffUser, str]
) -> None:
    staff, dossier_id = recorded
    submit(settings, dossier_id, 1)
    document_id = build_analysis_report(settings, dossier_id)
    with session_scope(settings) as session:
        document, filename, pdf = read_document(session, document_id, staff, settings)
        analysis = analyse(session, "75", BUDGET)[0]
    assert document.kind == DocumentKind.ANALYSIS_REPORT
    assert document.content_type == "application/pdf"
    assert filename.startswith("analyse-budgetaire-CRV-") and filename.endswith("-envoi-1.pdf")

    text = plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "Analyse budgétaire" in text and "Envoi n° 1 au client" in text
    assert "Jeanne Dupont" in text
    for figure in (
        analysis.quotite_saisissable,
        analysis.annual_base,
        analysis.rsa_household,
        analysis.max_legal,
        analysis.living_budget,
        analysis.capacity,
    ):
        assert plain(eur(figure)) in text, figure
    assert "Quotité saisissable mensuelle (Q)" in text
    # The barème's date and source, the RSA amount and its date.
    assert "en vigueur depuis le 1er janvier 2025" in text
    assert "R.3252-2" in text and "décret n° 2024-1231" in text
    assert "646,52 €" in text and "1er avril 2025" in text
    assert "Code de la consommation, art. R.731-1" in text
    # Band by band: every share of the barème appears.
    for share in ("1/20", "1/10", "1/5", "1/4", "1/3", "2/3", "totalité"):
        assert share in text
    # The strategy chosen by the case worker, with its rationale.
    assert STRATEGY_LABELS_FR[StrategyKind.PAYMENT_PLAN] in text
    assert "Plan amiable avec le bailleur, payé en priorité." in text
    assert "Ensemble du foyer" in text
    # Household, resources, charges, debts.
    assert "2 adultes et 2 enfants" in text and "Office HLM" in text
    assert "Loyer (charges locatives comprises)" in text


def test_report_is_stored_encrypted_once_per_submission(db_settings: Settings) -> None:
    """On SQLite and PostgreSQL (row locks, Numeric columns of the forfaits)."""
    settings = db_settings
    _, dossier_id = record(settings)
    submit(settings, dossier_id, 1)
    first = build_analysis_report(settings, dossier_id)
    assert build_analysis_report(settings, dossier_id) == first
    submit(settings, dossier_id, 1)  # a retried snapshot changes nothing
    assert build_analysis_report(settings, dossier_id) == first
    assert [d.id for d in reports(settings, dossier_id)] == [first]

    on_disk = document_path(reports(settings, dossier_id)[0], settings).read_bytes()
    assert not on_disk.startswith(b"%PDF") and b"Banque Exemple" not in on_disk

    submit(settings, dossier_id, 2)  # a revision gets its own report
    second = build_analysis_report(settings, dossier_id)
    assert second != first
    assert [d.id for d in reports(settings, dossier_id)] == [first, second]
