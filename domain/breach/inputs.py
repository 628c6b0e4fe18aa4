"""What the DPO types at each step of a breach: the same models serve the pages' forms and the
API, so both refuse the same input with the same words (translated by domain.intake).

Free texts are the DPO's own words about the incident; they are stored encrypted under the
breach's data key and never cross to Temporal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from domain.breach.rules import (
    EXEMPTION_ONLY_HIGH,
    EXEMPTION_REASON_NEEDED,
    FUTURE,
    RATIONALE_NEEDED,
    Exemption,
    Nature,
    NotificationKind,
    RiskLevel,
)
from domain.breach.scope_sources import ScopeSource
from domain.clock import utcnow
from domain.errors import InvalidInput
from domain.input_fields import MAX_ROW_ID, incident_text, optional_text, refuse

TEXT_MAX = 4000
SHORT_MAX = 200
# A manual adjustment moves a count by at most this much either way.
ADJUSTMENT_MAX = 10_000_000
WINDOW_ORDER = "La fin de la période doit suivre son début."
ADJUSTMENT_REASON_NEEDED = "Expliquez l'ajustement des nombres."
AWARE_AT = Field(
    description=(
        "Prise de connaissance par l'entreprise, avec son décalage UTC (ISO 8601), jamais dans "
        "le futur"
    ),
    json_schema_extra={"format": "received-at"},
)


def not_in_the_future(moment: datetime) -> datetime:
    """A moment later than now is a typing mistake: the clock cannot start in the future."""
    if moment > utcnow():
        raise refuse(FUTURE)
    return moment


PastMoment = Annotated[AwareDatetime, AfterValidator(not_in_the_future)]


class BreachIn(BaseModel):
    """A breach declared by the DPO or an admin: the 72 hours run from `aware_at`."""

    model_config = ConfigDict(extra="forbid")

    aware_at: PastMoment = AWARE_AT
    description: Annotated[str, incident_text("Description", TEXT_MAX)]
    nature: Nature
    # Who discovered it and how; what shows the moment of awareness (a ticket, an email...).
    discovered_by: Annotated[str | None, optional_text("Découverte par", SHORT_MAX)] = None
    discovery: Annotated[
        str | None, incident_text("Circonstances de la découverte", TEXT_MAX, required=False)
    ] = None
    evidence: Annotated[
        str | None,
        incident_text("Preuve du moment de la prise de connaissance", TEXT_MAX, required=False),
    ] = None


class SuspicionIn(BaseModel):
    """What any staff member raises for the DPO to confirm or dismiss."""

    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, incident_text("Ce que vous avez constaté", TEXT_MAX)]
    nature: Nature
    noticed_at: PastMoment = Field(
        description="Quand vous l'avez constaté (ISO 8601 avec décalage), jamais dans le futur",
        json_schema_extra={"format": "received-at"},
    )


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aware_at: PastMoment = AWARE_AT
    evidence: Annotated[
        str | None,
        incident_text("Preuve du moment de la prise de connaissance", TEXT_MAX, required=False),
    ] = None


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, incident_text("Pourquoi ce n'est pas une violation", TEXT_MAX)]


class ScopeIn(BaseModel):
    """Where the scope comes from; the counts are computed from the data, then adjusted by hand
    with a reason when the DPO knows better."""

    model_config = ConfigDict(extra="forbid")

    source: ScopeSource
    # A compromised staff account and the window it was misused in.
    staff_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    # Tables exposed (their data categories follow).
    tables: list[str] | None = Field(default=None, max_length=50)
    people_adjustment: int = Field(default=0, ge=-ADJUSTMENT_MAX, le=ADJUSTMENT_MAX)
    records_adjustment: int = Field(default=0, ge=-ADJUSTMENT_MAX, le=ADJUSTMENT_MAX)
    adjustment_reason: Annotated[
        str | None, incident_text("Motif de l'ajustement", TEXT_MAX, required=False)
    ] = None

    def check(self) -> None:
        """The rules across fields, each error on its field (InvalidInput)."""
        errors: dict[str, str] = {}
        if self.source == ScopeSource.ACCOUNT:
            for name in ("staff_id", "window_start", "window_end"):
                if getattr(self, name) is None:
                    errors[name] = "Ce champ est obligatoire pour un compte compromis."
            if self.window_start and self.window_end and self.window_end <= self.window_start:
                errors["window_end"] = WINDOW_ORDER
        if self.source == ScopeSource.TABLES and not self.tables:
            errors["tables"] = "Choisissez au moins une table exposée."
        if (self.people_adjustment or self.records_adjustment) and not self.adjustment_reason:
            errors["adjustment_reason"] = ADJUSTMENT_REASON_NEEDED
        if errors:
            raise InvalidInput(errors)


class AssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    risk: RiskLevel
    rationale: Annotated[
        str,
        incident_text("Justification du niveau de risque", TEXT_MAX, missing=RATIONALE_NEEDED),
    ]
    consequences: Annotated[str, incident_text("Conséquences probables", TEXT_MAX)]
    exemption: Exemption = Exemption.NONE
    exemption_reason: Annotated[
        str | None, incident_text("Motif de l'exception", TEXT_MAX, required=False)
    ] = None

    def check(self) -> None:
        """The rules across fields, each error on its field (InvalidInput)."""
        if self.exemption != Exemption.NONE and self.risk != RiskLevel.HIGH:
            raise InvalidInput({"exemption": EXEMPTION_ONLY_HIGH})
        if self.exemption != Exemption.NONE and not self.exemption_reason:
            raise InvalidInput({"exemption_reason": EXEMPTION_REASON_NEEDED})


class NotifyIn(BaseModel):
    """A notification to the CNIL: the document is generated from the case as it stands."""

    model_config = ConfigDict(extra="forbid")

    phase: NotificationKind = NotificationKind.INITIAL
    measures: Annotated[str, incident_text("Mesures prises ou envisagées", TEXT_MAX)]
    # Required once the 72 hours are past (Art. 33(1)).
    delay_reasons: Annotated[
        str | None, incident_text("Motifs du retard", TEXT_MAX, required=False)
    ] = None
    # What is new since the last notification (a complementary one).
    new_facts: Annotated[
        str | None, incident_text("Éléments nouveaux", TEXT_MAX, required=False)
    ] = None


class InformIn(BaseModel):
    """The message every affected person receives, in plain French."""

    model_config = ConfigDict(extra="forbid")

    what_happened: Annotated[str, incident_text("Ce qui s'est passé", TEXT_MAX)]
    what_we_did: Annotated[str, incident_text("Ce que nous avons fait", TEXT_MAX)]
    what_you_can_do: Annotated[str, incident_text("Ce que vous pouvez faire", TEXT_MAX)]


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measures: Annotated[str, incident_text("Mesures correctives", TEXT_MAX)]
