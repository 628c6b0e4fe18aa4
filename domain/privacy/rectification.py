"""Rectification (GDPR Art. 16): which of the client's details the DPO corrects, each checked
with the rule it was typed under at intake, and which category of what creditors received it
belongs to (those creditors are told, Art. 19)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

from domain.contact_fields import EMAIL_INPUT, PHONE_INPUT
from domain.input_fields import name_text, refuse, required_text
from domain.labelled_enum import LabelledEnum
from domain.negotiation.sharing import ShareCategory


class RectifiableField(LabelledEnum):
    FIRST_NAME = "first_name", "Prénom"
    LAST_NAME = "last_name", "Nom de famille"
    EMAIL = "email", "Adresse e-mail"
    PHONE = "phone", "Téléphone"
    ADDRESS = "address", "Adresse postale"

    @property
    def category(self) -> ShareCategory:
        """What a creditor that received this detail received it as."""
        if self in (RectifiableField.FIRST_NAME, RectifiableField.LAST_NAME):
            return ShareCategory.IDENTITY
        return ShareCategory.CONTACT


class ClearDetail(LabelledEnum):
    """A client's detail kept in clear (never shared with a creditor), corrected by their case
    worker through the same rectification path as the encrypted ones."""

    DEPARTEMENT = "departement", "Département"
    PREFERRED_CHANNEL = "preferred_channel", "Contact préféré"


class _FirstName(BaseModel):
    value: Annotated[str, name_text("Prénom", 100)]


class _LastName(BaseModel):
    value: Annotated[str, name_text("Nom de famille", 100)]


class _Email(BaseModel):
    value: Annotated[str, EMAIL_INPUT]


class _Phone(BaseModel):
    value: Annotated[str, PHONE_INPUT]


class _Address(BaseModel):
    value: Annotated[str, required_text("Adresse postale", 300, multiline=True)]


_RULES: dict[RectifiableField, type[BaseModel]] = {
    RectifiableField.FIRST_NAME: _FirstName,
    RectifiableField.LAST_NAME: _LastName,
    RectifiableField.EMAIL: _Email,
    RectifiableField.PHONE: _Phone,
    RectifiableField.ADDRESS: _Address,
}


class RectificationIn(BaseModel):
    """The detail corrected, its new value (stored as its rule normalises it) and why
    (`justification`: the person's letter, the proof they sent)."""

    # The schema states each field's rule, as the check below applies it.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "field": {"const": field.value},
                        "new_value": {"type": "string", "format": fmt},
                    }
                }
                for field, fmt in (
                    (RectifiableField.FIRST_NAME, "name"),
                    (RectifiableField.LAST_NAME, "name"),
                    (RectifiableField.EMAIL, "email-address"),
                    (RectifiableField.PHONE, "french-phone"),
                    (RectifiableField.ADDRESS, "multiline-text"),
                )
            ]
        },
    )

    field: RectifiableField
    new_value: str
    justification: Annotated[str, required_text("Motif de la rectification", 1000, multiline=True)]

    @field_validator("new_value", mode="after")
    @classmethod
    def _checked_by_its_rule(cls, value: str, info: ValidationInfo) -> str:
        """The rule of the field being corrected, as at intake (declared before this one)."""
        field = info.data.get("field")
        if field is None:
            return value
        try:
            checked = _RULES[field].model_validate({"value": value})
        except ValidationError as exc:
            raise refuse(str(exc.errors()[0]["msg"])) from None
        return str(checked.model_dump()["value"])
