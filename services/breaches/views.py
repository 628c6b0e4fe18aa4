"""What the register, a breach's page and the API show of a breach."""

from __future__ import annotations

from pydantic import BaseModel

from domain.breach.rules import BreachStatus, Exemption, Nature, RiskLevel
from services.dossiers.views import OptionalUtcDatetime, UtcDatetime


class BreachView(BaseModel):
    id: str
    reference: str
    status: BreachStatus
    nature: Nature
    # When the company became aware, and the 72-hour deadline that follows (ISO 8601, UTC).
    aware_at: UtcDatetime
    notify_by: UtcDatetime
    declared_at: OptionalUtcDatetime
    # Hours to the deadline (negative once past) while the steps it is for remain; None after.
    hours_left: float | None
    overdue: bool
    # Where the clock stands, in French: "41 h restantes", "En retard de 5 h", "Notifiée à temps".
    deadline_label: str
    # Each step: true (done), false (to do), null (not required by the assessment).
    steps: dict[str, bool | None]
    people_count: int | None
    records_count: int | None
    data_categories: list[str]
    person_categories: list[str]
    risk: RiskLevel | None
    exemption: Exemption
    notifications: int
    first_notified_at: OptionalUtcDatetime
    informing: bool
    informed_at: OptionalUtcDatetime
    closed_at: OptionalUtcDatetime


class BreachEventView(BaseModel):
    at: UtcDatetime
    kind: str
    summary: str
    actor: str


class NotificationView(BaseModel):
    id: int
    number: int
    phase: str
    at: UtcDatetime
    late: bool


class ScopeView(BaseModel):
    id: int
    at: UtcDatetime
    source: str
    source_label: str
    parameters: dict[str, object]
    computed_people: int
    computed_records: int
    people_adjustment: int
    records_adjustment: int
    adjustment_reason: str | None


class BreachDetail(BreachView):
    description: str
    discovered_by: str | None
    discovery: str | None
    evidence: str | None
    rationale: str | None
    consequences: str | None
    exemption_reason: str | None
    what_happened: str | None
    what_we_did: str | None
    what_you_can_do: str | None
    measures: str | None
    dismissal: str | None
    # Affected persons by delivery of their information: pending, sent, no_email, refused.
    deliveries: dict[str, int]
    scopes: list[ScopeView]
    notifications_made: list[NotificationView]
    events: list[BreachEventView]
