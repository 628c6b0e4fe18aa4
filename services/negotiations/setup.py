"""Open the negotiations of a dossier: one `negotiation` row per creditor of the dossier.

Every debt of the approved strategy gets its negotiation: a debt owed to a creditor typed at
intake joins that creditor's; a debt owed to anyone else (found during the budget analysis, say)
first becomes a creditor of the dossier. A debt the case worker decides not to negotiate is set
aside by ending its negotiation, with the reason.

Used by the OPEN_NEGOTIATIONS activity when the client has approved the strategy, by the web
app when a creditor is added afterwards, and by the demo data. Idempotent: a creditor that
already has its negotiation keeps it (same id, number and reference).
"""

from __future__ import annotations

import json
import unicodedata

from sqlmodel import Session, col, func, select

from config.settings import Settings
from domain.budget.inputs import DebtLine
from domain.intake import CreditorIn
from models.client import Client
from models.creditor_directory import Creditor
from models.dossier import Dossier, DossierCreditor, TimelineEvent
from models.negotiation import Negotiation
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.budget.store import BudgetRefused, load_submission
from services.dossiers.intake import add_dossier_creditor, new_id
from services.effective import effective


def creditor_key(name: str) -> str:
    """A name as compared: no accents, no case, single spaces ("Énergie  exemple" = "energie
    exemple")."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def open_negotiations(
    session: Session, dossier_id: str, settings: Settings, *, actor: str = "system"
) -> list[str]:
    """The negotiation ids of the dossier, numbered 1..n, creating the missing ones."""
    dossier = _dossier(session, dossier_id)
    debts = _approved_debts(session, dossier_id, settings)
    creditors = _dossier_creditors(session, dossier_id)
    added = _creditors_of_unmatched_debts(session, dossier, creditors, debts, settings)
    creditors += added
    existing = {
        row.dossier_creditor_id: row
        for row in session.exec(
            select(Negotiation).where(Negotiation.dossier_id == dossier_id, effective(Negotiation))
        )
    }
    missing = [c for c in creditors if c.id not in existing]
    if missing:
        directory = _directory(session)
        for creditor in missing:
            assert creditor.id is not None
            existing[creditor.id] = _new_negotiation(session, dossier, creditor, directory, debts)
        _audit_opened(session, dossier_id, actor, len(missing), creditors_added=len(added))
    rows = sorted(existing.values(), key=lambda row: row.number)
    return [row.id for row in rows]


def open_negotiation(
    session: Session, dossier_id: str, creditor: DossierCreditor, settings: Settings, actor: str
) -> str:
    """The negotiation of one creditor added once negotiations had started; returns its id."""
    dossier = _dossier(session, dossier_id)
    debts = _approved_debts(session, dossier_id, settings)
    row = _new_negotiation(session, dossier, creditor, _directory(session), debts)
    _audit_opened(session, dossier_id, actor, 1)
    return row.id


def _new_negotiation(
    session: Session,
    dossier: Dossier,
    creditor: DossierCreditor,
    directory: dict[str, int],
    debts: list[DebtLine],
) -> Negotiation:
    """A new row names the directory creditor whose name matches the dossier creditor's (or
    none: the case worker picks it), and the debts of the approved budget owed to it."""
    assert creditor.id is not None
    # Over every row, staged ones included: numbers and references are unique.
    last = session.exec(
        select(func.max(Negotiation.number)).where(Negotiation.dossier_id == dossier.id)
    ).one()
    number = int(last or 0) + 1
    key = creditor_key(creditor.name)
    row = Negotiation(
        id=new_id(),
        dossier_id=dossier.id,
        dossier_creditor_id=creditor.id,
        creditor_id=directory.get(key),
        number=number,
        reference=f"{dossier.reference}-C{number}",
        debt_indexes=json.dumps(
            [i for i, debt in enumerate(debts) if creditor_key(debt.creditor) == key]
        ),
    )
    session.add(row)
    session.flush()
    return row


def _dossier(session: Session, dossier_id: str) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise LookupError(f"dossier {dossier_id} not found")
    return dossier


def _audit_opened(
    session: Session, dossier_id: str, actor: str, count: int, creditors_added: int = 0
) -> None:
    detail = {"negotiations": count}
    if creditors_added:
        detail["creditors_added_from_debts"] = creditors_added
    append_audit(session, actor, "negotiation.opened", "dossier", dossier_id, detail=detail)


def _dossier_creditors(session: Session, dossier_id: str) -> list[DossierCreditor]:
    return list(
        session.exec(
            select(DossierCreditor)
            .where(DossierCreditor.dossier_id == dossier_id, effective(DossierCreditor))
            .order_by(col(DossierCreditor.id))
        ).all()
    )


def _creditors_of_unmatched_debts(
    session: Session,
    dossier: Dossier,
    creditors: list[DossierCreditor],
    debts: list[DebtLine],
    settings: Settings,
) -> list[DossierCreditor]:
    """A dossier creditor for each creditor of the approved debts the dossier does not have."""
    known = {creditor_key(c.name) for c in creditors}
    unmatched: dict[str, DebtLine] = {}
    for debt in debts:
        key = creditor_key(debt.creditor)
        if key not in known:
            unmatched.setdefault(key, debt)
    if not unmatched:
        return []
    client = session.get(Client, dossier.client_id)
    assert client is not None
    cipher = ClientCipher.for_client(client, settings)
    added = []
    for debt in unmatched.values():
        creditor = add_dossier_creditor(
            session,
            cipher,
            dossier.id,
            CreditorIn(name=debt.creditor, kind=debt.creditor_kind),
            settings,
        )
        session.add(
            TimelineEvent(
                dossier_id=dossier.id,
                kind="creditor_from_strategy",
                summary=f"Créancier ajouté d'après la stratégie approuvée : {debt.creditor}",
                actor="system",
            )
        )
        added.append(creditor)
    return added


def debts_without_negotiation(session: Session, dossier_id: str, settings: Settings) -> list[str]:
    """The creditors of approved debts that have no negotiation (none once negotiations are
    open: the dossier page warns about any)."""
    negotiated = {
        creditor_key(name)
        for name in session.exec(
            select(DossierCreditor.name)
            .join(Negotiation, col(Negotiation.dossier_creditor_id) == col(DossierCreditor.id))
            .where(Negotiation.dossier_id == dossier_id, effective(Negotiation))
        ).all()
    }
    missing: dict[str, str] = {}
    for debt in _approved_debts(session, dossier_id, settings):
        key = creditor_key(debt.creditor)
        if key not in negotiated:
            missing.setdefault(key, debt.creditor)
    return list(missing.values())


def _directory(session: Session) -> dict[str, int]:
    """Active directory creditors by compared name (names are unique; the first one wins)."""
    found: dict[str, int] = {}
    for creditor in session.exec(
        select(Creditor).where(col(Creditor.active).is_(True)).order_by(col(Creditor.id))
    ):
        assert creditor.id is not None
        found.setdefault(creditor_key(creditor.name), creditor.id)
    return found


def _approved_debts(session: Session, dossier_id: str, settings: Settings) -> list[DebtLine]:
    """The debts of the budget the client approved (empty if none is approved)."""
    try:
        submission = load_submission(
            session,
            dossier_id,
            actor="system",
            reason="ouverture des négociations : dettes par créancier",
            settings=settings,
        )
    except BudgetRefused:  # The client's data was erased: nothing to match.
        return []
    if submission is None or submission.approved_at is None:
        return []
    return list(submission.data.debts)
