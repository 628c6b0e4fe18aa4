"""Personal-data breaches (GDPR Art. 33–34): the breach as declared, the read model its workflow
keeps current, its scopes, the affected persons and the delivery of their information email,
the notifications to the CNIL and the timeline. Every breach stays here — notified or not — as
the register of Art. 33(5).

Each breach has its own data key (like a client): what the DPO writes about the incident may
name people, so every free text is encrypted under it; the workflow holds the 72-hour clock and
the order of the steps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import SQLModel

from domain.clock import utcnow
from models.categories import Category, field


class Breach(SQLModel, table=True):
    __tablename__ = "breach"

    id: str = field(Category.OPERATIONAL, primary_key=True, max_length=32)
    # Shown to staff and in the register ("VD-2026-00003"): says nothing about anyone.
    reference: str = field(Category.OPERATIONAL, unique=True, max_length=20)
    nature: str = field(Category.OPERATIONAL, max_length=20)
    wrapped_key: str | None = field(Category.AUDIT, default=None, max_length=200)
    # Raised as a suspicion by any staff member (then confirmed by the DPO), or declared.
    raised_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    raised_by: str = field(Category.OPERATIONAL, max_length=60)
    # When the company became aware (the 72 hours run from it): a suspicion's is provisional.
    aware_at: datetime = field(Category.OPERATIONAL, index=True)
    notify_by: datetime = field(Category.OPERATIONAL, index=True)
    declared_at: datetime | None = field(Category.OPERATIONAL, default=None)
    declared_by: str | None = field(Category.OPERATIONAL, default=None, max_length=60)
    description_enc: str | None = field(Category.AUDIT, default=None)
    discovered_by_enc: str | None = field(Category.AUDIT, default=None)
    discovery_enc: str | None = field(Category.AUDIT, default=None)
    evidence_enc: str | None = field(Category.AUDIT, default=None)
    # ----- the current scope (the latest BreachScope, adjustments included) -------------------
    scope_id: int | None = field(Category.OPERATIONAL, default=None)
    people_count: int | None = field(Category.OPERATIONAL, default=None)
    records_count: int | None = field(Category.OPERATIONAL, default=None)
    # Comma-separated Category values, and kinds of persons ("clients", "requesters").
    data_categories: str = field(Category.OPERATIONAL, default="", max_length=300)
    person_categories: str = field(Category.OPERATIONAL, default="", max_length=100)
    # ----- the assessment ----------------------------------------------------------------------
    risk: str | None = field(Category.OPERATIONAL, default=None, max_length=10)
    exemption: str = field(Category.OPERATIONAL, default="none", max_length=20)
    assessed_at: datetime | None = field(Category.OPERATIONAL, default=None)
    rationale_enc: str | None = field(Category.AUDIT, default=None)
    consequences_enc: str | None = field(Category.AUDIT, default=None)
    exemption_reason_enc: str | None = field(Category.AUDIT, default=None)
    # ----- the information of the people ------------------------------------------------------
    what_happened_enc: str | None = field(Category.AUDIT, default=None)
    what_we_did_enc: str | None = field(Category.AUDIT, default=None)
    what_you_can_do_enc: str | None = field(Category.AUDIT, default=None)
    # ----- closure or dismissal ---------------------------------------------------------------
    closed_at: datetime | None = field(Category.OPERATIONAL, default=None)
    measures_enc: str | None = field(Category.AUDIT, default=None)
    dismissal_enc: str | None = field(Category.AUDIT, default=None)
    # ----- kept current by the workflow --------------------------------------------------------
    status: str = field(Category.OPERATIONAL, default="open", max_length=20, index=True)
    notifications: int = field(Category.OPERATIONAL, default=0)
    first_notified_at: datetime | None = field(Category.OPERATIONAL, default=None)
    informing: bool = field(Category.OPERATIONAL, default=False)
    informed_at: datetime | None = field(Category.OPERATIONAL, default=None)
    # JSON list of the alert keys sent ("alert-24h"..., "overdue").
    alerts: str = field(Category.OPERATIONAL, default="[]", max_length=200)
    synced_at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)


class BreachScope(SQLModel, table=True):
    """One computation of the scope, kept: the latest is the breach's current scope."""

    __tablename__ = "breach_scope"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    breach_id: str = field(Category.OPERATIONAL, foreign_key="breach.id", index=True)
    at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    by: str = field(Category.OPERATIONAL, max_length=60)
    # A ScopeSource value, and its parameters as codes (a staff id, a window, table names).
    source: str = field(Category.OPERATIONAL, max_length=20)
    parameters: str = field(Category.OPERATIONAL, default="{}", max_length=2000)
    computed_people: int = field(Category.OPERATIONAL)
    computed_records: int = field(Category.OPERATIONAL)
    people_adjustment: int = field(Category.OPERATIONAL, default=0)
    records_adjustment: int = field(Category.OPERATIONAL, default=0)
    adjustment_reason_enc: str | None = field(Category.AUDIT, default=None)
    data_categories: str = field(Category.OPERATIONAL, default="", max_length=300)
    person_categories: str = field(Category.OPERATIONAL, default="", max_length=100)


class BreachAffected(SQLModel, table=True):
    """A person affected by a breach (a client, or someone who made a data-subject request
    without being one) and the delivery of their information."""

    __tablename__ = "breach_affected"
    __table_args__ = (UniqueConstraint("breach_id", "person_key"),)

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    breach_id: str = field(Category.OPERATIONAL, foreign_key="breach.id", index=True)
    scope_id: int = field(Category.OPERATIONAL, foreign_key="breach_scope.id", index=True)
    # "client:<id>" or "request:<id>": one row per person per breach.
    person_key: str = field(Category.OPERATIONAL, max_length=50)
    client_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="client.id", index=True
    )
    request_id: str | None = field(
        Category.OPERATIONAL, default=None, foreign_key="privacy_request.id"
    )
    records: int = field(Category.OPERATIONAL, default=0)
    data_categories: str = field(Category.OPERATIONAL, default="", max_length=300)
    # "pending", "sent", "no_email" (to reach by letter or phone), "refused" (by the relay).
    delivery: str = field(Category.OPERATIONAL, default="pending", max_length=20, index=True)
    delivered_at: datetime | None = field(Category.OPERATIONAL, default=None)


class BreachNotification(SQLModel, table=True):
    """A notification to the CNIL as it was made: the document generated from the case at that
    moment, kept as sent."""

    __tablename__ = "breach_notification"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    breach_id: str = field(Category.OPERATIONAL, foreign_key="breach.id", index=True)
    # A NotificationKind value; its number among the breach's notifications (1 = initial).
    phase: str = field(Category.OPERATIONAL, max_length=20)
    number: int = field(Category.OPERATIONAL)
    at: datetime = field(Category.OPERATIONAL, default_factory=utcnow)
    by: str = field(Category.OPERATIONAL, max_length=60)
    late: bool = field(Category.OPERATIONAL, default=False)
    # Set once the workflow accepted it; a notification it refused is never shown.
    accepted: bool = field(Category.OPERATIONAL, default=False)
    measures_enc: str | None = field(Category.AUDIT, default=None)
    delay_reasons_enc: str | None = field(Category.AUDIT, default=None)
    new_facts_enc: str | None = field(Category.AUDIT, default=None)
    document_enc: str | None = field(Category.AUDIT, default=None)


class BreachEvent(SQLModel, table=True):
    """The breach's timeline, written once per event (the key makes a retried activity find it)."""

    __tablename__ = "breach_event"

    id: int | None = field(Category.OPERATIONAL, default=None, primary_key=True)
    breach_id: str = field(Category.OPERATIONAL, foreign_key="breach.id", index=True)
    key: str = field(Category.OPERATIONAL, unique=True, max_length=200)
    at: datetime = field(Category.OPERATIONAL)
    kind: str = field(Category.OPERATIONAL, max_length=30)
    actor: str = field(Category.OPERATIONAL, max_length=60)
    # Codes and counts only: never free text.
    detail: str = field(Category.OPERATIONAL, default="{}", max_length=400)
