"""The negotiation part's data: N dossiers of one creditor each, their budget approved, the
negotiation row opened and the client's consent given — what a case worker finds before sending
a first offer. Written through the app's own stores (intake, budget store, negotiation setup,
consent store), as the demo data and tests/support/negotiation.py do.

In the product the dossier workflow opens the negotiations and starts them as its children; here
the dossier workflows are never started (their start intents are marked done in the transaction
that writes the dossier, so the worker's relay leaves them alone) and the bench starts each
CreditorNegotiationWorkflow itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from config.settings import Settings
from dev.demo_budgets import household_budget, save_budget_with_proposals
from domain.budget import BudgetInput
from domain.clock import utcnow
from domain.dossier_stages import CreditorKind, DocumentKind, Stage
from domain.intake import CreditorIn, DossierCreate
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.offer_terms import OfferTerms
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import OfferType
from domain.workflow_ids import dossier_workflow_id
from gateway.start_intents import create_dossier_with_start_intent
from models.creditor_directory import Creditor
from models.database import session_scope
from models.dossier import Dossier
from models.outbox import WorkflowStartIntent
from models.staff import StaffUser
from services.budget.allowances import seed_sample_allowances
from services.budget.store import (
    record_approval,
    snapshot_analysis,
)
from services.negotiations.consents import create_consent_request, decide_consent
from services.negotiations.setup import open_negotiations
from services.negotiations.store import Staged, paris_today, stage_offer

# Categories a first offer typically carries (as in the demo data).
CONSENTED = [ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS]
# Offers go to a handful of directory creditors, as a real caseload does.
DIRECTORY_SIZE = 5


@dataclass(frozen=True)
class SeededNegotiation:
    negotiation_id: str
    dossier_id: str


def directory_name(number: int) -> str:
    return f"Banque Banc d'essai {number}"


def seed_directory(settings: Settings) -> None:
    with session_scope(settings) as session:
        seed_sample_allowances(session)
        for number in range(1, DIRECTORY_SIZE + 1):
            if session.exec(
                select(Creditor).where(Creditor.name == directory_name(number))
            ).first():
                continue
            session.add(
                Creditor(
                    name=directory_name(number),
                    kind=CreditorKind.BANK.value,
                    contact_channel="email",
                    contact_email=f"recouvrement{number}@creditors.example",
                    postal_address=(
                        f"Service recouvrement\n{number} avenue des Créanciers\n75008 Paris"
                    ),
                    sample=True,
                )
            )


def _budget(creditor: str, number: int) -> BudgetInput:
    return household_budget(
        [
            {
                "creditor": creditor,
                "creditor_kind": CreditorKind.BANK.value,
                "nature": "bank_overdraft",
                "capital_outstanding": "0",
                "arrears": f"{1200 + number % 500}.00",
            }
        ]
    )


def seed_ready_negotiation(settings: Settings, staff_email: str, number: int) -> SeededNegotiation:
    """One dossier, its approved budget, its negotiation row and a consent given by the client."""
    creditor = directory_name(number % DIRECTORY_SIZE + 1)
    with session_scope(settings) as session:
        owner = _staff(session, staff_email)
        dossier = create_dossier_with_start_intent(
            session,
            DossierCreate(
                first_name="Jeanne",
                last_name="Négociée",
                email=f"client.negociation.{number}@exemple.fr",
                phone=f"06 {number % 100:02d} 34 56 78",
                address="12 rue des Lilas\n75011 Paris",
                departement="75",
                creditors=[
                    CreditorIn(
                        name=creditor, kind=CreditorKind.BANK, account_reference=f"CPT-{number}"
                    )
                ],
                expected_documents=[DocumentKind.IDENTITY, DocumentKind.INCOME],
            ),
            owner,
            settings,
        )
        _skip_dossier_workflow(session, dossier.id)
        dossier_id, client_id, owner_id = dossier.id, dossier.client_id, owner.id
        save_budget_with_proposals(session, owner, dossier_id, _budget(creditor, number), settings)
    with session_scope(settings) as session:
        snapshot_analysis(session, dossier_id, settings, submission=1)
        record_approval(session, dossier_id, submission=1, channel="phone", actor="system")
        (negotiation_id,) = open_negotiations(session, dossier_id, settings)
        row = session.get(Dossier, dossier_id)
        assert row is not None
        row.stage = Stage.NEGOTIATION
        session.add(row)
    with session_scope(settings) as session:
        consent_id = create_consent_request(
            session,
            settings,
            negotiation_id=negotiation_id,
            categories=CONSENTED,
            document_ids=[],
            expires_at=None,
            actor=f"staff:{owner_id}",
        )
        decide_consent(
            session,
            settings,
            consent_id,
            given=True,
            method=ConsentMethod.SIGNED_LINK,
            actor=f"client:{client_id}",
        )
    return SeededNegotiation(negotiation_id=negotiation_id, dossier_id=dossier_id)


def draft_first_offer(settings: Settings, staff_email: str, negotiation_id: str) -> Staged:
    """The case worker's first offer, staged through the staff store (needs the row READY)."""
    today = paris_today()
    with session_scope(settings) as session:
        return stage_offer(
            session,
            settings,
            _staff(session, staff_email),
            negotiation_id,
            OfferTerms(
                offer_type=OfferType.PAYMENT_PLAN,
                amount=Decimal("1200.00"),
                balance_share=None,
                instalments=12,
                instalment_amount=Decimal("100.00"),
                first_due_date=today + timedelta(days=45),
                valid_until=today + timedelta(days=30),
            ),
        )


def _staff(session: Session, email: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.email == email)).one()


def _skip_dossier_workflow(session: Session, dossier_id: str) -> None:
    """Mark the dossier's start intent done (same transaction as the dossier): the relay would
    otherwise start a DossierWorkflow that opens and starts this negotiation as its child."""
    session.flush()
    intent = session.exec(
        select(WorkflowStartIntent).where(
            WorkflowStartIntent.workflow_id == dossier_workflow_id(dossier_id)
        )
    ).one()
    intent.started_at = utcnow()
    session.add(intent)
