"""What a case worker types in the simpler negotiation card forms, checked with French messages
(the offer and reply forms have their own parsers: domain/negotiation/offer_terms.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from domain.input_fields import choice, required_text
from domain.negotiation.states import EndOutcome, EscalationRoute

CHOOSE_ROUTE = "Choisissez le recours."
CHOOSE_OUTCOME = "Choisissez comment la négociation se termine."
REASON_REQUIRED = "Indiquez pourquoi la négociation s'arrête."
MAX_REASON = 1000


class EscalationIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    route: Annotated[EscalationRoute, BeforeValidator(choice(EscalationRoute, CHOOSE_ROUTE))]


class EndingIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    outcome: Annotated[EndOutcome, BeforeValidator(choice(EndOutcome, CHOOSE_OUTCOME))]
    reason: Annotated[
        str,
        BeforeValidator(
            required_text("Motif", MAX_REASON, multiline=True, missing=REASON_REQUIRED)
        ),
    ]
