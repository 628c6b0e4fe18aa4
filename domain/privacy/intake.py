"""A data-subject request as it is recorded: which rights, whose data (a client's id, or the
email address the person wrote from), through which channel, and when it was received. The
same model serves the staff form and the API, so both refuse the same input with the same
words (keyed by field, translated by domain.intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.contact_fields import EMAIL_INPUT
from domain.input_fields import refuse
from domain.privacy.request import Channel, Right

NO_RIGHT = "Cochez au moins un droit."
WHOSE = "Indiquez le client concerné ou l'adresse e-mail de la personne, l'un ou l'autre."
FUTURE = "La date de réception ne peut pas être dans le futur."


class PrivacyRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rights: list[Right] = Field(json_schema_extra={"minItems": 1})
    client_id: str | None = Field(default=None, max_length=32)
    email: Annotated[str | None, EMAIL_INPUT.optional()] = None
    channel: Channel
    # When the company received it, with its UTC offset: the clock starts then.
    received_at: AwareDatetime

    @field_validator("rights")
    @classmethod
    def _some_rights(cls, value: list[Right]) -> list[Right]:
        if not value:
            raise refuse(NO_RIGHT)
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _one_person(self) -> PrivacyRequestIn:
        if (self.client_id is None) == (self.email is None):
            raise refuse(WHOSE)
        return self


def receipt_refusal(received_at: datetime, now: datetime) -> str | None:
    """A receipt later than now is a typing mistake: the clock cannot start in the future."""
    return FUTURE if received_at > now else None
