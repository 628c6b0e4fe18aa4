"""For negotiation tests: a dossier ready to negotiate (documents, an approved budget whose debts
name the creditors, directory entries, negotiation rows), and the rows the web app writes
before it tells a negotiation workflow (consents, offers, replies).

Everything goes through the real stores (intake, budget store, consent store, negotiation
setup); offers and replies are written as the staff pages write them (amounts and terms
encrypted under the client's key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from config.settings import Settings
from domain.budget import BudgetInput
from domain.dossier_stages import CreditorKind, DocumentKind, Stage
from domain.french_dates import PARIS
from domain.intake import DossierCreate
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.sharing import ShareCategory
from gateway.start_intents import create_dossier_with_start_intent
from models.client import Client
from models.creditor_directory import Creditor
from models.database import session_scope
from models.dossier import Dossier
from models.negotiation import CreditorReply, Negotiation, NegotiationOffer
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.budget.store import StrategyLine, record_approval, snapshot_analysis
from services.documents import store_document
from services.dossiers.intake import new_id
from services.negotiations.consents import create_consent_request, decide_consent
from services.negotiations.setup import open_negotiations
from support.analysis import BUDGET, STRATEGY, record_budget
from support.db import in_db
from support.stack import TINY_PDF, make_staff

OFFER_TABLE = "negotiation_offer"
REPLY_TABLE = "creditor_reply"


@dataclass
class NegotiationSeed:
    dossier_id: str
    client_id: str
    reference: str
    negotiation_ids: list[str]
    creditor_ids: list[int]
    document_ids: list[str]
    staff_id: int

    @property
    def actor(self) -> str:
        return f"staff:{self.staff_id}"

    @property
    def client_actor(self) -> str:
        return f"client:{self.client_id}"


def creditor_name(number: int) -> str:
    return f"Banque Exemple {number}"


def creditor_email(number: int) -> str:
    return f"creditor{number}@creditors.example"


def seed_budget(creditors: int = 2) -> BudgetInput:
    """support.analysis.BUDGET with one debt per creditor, each naming "Banque Exemple <n>".

    Creditors 1 and 2 owe BUDGET's two debts; further ones a copy of the first with other
    amounts (so each figure can be told apart).
    """
    debts = []
    for number in range(1, creditors + 1):
        base = BUDGET.debts[(number - 1) % len(BUDGET.debts)]
        extra = Decimal(number // 3) * Decimal("111.17")
        debts.append(
            base.model_copy(
                update={
                    "creditor": creditor_name(number),
                    "capital_outstanding": base.capital_outstanding + extra,
                }
            )
        )
    return BUDGET.model_copy(update={"debts": debts})


def seed_strategy(creditors: int = 2) -> list[StrategyLine]:
    lines = [line for line in STRATEGY if line.debt_index is None or line.debt_index < creditors]
    return lines or [STRATEGY[0].model_copy(update={"debt_index": 0})]


def seed_negotiations(
    settings: Settings,
    *,
    creditors: int = 2,
    channel: str = "email",
    client_email: str = "client@example.org",
    stage: Stage | None = Stage.NEGOTIATION,
    approved: bool = True,
) -> NegotiationSeed:
    """A staff user, a dossier with its identity and income documents and an APPROVED budget
    whose debts name the creditors, directory creditors "Banque Exemple 1".. reachable by
    `channel` (creditor<n>@creditors.example, or a postal address), and the negotiation rows.
    No workflow runs; the dossier row is put at `stage` (None: left as created).

    approved=False: the budget and strategy are recorded but neither submitted nor approved,
    and no negotiation is opened (negotiation_ids is empty): for a DossierWorkflow to do it."""
    staff = make_staff(settings)
    data = seed_budget(creditors)
    kinds = [CreditorKind(debt.creditor_kind) for debt in data.debts]
    with session_scope(settings) as session:
        _directory(session, creditors, channel, kinds)
        actor = session.get(StaffUser, staff.id)
        assert actor is not None
        dossier = create_dossier_with_start_intent(
            session,
            DossierCreate(
                first_name="Jeanne",
                last_name="Dupont",
                email=client_email,
                phone="06 12 34 56 78",
                address="12 rue des Lilas\n75011 Paris",
                departement="75",
                creditors=[
                    {
                        "name": creditor_name(n),
                        "kind": kinds[n - 1],
                        "account_reference": f"CPT-{n}-7731",
                    }
                    for n in range(1, creditors + 1)
                ],
                expected_documents=[DocumentKind.IDENTITY, DocumentKind.INCOME],
            ),
            actor,
            settings,
        )
    document_ids = []
    with session_scope(settings) as session:
        actor = session.get(StaffUser, staff.id)
        assert actor is not None
        for kind in (DocumentKind.IDENTITY, DocumentKind.INCOME):
            stored = store_document(
                session, dossier, kind, f"{kind}.pdf", TINY_PDF, actor, settings
            )
            document_ids.append(stored.id)
    record_budget(settings, staff, dossier.id, data=data, strategy=seed_strategy(creditors))
    if approved:
        approve_budget(settings, dossier.id)
    with session_scope(settings) as session:
        negotiation_ids = open_negotiations(session, dossier.id, settings) if approved else []
        if stage is not None and approved:
            row = session.get(Dossier, dossier.id)
            assert row is not None
            row.stage = stage
            session.add(row)
        creditor_ids = [_creditor_id(session, creditor_name(n)) for n in range(1, creditors + 1)]
    assert staff.id is not None
    return NegotiationSeed(
        dossier_id=dossier.id,
        client_id=dossier.client_id,
        reference=dossier.reference,
        negotiation_ids=negotiation_ids,
        creditor_ids=creditor_ids,
        document_ids=document_ids,
        staff_id=staff.id,
    )


def approve_budget(settings: Settings, dossier_id: str, channel: str = "phone") -> None:
    """What the analysis phase stores: submission 1 frozen, then approved by the client."""
    with session_scope(settings) as session:
        snapshot_analysis(session, dossier_id, settings, submission=1)
        record_approval(session, dossier_id, submission=1, channel=channel, actor="system")


def _directory(session: Session, creditors: int, channel: str, kinds: list[CreditorKind]) -> None:
    for number in range(1, creditors + 1):
        if session.exec(select(Creditor).where(Creditor.name == creditor_name(number))).first():
            continue
        session.add(
            Creditor(
                name=creditor_name(number),
                kind=kinds[number - 1].value,
                contact_channel=channel,
                contact_email=creditor_email(number) if channel == "email" else None,
                postal_address=(
                    f"Service recouvrement\n{number} avenue des Créanciers\n75008 Paris"
                ),
                ombudsman_name=f"Médiateur de la Banque Exemple {number}",
                ombudsman_contact=f"mediateur{number}@creditors.example",
                sample=True,
            )
        )
    session.flush()


def _creditor_id(session: Session, name: str) -> int:
    creditor = session.exec(select(Creditor).where(Creditor.name == name)).one()
    assert creditor.id is not None
    return creditor.id


def _negotiation(settings: Settings, negotiation_id: str) -> tuple[Negotiation, Dossier, Client]:
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None
        dossier = session.get(Dossier, negotiation.dossier_id)
        assert dossier is not None
        client = session.get(Client, dossier.client_id)
        assert client is not None
        return negotiation, dossier, client


def paris_today(now: datetime | None = None) -> date:
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def give_consent(
    settings: Settings,
    negotiation_id: str,
    categories: Iterable[ShareCategory],
    document_ids: Iterable[str] = (),
) -> str:
    """A consent asked by the case worker and given by the client through the signed link."""
    _, dossier, client = _negotiation(settings, negotiation_id)
    consent_id = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=negotiation_id,
        categories=list(categories),
        document_ids=list(document_ids),
        expires_at=None,
        actor=f"staff:{dossier.assignee_id}",
    )
    in_db(
        settings,
        decide_consent,
        settings,
        consent_id,
        given=True,
        method=ConsentMethod.SIGNED_LINK,
        actor=f"client:{client.id}",
    )
    return consent_id


def draft_offer(
    settings: Settings,
    negotiation_id: str,
    *,
    round: int = 1,
    valid_until: date | None = None,
    offer_type: str = "payment_plan",
    amount: str = "1200.00",
    instalments: int | None = 12,
    instalment_amount: str | None = "100.00",
    first_due_date: date | None = None,
    made_by: str = "us",
    balance_share: str | None = None,
    channel: str = "email",
) -> str:
    """An offer row as the staff page writes it (a draft of ours, or a creditor's counter-offer
    as recorded with its reply). Dates default to today in Paris + 30 days (valid until) and
    + 45 days (first instalment)."""
    _, dossier, client = _negotiation(settings, negotiation_id)
    today = paris_today()
    offer_id = new_id()
    cipher = ClientCipher.for_client(client, settings)
    with session_scope(settings) as session:
        session.add(
            NegotiationOffer(
                id=offer_id,
                negotiation_id=negotiation_id,
                round=round,
                made_by=made_by,
                offer_type=offer_type,
                amount_enc=cipher.encrypt(OFFER_TABLE, "amount", offer_id, amount),
                balance_share_enc=cipher.encrypt(
                    OFFER_TABLE, "balance_share", offer_id, balance_share
                ),
                instalment_amount_enc=cipher.encrypt(
                    OFFER_TABLE, "instalment_amount", offer_id, instalment_amount
                ),
                instalments=instalments,
                first_due_date=first_due_date
                or (today + timedelta(days=45) if instalments else None),
                valid_until=valid_until or today + timedelta(days=30),
                channel=channel,
                status="draft" if made_by == "us" else "sent",
                created_by=f"staff:{dossier.assignee_id}",
            )
        )
    return offer_id


def record_reply_row(
    settings: Settings,
    negotiation_id: str,
    kind: str,
    *,
    round: int = 1,
    requested_categories: Iterable[ShareCategory | str] = (),
    counter_offer_id: str | None = None,
    new_consent_id: str | None = None,
    received_on: date | None = None,
    terms: str | None = None,
) -> str:
    """A creditor's reply as the case worker records it (terms encrypted)."""
    _, dossier, client = _negotiation(settings, negotiation_id)
    reply_id = new_id()
    cipher = ClientCipher.for_client(client, settings)
    with session_scope(settings) as session:
        session.add(
            CreditorReply(
                id=reply_id,
                negotiation_id=negotiation_id,
                round=round,
                kind=kind,
                received_on=received_on or paris_today(),
                channel="email",
                terms_enc=cipher.encrypt(
                    REPLY_TABLE, "terms", reply_id, terms or f"Réponse du créancier ({kind})"
                ),
                requested_categories=json.dumps([str(c) for c in requested_categories]),
                counter_offer_id=counter_offer_id,
                new_consent_id=new_consent_id,
                recorded_by=f"staff:{dossier.assignee_id}",
            )
        )
    return reply_id
