"""The negotiation actions of the dossier page, one router for the app to include."""

from __future__ import annotations

from fastapi import APIRouter

from cravelynos.web.pages import (
    negotiation_consent_actions,
    negotiation_creditor_actions,
    negotiation_offer_actions,
    negotiation_outcome_actions,
)

router = APIRouter(include_in_schema=False)
for module in (
    negotiation_consent_actions,
    negotiation_creditor_actions,
    negotiation_offer_actions,
    negotiation_outcome_actions,
):
    router.include_router(module.router)
