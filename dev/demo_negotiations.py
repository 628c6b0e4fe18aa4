"""Demo dossiers in the negotiation phase, driven the way the web app drives them: rows written
first, then the workflow update. A newcomer sees consents asked and given, an offer awaiting the
creditor's reply, a counter-offer awaiting the client's decision and a repayment plan running.

Every name, address and number here is fictional.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from temporalio.client import Client, WorkflowHandle

from config.settings import Settings
from dev.demo_budgets import household_budget, save_budget_with_proposals
from domain.dossier_stages import CreditorKind, DocumentKind, Stage
from domain.intake import CreditorIn, DossierCreate
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.offer_terms import OfferTerms, ReplyTerms, balance_share
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import OfferType, ReplyKind
from domain.workflow_ids import dossier_workflow_id, negotiation_workflow_id
from gateway.start_intents import create_dossier_with_start_intent, start_pending_intent
from models.creditor_directory import Creditor
from models.database import session_scope
from models.negotiation import Negotiation
from models.staff import StaffUser
from services.documents import store_document
from services.negotiations.consents import ConsentChoice, decide_consent
from services.negotiations.replies import stage_reply
from services.negotiations.store import (
    link_creditor,
    paris_today,
    stage_consent_request,
    stage_offer,
)
from workflows.dossier_messages import (
    DOCUMENTS_CHANGED_UPDATE,
    RECORD_APPROVAL_UPDATE,
    STATUS_QUERY,
    SUBMIT_ANALYSIS_UPDATE,
    ApprovalRecord,
    DocumentsChanged,
    DossierStatus,
    SubmissionResult,
    SubmitAnalysis,
)
from workflows.negotiation_messages import (
    CONFIRM_AGREEMENT_UPDATE,
    CONSENT_DECIDED_UPDATE,
    CONSENT_REQUESTED_UPDATE,
    NEGOTIATION_STATUS_QUERY,
    RECORD_REPLY_UPDATE,
    SEND_OFFER_UPDATE,
    ConfirmAgreement,
    ConsentDecided,
    ConsentRequested,
    NegotiationStatus,
    RecordReply,
    SendOffer,
)

OWNER_EMAIL = "demo@cravelynos.example"
DOCUMENTS = [DocumentKind.IDENTITY, DocumentKind.INCOME]
SHARED = [ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS, ShareCategory.BUDGET]
WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class DemoCreditor:
    name: str
    kind: CreditorKind
    nature: str
    arrears: str
    # The directory entry the case worker picked (None: still to choose), and how far the
    # negotiation has gone: "asked", "awaiting_reply", "counter_offer", "plan_running".
    directory: str | None
    step: str | None


@dataclass(frozen=True)
class DemoNegotiationDossier:
    first: str
    last: str
    email: str
    phone: str
    departement: str
    creditors: tuple[DemoCreditor, ...]


DEMO_NEGOTIATIONS = (
    DemoNegotiationDossier(
        "Nadia",
        "Négociée",
        "nadia.negociee@example.org",
        "06 21 32 43 54",
        "75",
        (
            DemoCreditor(
                "Banque Exemple",
                CreditorKind.BANK,
                "bank_overdraft",
                "1240.00",
                "Banque Exemple",
                "awaiting_reply",
            ),
            DemoCreditor(
                "Télécom Exemple",
                CreditorKind.TELECOM,
                "telecom_arrears",
                "389.90",
                "Télécom Exemple",
                "asked",
            ),
            DemoCreditor(
                "Habitat Démo", CreditorKind.LANDLORD, "rent_arrears", "980.00", None, None
            ),
        ),
    ),
    DemoNegotiationDossier(
        "Hugo",
        "Contreproposé",
        "hugo.contrepropose@example.org",
        "07 65 43 21 09",
        "13",
        (
            DemoCreditor(
                "Crédit Exemple",
                CreditorKind.CREDIT_COMPANY,
                "revolving_credit",
                "2150.00",
                "Crédit Exemple",
                "counter_offer",
            ),
        ),
    ),
    DemoNegotiationDossier(
        "Julie",
        "Échelonnée",
        "julie.echelonnee@example.org",
        "06 77 88 99 00",
        "33",
        (
            DemoCreditor(
                "Énergie Exemple",
                CreditorKind.ENERGY,
                "energy_arrears",
                "720.00",
                "Énergie Exemple",
                "plan_running",
            ),
        ),
    ),
)


async def seed_demo_negotiations(settings: Settings, client: Client, pdf: bytes) -> None:
    """Create the negotiation demo dossiers and bring each negotiation to its demo step."""
    for demo in DEMO_NEGOTIATIONS:
        await _seed(settings, client, demo, pdf)


async def _seed(
    settings: Settings, client: Client, demo: DemoNegotiationDossier, pdf: bytes
) -> None:
    with session_scope(settings) as session:
        owner = session.exec(select(StaffUser).where(StaffUser.email == OWNER_EMAIL)).one()
        dossier = create_dossier_with_start_intent(session, _intake(demo), owner, settings)
        for kind in DOCUMENTS:
            store_document(session, dossier, kind, f"{kind.value}.pdf", pdf, owner, settings)
        session.expunge(owner)
    actor = f"staff:{owner.id}"
    handle = client.get_workflow_handle(dossier_workflow_id(dossier.id))
    await start_pending_intent(client, handle.id, settings)
    await handle.execute_update(DOCUMENTS_CHANGED_UPDATE, DocumentsChanged(actor=actor))
    _record_budget(settings, owner, dossier.id, demo)
    await _until(handle, STATUS_QUERY, DossierStatus, lambda s: s.stage == Stage.ANALYSIS)
    submitted = await handle.execute_update(
        SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor=actor), result_type=SubmissionResult
    )
    await handle.execute_update(
        RECORD_APPROVAL_UPDATE,
        ApprovalRecord(actor=actor, channel="phone", submission=submitted.submission),
    )
    await _until(
        handle,
        STATUS_QUERY,
        DossierStatus,
        lambda s: s.open_negotiations == len(demo.creditors),
    )
    with session_scope(settings) as session:
        negotiations = session.exec(
            select(Negotiation)
            .where(Negotiation.dossier_id == dossier.id)
            .order_by(col(Negotiation.number))
        ).all()
        directory = {c.name: c.id for c in session.exec(select(Creditor)).all()}
        client_actor = f"client:{dossier.client_id}"
    for negotiation, creditor in zip(negotiations, demo.creditors, strict=True):
        if creditor.directory is None or creditor.step is None:
            continue
        creditor_id = directory[creditor.directory]
        assert creditor_id is not None
        with session_scope(settings) as session:
            link_creditor(session, owner, negotiation.id, creditor_id)
        steps = _Steps(settings, client, owner, actor, client_actor, negotiation.id)
        await steps.run_to(creditor.step, Decimal(creditor.arrears))


class _Steps:
    """One negotiation brought forward step by step, as the pages would."""

    def __init__(
        self,
        settings: Settings,
        client: Client,
        owner: StaffUser,
        actor: str,
        client_actor: str,
        negotiation_id: str,
    ) -> None:
        self.settings, self.owner, self.actor = settings, owner, actor
        self.client_actor, self.negotiation_id = client_actor, negotiation_id
        self.handle = client.get_workflow_handle(negotiation_workflow_id(negotiation_id))

    async def run_to(self, step: str, balance: Decimal) -> None:
        await _until(self.handle, NEGOTIATION_STATUS_QUERY, NegotiationStatus, lambda s: True)
        with session_scope(self.settings) as session:
            consent = stage_consent_request(
                session,
                self.settings,
                self.owner,
                self.negotiation_id,
                ConsentChoice(SHARED, [], None),
            )
        asked = ConsentRequested(consent.row_id, self.actor, consent.staged_write_id)
        await self._update(CONSENT_REQUESTED_UPDATE, asked)
        consent_id = consent.row_id
        if step == "asked":
            return
        with session_scope(self.settings) as session:
            decide_consent(
                session,
                self.settings,
                consent_id,
                given=True,
                method=ConsentMethod.SIGNED_LINK,
                actor=self.client_actor,
            )
        await self._update(
            CONSENT_DECIDED_UPDATE, ConsentDecided(consent_id, True, self.client_actor)
        )
        today = paris_today()
        with session_scope(self.settings) as session:
            offer = stage_offer(
                session,
                self.settings,
                self.owner,
                self.negotiation_id,
                OfferTerms(
                    offer_type=OfferType.PAYMENT_PLAN,
                    amount=Decimal("600.00"),
                    balance_share=balance_share(Decimal("600.00"), balance),
                    instalments=6,
                    instalment_amount=Decimal("100.00"),
                    first_due_date=today + timedelta(days=20),
                    valid_until=today + timedelta(days=60),
                ),
            )
        sent = SendOffer(offer.row_id, self.actor, offer.staged_write_id)
        await self._update(SEND_OFFER_UPDATE, sent)
        if step == "awaiting_reply":
            return
        if step == "counter_offer":
            counter = OfferTerms(
                offer_type=OfferType.PAYMENT_PLAN,
                amount=Decimal("900.00"),
                balance_share=balance_share(Decimal("900.00"), balance),
                instalments=6,
                instalment_amount=Decimal("150.00"),
                first_due_date=today + timedelta(days=30),
                valid_until=today + timedelta(days=30),
            )
            await self._reply(ReplyKind.COUNTER_OFFER, today, counter)
            return
        await self._reply(ReplyKind.ACCEPTED, today, None)
        await self._update(CONFIRM_AGREEMENT_UPDATE, ConfirmAgreement(actor=self.actor))

    async def _reply(self, kind: ReplyKind, today: date, counter: OfferTerms | None) -> None:
        with session_scope(self.settings) as session:
            staged = stage_reply(
                session,
                self.settings,
                self.owner,
                self.negotiation_id,
                ReplyTerms(
                    kind=kind,
                    received_on=today,
                    channel="email",
                    terms="Réponse reçue par courriel du service recouvrement (démonstration).",
                    requested_categories=(),
                    counter_offer=counter,
                ),
                [],
            )
        await self._update(
            RECORD_REPLY_UPDATE,
            RecordReply(
                reply_id=staged.reply_id,
                kind=kind.value,
                actor=self.actor,
                counter_offer_id=staged.counter_offer_id,
                staged_write_id=staged.staged_write_id,
            ),
        )

    async def _update(self, name: str, arg: Any) -> None:
        await self.handle.execute_update(name, arg)


async def _until(handle: WorkflowHandle, query: str, result_type: type, done: Any) -> Any:
    """Query until `done(status)`; the workflow gets there within seconds on the dev stack."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        try:
            status = await handle.query(query, result_type=result_type)
            if done(status):
                return status
        except Exception:  # noqa: BLE001 - not started or not yet answering: ask again
            if asyncio.get_running_loop().time() > deadline:
                raise
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{handle.id} did not reach the expected state")
        await asyncio.sleep(0.2)


def _intake(demo: DemoNegotiationDossier) -> DossierCreate:
    return DossierCreate(
        first_name=demo.first,
        last_name=demo.last,
        email=demo.email,
        phone=demo.phone,
        address=f"12 rue de l'Exemple\n{demo.departement}000 Villedemo",
        departement=demo.departement,
        creditors=[
            CreditorIn(name=c.name, kind=c.kind, account_reference=f"REF-{i + 1:04d}")
            for i, c in enumerate(demo.creditors)
        ],
        expected_documents=DOCUMENTS,
    )


def _record_budget(
    settings: Settings, owner: StaffUser, dossier_id: str, demo: DemoNegotiationDossier
) -> None:
    budget = household_budget(
        [
            {
                "creditor": c.name,
                "creditor_kind": c.kind.value,
                "nature": c.nature,
                "capital_outstanding": "0",
                "arrears": c.arrears,
            }
            for c in demo.creditors
        ]
    )
    with session_scope(settings) as session:
        save_budget_with_proposals(session, owner, dossier_id, budget, settings)
