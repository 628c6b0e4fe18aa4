"""The offer form filled in from what the client approved: the strategy line retained for the
debts of this creditor, and the balance of those debts (from which the share of the balance is
computed, for our offers and the creditor's counter-offers alike).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session

from config.settings import Settings
from domain.budget import STRATEGY_LABELS_FR, StrategyKind
from domain.negotiation.offer_terms import (
    MAX_INSTALMENTS,
    instalments_needed,
    plan_mismatch,
)
from domain.negotiation.states import OfferType
from models.negotiation import Negotiation
from rendering.labels import amount_input, date_input
from services.budget.store import StrategyLine, load_submission

# What an approved strategy becomes as an offer to the creditor.
OFFER_OF_STRATEGY: dict[StrategyKind, OfferType] = {
    StrategyKind.PAYMENT_PLAN: OfferType.PAYMENT_PLAN,
    StrategyKind.RESCHEDULING: OfferType.PAYMENT_PLAN,
    StrategyKind.REMISSION: OfferType.REMISSION,
    StrategyKind.SETTLEMENT: OfferType.REMISSION,
    StrategyKind.FEE_WAIVER: OfferType.FEE_WAIVER,
    StrategyKind.MORATORIUM: OfferType.MORATORIUM,
}
VALIDITY_DAYS = 30
FIRST_DUE_DAYS = 30


@dataclass(frozen=True)
class OfferPrefill:
    values: dict[str, str]
    # The claims (capital + arrears) of the debts concerned in the approved budget.
    balance: Decimal | None
    # Which approved strategy the values come from, in words (None: nothing to start from).
    source: str | None


@dataclass(frozen=True)
class ApprovedDebts:
    """The approved budget's view of this creditor's debts (None/None: no approved budget)."""

    balance: Decimal | None
    line: StrategyLine | None


def approved_debts(
    session: Session, settings: Settings, negotiation_id: str, actor: str, reason: str
) -> ApprovedDebts:
    """The caller has checked the viewer may read the dossier; the read is audited as `reason`."""
    negotiation = session.get(Negotiation, negotiation_id)
    assert negotiation is not None
    submission = load_submission(
        session, negotiation.dossier_id, actor=actor, reason=reason, settings=settings
    )
    indexes = set(json.loads(negotiation.debt_indexes))
    if submission is None or submission.approved_at is None or not indexes:
        return ApprovedDebts(None, None)
    debts = [d for i, d in enumerate(submission.data.debts) if i in indexes]
    balance = sum((d.claim for d in debts), Decimal("0.00"))
    line = next(
        (
            line
            for line in submission.strategy
            if line.debt_index in indexes and line.kind in OFFER_OF_STRATEGY
        ),
        None,
    )
    return ApprovedDebts(balance if balance > 0 else None, line)


def debts_balance(
    session: Session, settings: Settings, negotiation_id: str, actor: str
) -> Decimal | None:
    """The balance the share of an offer is computed from (server side, never typed)."""
    reason = "part du solde d'une offre"
    return approved_debts(session, settings, negotiation_id, actor, reason).balance


def offer_prefill(
    session: Session, settings: Settings, negotiation_id: str, actor: str, today: date
) -> OfferPrefill:
    """Values for the offer form, consistent by construction: total = the balance, instalment =
    the strategy's monthly amount, count = what it takes to pay the total (the last one smaller).
    The caller has checked the viewer may write the dossier."""
    values = {
        "offer_type": "",
        "amount": "",
        "instalments": "",
        "instalment_amount": "",
        "first_due_date": "",
        "valid_until": date_input(today + timedelta(days=VALIDITY_DAYS)),
    }
    approved = approved_debts(
        session, settings, negotiation_id, actor, "préparation d'une offre au créancier"
    )
    balance, line = approved.balance, approved.line
    if line is None:
        return OfferPrefill(values, balance, None)
    offer_type = OFFER_OF_STRATEGY[line.kind]
    values["offer_type"] = offer_type.value
    if offer_type in (OfferType.PAYMENT_PLAN, OfferType.REMISSION) and balance is not None:
        values["amount"] = amount_input(balance)
    monthly = line.monthly_amount
    if offer_type == OfferType.PAYMENT_PLAN and monthly and monthly > 0 and balance is not None:
        count = min(instalments_needed(balance, monthly), MAX_INSTALMENTS)
        # Beyond 120 months the strategy's amount cannot pay the balance: left to the case
        # worker rather than proposing figures that contradict each other.
        if plan_mismatch(balance, count, monthly) is None:
            values["instalments"] = str(count)
            values["instalment_amount"] = amount_input(monthly)
        values["first_due_date"] = date_input(today + timedelta(days=FIRST_DUE_DAYS))
    return OfferPrefill(values, balance, STRATEGY_LABELS_FR[line.kind])
