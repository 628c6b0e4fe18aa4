"""The offer form filled in from what the client approved: the strategy line retained for the
debts of this creditor, and the balance of those debts (the hint for "share of the balance").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from cravelynos.domain.budget import STRATEGY_LABELS_FR, StrategyKind
from cravelynos.domain.negotiation.states import OfferType
from cravelynos.models.budget_store import load_submission
from cravelynos.models.budget_views import amount_input
from cravelynos.models.db import session_scope
from cravelynos.models.negotiation import Negotiation
from cravelynos.settings import Settings
from cravelynos.web.pages.budget_form import date_input

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


def offer_prefill(settings: Settings, negotiation_id: str, actor: str, today: date) -> OfferPrefill:
    """Values for the offer form. The caller has checked the viewer may write the dossier."""
    values = {
        "offer_type": "",
        "amount": "",
        "balance_share": "",
        "instalments": "",
        "instalment_amount": "",
        "first_due_date": "",
        "valid_until": date_input(today + timedelta(days=VALIDITY_DAYS)),
    }
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        assert negotiation is not None
        submission = load_submission(
            session,
            negotiation.dossier_id,
            actor=actor,
            reason="préparation d'une offre au créancier",
            settings=settings,
        )
        indexes = set(json.loads(negotiation.debt_indexes))
    if submission is None or submission.approved_at is None or not indexes:
        return OfferPrefill(values, None, None)
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
    if line is None:
        return OfferPrefill(values, balance, None)
    offer_type = OFFER_OF_STRATEGY[line.kind]
    values["offer_type"] = offer_type.value
    if offer_type in (OfferType.PAYMENT_PLAN, OfferType.REMISSION) and balance > 0:
        values["amount"] = amount_input(balance)
        values["balance_share"] = "100"
    monthly = line.monthly_amount
    if offer_type == OfferType.PAYMENT_PLAN and monthly and monthly > 0 and balance > 0:
        count = int((balance / monthly).to_integral_value(rounding=ROUND_CEILING))
        values["instalments"] = str(min(max(count, 1), 120))
        values["instalment_amount"] = amount_input(monthly)
        values["first_due_date"] = date_input(today + timedelta(days=FIRST_DUE_DAYS))
    return OfferPrefill(values, balance, STRATEGY_LABELS_FR[line.kind])
