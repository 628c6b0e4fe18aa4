"""A data-subject request as it is recorded: which rights, whose data (a client's id, or the
email address the person wrote from), through which channel, and when it was received. The
same model serves the staff form and the API, so both refuse the same input with the same
words (keyed by field, translated by domain.intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.contact_fields import EMAIL_INPUT
from domain.input_fields import refuse
from domain.privacy.request import Channel, Right

NO_RIGHT = "Cochez au moins un droit."
WHOSE = "Indiquez le client concerné ou l'adresse e-mail de la personne, l'un ou l'autre."
FUTURE = "La date de réception ne peut pas être dans le futur."


class PrivacyRequestIn(BaseModel):
    # Exactly one of client_id and email names the person.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["client_id"],
                    "properties": {"client_id": {"type": "string"}, "email": {"type": "null"}},
                },
                {
                    "required": ["email"],
                    "properties": {"email": {"type": "string"}, "client_id": {"type": "null"}},
                },
            ]
        },
    )

    rights: list[Right] = Field(json_schema_extra={"minItems": 1})
    client_id: str | None = Field(default=None, max_length=32)
    # Checked even when left out: the "one or the other" message is about this field.
    email: Annotated[str | None, EMAIL_INPUT.optional(), Field(validate_default=True)] = None
    channel: Channel
    # When the company received it, with its UTC offset: the clock starts then.
    received_at: AwareDatetime = Field(
        description=(
            "Réception par l'entreprise, avec son décalage UTC (ISO 8601), jamais dans le futur"
        ),
        json_schema_extra={"format": "received-at"},
    )

    @field_validator("rights")
    @classmethod
    def _some_rights(cls, value: list[Right]) -> list[Right]:
        if not value:
            raise refuse(NO_RIGHT)
        return list(dict.fromkeys(value))

    @field_validator("email", mode="after")
    @classmethod
    def _one_person(cls, value: str | None, info: ValidationInfo) -> str | None:
        # client_id is declared before email, so it is already in info.data (when valid).
        if "client_id" in info.data and (info.data["client_id"] is None) == (value is None):
            raise refuse(WHOSE)
        return value


def receipt_refusal(received_at: datetime, now: datetime) -> str | None:
    """A receipt later than now is a typing mistake: the clock cannot start in the future."""
    return FUTURE if received_at > now else None
