"""A data-subject request as it is recorded: which rights, whose data (a client's id, or the
email address the person wrote from), through which channel, and when it was received. The
same model serves the staff form and the API, so both refuse the same input with the same
words (keyed by field, translated by domain.intake)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.contact_fields import EMAIL_INPUT
from domain.input_fields import refuse
from domain.privacy.request import Channel, Right

NO_RIGHT = "Cochez au moins un droit."
WHOSE = "Indiquez le client concerné ou l'adresse e-mail de la personne, l'un ou l'autre."
FUTURE = "La date de réception ne peut pas être dans le futur."
ONE_WAY = "Indiquez le droit demandé (right) ou la liste des droits (rights), pas les deux."


def _exactly_one(first: str, first_type: str, second: str, second_type: str) -> dict[str, Any]:
    """JSON schema: `first` or `second` is given (and the other absent or null), not both."""
    return {
        "oneOf": [
            {
                "required": [first],
                "properties": {first: {"type": first_type}, second: {"type": "null"}},
            },
            {
                "required": [second],
                "properties": {second: {"type": second_type}, first: {"type": "null"}},
            },
        ]
    }


class PrivacyRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "allOf": [
                _exactly_one("right", "string", "rights", "array"),
                _exactly_one("client_id", "string", "email", "string"),
            ]
        },
    )

    # One right (`right`), or several in one request (`rights`), each with its own outcome.
    right: Right | None = None
    rights: list[Right] | None = Field(
        default=None, validate_default=True, json_schema_extra={"minItems": 1}
    )
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

    @field_validator("rights", mode="after")
    @classmethod
    def _some_rights(cls, value: list[Right] | None, info: ValidationInfo) -> list[Right] | None:
        if "right" not in info.data:
            return value  # `right` itself was refused: its message says why
        single = info.data["right"]
        if single is not None and value is not None:
            raise refuse(ONE_WAY)
        if single is None and not value:
            raise refuse(NO_RIGHT)
        return list(dict.fromkeys(value)) if value else value

    @property
    def asked(self) -> list[Right]:
        """The rights asked, whichever way they were given."""
        return self.rights or ([self.right] if self.right else [])

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


class RightsIn(BaseModel):
    """The rights a person asks for on one of the site's pages."""

    model_config = ConfigDict(extra="forbid")

    rights: list[Right]

    @field_validator("rights")
    @classmethod
    def _some(cls, value: list[Right]) -> list[Right]:
        if not value:
            raise refuse(NO_RIGHT)
        return list(dict.fromkeys(value))


class PublicRequestIn(RightsIn):
    """A request filed on the site by someone not signed in: the rights and the address the
    answer (and first, the confirmation link) goes to."""

    email: Annotated[str, EMAIL_INPUT]
