"""The negotiation actions of the dossier page, one router for the app to include."""

from __future__ import annotations

from fastapi import APIRouter

from web.staff.negotiations import consent_actions as negotiation_consent_actions
from web.staff.negotiations import creditor_actions as negotiation_creditor_actions
from web.staff.negotiations import offer_actions as negotiation_offer_actions
from web.staff.negotiations import outcome_actions as negotiation_outcome_actions

router = APIRouter(include_in_schema=False)
for module in (
    negotiation_consent_actions,
    negotiation_creditor_actions,
    negotiation_offer_actions,
    negotiation_outcome_actions,
):
    router.include_router(module.router)
