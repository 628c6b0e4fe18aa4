"""What the DPO types to drive a request: the same models serve the request page's forms and
the API, so both refuse the same input with the same words (translated by domain.intake)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from domain.input_fields import optional_text, required_text
from domain.privacy.deadline import MAX_EXTENSION_MONTHS
from domain.privacy.request import Outcome, PauseReason, Right

REASON_MAX = 4000


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What the company waits for from the person: only that pauses the clock.
    waiting_for: PauseReason


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    months: int = Field(ge=1, le=MAX_EXTENSION_MONTHS)
    # Sent to the person as written.
    reason: Annotated[str, required_text("Motif de la prolongation", REASON_MAX, multiline=True)]


class DecideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    right: Right
    decision: Outcome
    # Required for a refusal, whole or partial: sent to the person as written.
    reasons: Annotated[str | None, optional_text("Motifs", REASON_MAX, multiline=True)] = None
