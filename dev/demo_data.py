"""Demo accounts and dossiers for `cravelynos dev`: a newcomer sees the product at once.

Every name, address and number here is fictional.
"""

from __future__ import annotations

import io
import os
import secrets
from datetime import date

from pypdf import PdfWriter
from sqlmodel import select
from temporalio.client import Client

from config.settings import Settings
from dev.demo_budgets import save_budget_with_proposals
from dev.demo_negotiations import DEMO_NEGOTIATIONS, seed_demo_negotiations
from domain.budget import BudgetInput
from domain.dossier_stages import CreditorKind, DocumentKind, Outcome
from domain.intake import CreditorIn, DossierCreate
from domain.workflow_ids import dossier_workflow_id
from gateway.start_intents import create_dossier_with_start_intent, start_pending_intent
from models.database import session_scope
from models.dossier import Dossier
from models.staff import Role, StaffUser
from security.passwords import hash_password, verify_password
from services.budget.allowances import seed_sample_allowances
from services.creditors import seed_sample_creditors
from services.documents import store_document
from services.dossiers.search_index import index_unindexed
from services.staff_accounts import create_staff_user
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    DOCUMENTS_CHANGED_UPDATE,
    CloseDossier,
    DocumentsChanged,
)

DEMO_EMAIL = "demo@cravelynos.example"
DEMO_ACCOUNTS: tuple[tuple[str, str, Role, str], ...] = (
    (DEMO_EMAIL, "Camille Demo", Role.CASE_WORKER, "paris"),
    ("superviseur@cravelynos.example", "Sacha Superviseur", Role.SUPERVISOR, "paris"),
    ("dpo@cravelynos.example", "Dominique DPO", Role.DPO, "paris"),
    ("admin@cravelynos.example", "Alex Admin", Role.ADMIN, "paris"),
    ("conseiller.lyon@cravelynos.example", "Louis Lyon", Role.CASE_WORKER, "lyon"),
)
PASSWORD_FILE = "demo-password"


def _blank_page_pdf() -> bytes:
    """A one-page A4 PDF (uploads are parsed: the demo's must be real ones)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# Uploaded as the demo clients' supporting documents.
DEMO_PDF = _blank_page_pdf()


def demo_password(settings: Settings) -> tuple[str, bool]:
    """(password, generated): the configured one, or one generated once and kept 0600."""
    if settings.demo_password:
        return settings.demo_password, False
    path = settings.data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip(), True
    password = secrets.token_urlsafe(12)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password, True


def ensure_demo_accounts(settings: Settings) -> str | None:
    """Create the demo accounts (or align their password), the sample allowance parameters and
    creditor directory; the generated password, if any."""
    password, generated = demo_password(settings)
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        seed_sample_creditors(session)
        for email, name, role, team in DEMO_ACCOUNTS:
            user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
            if user is None:
                create_staff_user(
                    session, email=email, display_name=name, role=role, team=team, password=password
                )
            elif not verify_password(user.password_hash, password):
                user.password_hash = hash_password(password)
                session.add(user)
    return password if generated else None


def _dossier(
    first: str,
    last: str,
    email: str,
    phone: str,
    departement: str,
    creditors: list[tuple[str, CreditorKind, str | None]],
    documents: list[DocumentKind],
) -> DossierCreate:
    return DossierCreate(
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        address=f"{secrets.randbelow(90) + 1} rue de l'Exemple\n{departement}000 Villedemo",
        departement=departement,
        creditors=[CreditorIn(name=n, kind=k, account_reference=r) for n, k, r in creditors],
        expected_documents=documents,
    )


ALL_DOCUMENTS = [DocumentKind.IDENTITY, DocumentKind.INCOME, DocumentKind.BANK_STATEMENTS]

# Marie Témoin's budget (documents complete): the analysis is ready to be sent to her.
DEMO_BUDGET = BudgetInput.model_validate(
    {
        "on": date(2026, 6, 1),
        "household": {"adults": 1, "children": 2},
        "dependants": 2,
        "resources": [
            {"kind": "salary", "label": "Salaire net", "monthly_amount": "1650.00"},
            {
                "kind": "family_benefit",
                "label": "Allocations familiales",
                "monthly_amount": "148.52",
            },
            {"kind": "housing_benefit", "label": "APL", "monthly_amount": "210.00"},
        ],
        "charges": [
            {"category": "rent", "monthly_amount": "720.00"},
            {"category": "health_insurance", "monthly_amount": "42.00"},
            {"category": "childcare", "monthly_amount": "95.00"},
        ],
        "debts": [
            {
                "creditor": "Télécom Exemple",
                "creditor_kind": "telecom",
                "nature": "telecom_arrears",
                "capital_outstanding": "0",
                "arrears": "486.30",
            },
            {
                "creditor": "Crédit Démo",
                "creditor_kind": "credit_company",
                "nature": "revolving_credit",
                "capital_outstanding": "3950.00",
                "monthly_instalment": "160.00",
            },
        ],
    }
)

# (owner email, dossier, documents to upload, outcome to close with)
DEMO_DOSSIERS: list[tuple[str, DossierCreate, list[DocumentKind], Outcome | None]] = [
    (
        DEMO_EMAIL,
        _dossier(
            "Léa",
            "Fictive",
            "lea.fictive@example.org",
            "06 10 20 30 40",
            "75",
            [
                ("Banque Exemple", CreditorKind.BANK, "FR76 0000 0001"),
                ("Crédit Démo", CreditorKind.CREDIT_COMPANY, "CD-4411"),
            ],
            ALL_DOCUMENTS,
        ),
        [],
        None,
    ),
    (
        DEMO_EMAIL,
        _dossier(
            "Karim",
            "Exemplaire",
            "karim.exemplaire@example.org",
            "07 11 22 33 44",
            "93",
            [
                ("Habitat Démo", CreditorKind.LANDLORD, None),
                ("Énergie Fictive", CreditorKind.ENERGY, "EF-778"),
            ],
            ALL_DOCUMENTS,
        ),
        [DocumentKind.IDENTITY],
        None,
    ),
    (
        DEMO_EMAIL,
        _dossier(
            "Marie",
            "Témoin",
            "marie.temoin@example.org",
            "06 55 44 33 22",
            "92",
            [("Télécom Exemple", CreditorKind.TELECOM, "TE-1")],
            [DocumentKind.IDENTITY, DocumentKind.INCOME],
        ),
        [DocumentKind.IDENTITY, DocumentKind.INCOME],
        None,
    ),
    (
        DEMO_EMAIL,
        _dossier(
            "Paul",
            "Modèle",
            "paul.modele@example.org",
            "06 98 76 54 32",
            "94",
            [("Recouvrement Démo", CreditorKind.COLLECTION_AGENCY, "RD-9")],
            [DocumentKind.IDENTITY],
        ),
        [DocumentKind.IDENTITY],
        Outcome.RESOLVED,
    ),
    (
        "conseiller.lyon@cravelynos.example",
        _dossier(
            "Inès",
            "Lyonnaise",
            "ines.lyonnaise@example.org",
            "04 72 00 00 01",
            "69",
            [("Banque Exemple", CreditorKind.BANK, "FR76 0000 0002")],
            [DocumentKind.IDENTITY, DocumentKind.TAX_NOTICE],
        ),
        [],
        None,
    ),
]


async def seed_demo_dossiers(settings: Settings, client: Client) -> int:
    """Create the demo dossiers once (when the database has none) and move them along."""
    with session_scope(settings) as session:
        if session.exec(select(Dossier.id)).first() is not None:
            # Seeded before the search index existed: the demo clients become searchable.
            index_unindexed(session, settings)
            return 0
    for owner_email, data, uploads, outcome in DEMO_DOSSIERS:
        with session_scope(settings) as session:
            owner = session.exec(select(StaffUser).where(StaffUser.email == owner_email)).one()
            dossier = create_dossier_with_start_intent(session, data, owner, settings)
            for kind in uploads:
                store_document(
                    session, dossier, kind, f"{kind.value}.pdf", DEMO_PDF, owner, settings
                )
            actor = f"staff:{owner.id}"
        workflow_id = dossier_workflow_id(dossier.id)
        await start_pending_intent(client, workflow_id, settings)
        handle = client.get_workflow_handle(workflow_id)
        if uploads:
            await handle.execute_update(DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor))
        if outcome is not None:
            await handle.execute_update(CLOSE_UPDATE, CloseDossier(outcome=outcome, actor=actor))
        elif set(uploads) == set(data.expected_documents):
            _record_demo_budget(settings, owner_email, dossier.id)
    await seed_demo_negotiations(settings, client, DEMO_PDF)
    return len(DEMO_DOSSIERS) + len(DEMO_NEGOTIATIONS)


def _record_demo_budget(settings: Settings, owner_email: str, dossier_id: str) -> None:
    """A budget and the engine's proposals, as a case worker would have entered them."""
    with session_scope(settings) as session:
        owner = session.exec(select(StaffUser).where(StaffUser.email == owner_email)).one()
        save_budget_with_proposals(session, owner, dossier_id, DEMO_BUDGET, settings)
