"""Every debt of the approved strategy gets a negotiation, even one whose creditor was not typed
at intake (Marie Témoin's "Crédit Démo" was dropped without a word)."""

from __future__ import annotations

from sqlmodel import select
from support.analysis import record_budget
from support.negotiation import approve_budget, creditor_name, seed_budget, seed_strategy
from support.stack import make_dossier, make_staff

from config.settings import Settings
from domain.dossier_stages import CreditorKind
from domain.intake import CreditorIn, DossierCreate
from models.database import session_scope
from models.dossier import DossierCreditor, TimelineEvent
from models.negotiation import Negotiation
from services.negotiations.setup import debts_without_negotiation, open_negotiations


def _intake_with_one_creditor() -> DossierCreate:
    return DossierCreate(
        first_name="Marie",
        last_name="Témoin",
        email="marie.temoin@exemple.fr",
        phone="06 12 34 56 78",
        address="1 rue des Tests\n75011 Paris",
        departement="75",
        creditors=[CreditorIn(name=creditor_name(1), kind=CreditorKind.BANK)],
        expected_documents=["identity"],
    )


def test_a_debt_to_a_creditor_not_typed_at_intake_gets_its_negotiation(
    settings: Settings,
) -> None:
    staff = make_staff(settings)
    dossier = make_dossier(settings, staff, _intake_with_one_creditor())
    record_budget(settings, staff, dossier.id, data=seed_budget(2), strategy=seed_strategy(2))
    approve_budget(settings, dossier.id)
    with session_scope(settings) as session:
        assert debts_without_negotiation(session, dossier.id, settings) == [
            creditor_name(1),
            creditor_name(2),
        ]
        ids = open_negotiations(session, dossier.id, settings)
    assert len(ids) == 2
    with session_scope(settings) as session:
        creditors = session.exec(
            select(DossierCreditor.name).where(DossierCreditor.dossier_id == dossier.id)
        ).all()
        assert sorted(creditors) == [creditor_name(1), creditor_name(2)]
        negotiations = session.exec(
            select(Negotiation).where(Negotiation.dossier_id == dossier.id)
        ).all()
        assert {n.debt_indexes for n in negotiations} == {"[0]", "[1]"}
        [event] = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "creditor_from_strategy")
        ).all()
        assert creditor_name(2) in event.summary
        assert debts_without_negotiation(session, dossier.id, settings) == []
        # Opening again (a retried activity) changes nothing.
        assert open_negotiations(session, dossier.id, settings) == ids
