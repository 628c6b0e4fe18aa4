"""Breaches for tests: declared and driven as the web app does (rows first, then the update),
and read back from the read model and the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from temporalio.client import Client, WorkflowHandle

from config.settings import Settings
from domain.breach.inputs import (
    AssessIn,
    BreachIn,
    CloseIn,
    InformIn,
    NotifyIn,
    ScopeIn,
    SuspicionIn,
)
from domain.breach.rules import Exemption, Nature, NotificationKind, RiskLevel
from domain.breach.scope_sources import ScopeSource
from domain.workflow_ids import breach_workflow_id
from gateway.start_intents import record_breach_start_intent, start_pending_intent
from models.breach import Breach, BreachAffected, BreachEvent
from models.database import session_scope
from services.breaches import records
from services.breaches.cnil_document import notification_document
from workflows.breach_messages import (
    ASSESSED_UPDATE,
    CLOSE_BREACH_UPDATE,
    INFORM_UPDATE,
    NOTIFIED_UPDATE,
    SCOPED_UPDATE,
    Assessed,
    CloseBreach,
    InformPeople,
    Notified,
    Scoped,
)

DPO = "staff:1"


def declare_breach(settings: Settings, aware_at: datetime, now: datetime) -> Breach:
    # Built without validation: on the time-skipping server, "now" may be ahead of the wall
    # clock that the model's not-in-the-future rule reads.
    data = BreachIn.model_construct(
        aware_at=aware_at,
        description="Un ordinateur portable non chiffré a été volé dans un train.",
        nature=Nature.CONFIDENTIALITY,
        discovered_by="Conseillère de l'équipe Paris",
        discovery="Vol signalé par la conseillère le matin même.",
    )
    with session_scope(settings) as session:
        row = records.declare(session, data, DPO, settings, now)
        record_breach_start_intent(session, row.id)
        return row


def raise_suspicion(settings: Settings, noticed_at: datetime, now: datetime) -> Breach:
    data = SuspicionIn.model_construct(
        description="Des relevés bancaires sont visibles sur un partage réseau public.",
        nature=Nature.CONFIDENTIALITY,
        noticed_at=noticed_at,
    )
    with session_scope(settings) as session:
        row = records.raise_suspicion(session, data, "staff:2", settings, now)
        record_breach_start_intent(session, row.id)
        return row


async def start_breach(client: Client, settings: Settings, row: Breach) -> WorkflowHandle[Any, Any]:
    workflow_id = breach_workflow_id(row.id)
    assert await start_pending_intent(client, workflow_id, settings)
    return client.get_workflow_handle(workflow_id)


def breach_row(settings: Settings, breach_id: str) -> Breach:
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        return row


def event_kinds(settings: Settings, breach_id: str) -> list[str]:
    return [e.kind for e in breach_events(settings, breach_id)]


def breach_events(settings: Settings, breach_id: str) -> list[BreachEvent]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(BreachEvent)
                .where(BreachEvent.breach_id == breach_id)
                .order_by(col(BreachEvent.id))
            ).all()
        )


def deliveries(settings: Settings, breach_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    with session_scope(settings) as session:
        for affected in session.exec(
            select(BreachAffected).where(BreachAffected.breach_id == breach_id)
        ).all():
            counts[affected.delivery] = counts.get(affected.delivery, 0) + 1
    return counts


async def scope_clients(
    settings: Settings, handle: WorkflowHandle[Any, Any], breach_id: str, now: datetime
) -> int:
    """Scope the breach to every client (the client table exposed)."""
    data = ScopeIn(source=ScopeSource.TABLES, tables=["client"])
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        scope = records.record_scope(session, row, data, DPO, settings, now)
        assert scope.id is not None
        people = row.people_count or 0
        scope_id = scope.id
    await handle.execute_update(SCOPED_UPDATE, Scoped(scope_id, people, DPO))
    return people


async def assess(
    settings: Settings,
    handle: WorkflowHandle[Any, Any],
    breach_id: str,
    risk: RiskLevel,
    now: datetime,
    exemption: Exemption = Exemption.NONE,
) -> None:
    data = AssessIn(
        risk=risk,
        rationale="Adresses et situations financières lisibles par un tiers.",
        consequences="Hameçonnage ciblé, atteinte à la réputation.",
        exemption=exemption,
        exemption_reason="Disque chiffré, clé non compromise." if exemption != "none" else None,
    )
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        records.record_assessment(session, row, data, DPO, settings, now)
    await handle.execute_update(ASSESSED_UPDATE, Assessed(risk.value, exemption.value, DPO))


async def notify_cnil(
    settings: Settings,
    handle: WorkflowHandle[Any, Any],
    breach_id: str,
    now: datetime,
    delay_reasons: str | None = None,
    phase: NotificationKind = NotificationKind.INITIAL,
) -> int:
    data = NotifyIn(phase=phase, measures="Mots de passe changés.", delay_reasons=delay_reasons)
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        document = notification_document(session, row, data, settings, now)
        notification = records.record_notification(session, row, data, DPO, settings, now, document)
        assert notification.id is not None
        notification_id = notification.id
    message = Notified(notification_id, phase.value, delay_reasons is not None, DPO)
    number: int = await handle.execute_update(NOTIFIED_UPDATE, message)
    return number


async def inform(settings: Settings, handle: WorkflowHandle[Any, Any], breach_id: str) -> int:
    data = InformIn(
        what_happened="Un ordinateur contenant votre dossier a été volé le 3 décembre.",
        what_we_did="Nous avons porté plainte et changé tous les accès.",
        what_you_can_do="Méfiez-vous des messages qui vous demandent vos coordonnées bancaires.",
    )
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        records.record_information(session, row, data, DPO, settings)
    people: int = await handle.execute_update(INFORM_UPDATE, InformPeople(DPO))
    return people


async def close(settings: Settings, handle: WorkflowHandle[Any, Any], breach_id: str) -> str:
    with session_scope(settings) as session:
        row = session.get(Breach, breach_id)
        assert row is not None
        records.record_closure(
            session, row, CloseIn(measures="Chiffrement de tous les postes."), DPO, settings
        )
    status: str = await handle.execute_update(CLOSE_BREACH_UPDATE, CloseBreach(DPO))
    return status
