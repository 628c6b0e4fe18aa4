"""What the DPO's queue, the request page and the API show of a data-subject request."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.privacy.request import Channel, Outcome, RequestStatus, Right
from services.dossiers.views import OptionalUtcDatetime, UtcDatetime


class PrivacyRequestView(BaseModel):
    id: str
    reference: str
    rights: list[Right]
    channel: Channel
    client_id: str | None
    team: str
    # "identified" (own signed link, confirmed address) or "to_check" (an ID document is due).
    identity: str
    # The open request of the same person for one of the same rights, made before this one.
    linked_to_id: str | None
    received_at: UtcDatetime
    recorded_at: UtcDatetime
    status: RequestStatus
    # The last second of the due day in Paris (23:59:59 local time); while paused, the due
    # date as it would be if the clock started again today.
    due_at: UtcDatetime
    # Whole days from today (Paris) to the due day: 0 on the due day, negative once overdue.
    days_left: int
    overdue: bool
    # Where the clock stands, in French: "Échéance aujourd'hui", "En retard de 3 jours"...
    deadline_label: str
    paused_days: int
    extended_months: int
    outcomes: dict[Right, Outcome]
    answered_at: OptionalUtcDatetime


class PrivacyRequestPage(BaseModel):
    items: list[PrivacyRequestView]
    total: int
    page: int
    per_page: int
    pages: int


class PrivacyEventView(BaseModel):
    at: UtcDatetime
    kind: str
    # The event in French, with what it changed ("Droit d'accès : satisfait").
    summary: str
    actor: str
    # What the DPO wrote for the person (an extension's reason, a refusal's reasons).
    note: str | None


class PrivacyRequestDetail(PrivacyRequestView):
    # The address the person wrote from (None for a request recorded against a client).
    email: str | None
    events: list[PrivacyEventView]
    # A restriction of processing this request granted holds now (since when).
    restricted_since: OptionalUtcDatetime = None


def is_overdue(status: RequestStatus, due_at: datetime, now: datetime) -> bool:
    return status != RequestStatus.ANSWERED and now > due_at


def deadline_label(status: RequestStatus, days_left: int, overdue: bool) -> str:
    if status == RequestStatus.ANSWERED:
        return "Répondue"
    if status == RequestStatus.PAUSED:
        return "Délai suspendu"
    if overdue:
        late = max(1, -days_left)
        return f"En retard de {late} jour{'s' if late > 1 else ''}"
    if days_left == 0:
        return "Échéance aujourd'hui"
    if days_left == 1:
        return "Échéance demain"
    return f"Encore {days_left} jours"
