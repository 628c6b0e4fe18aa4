"""What the DPO records at each step of a breach, written before its workflow is asked to act
(workflows carry ids, never free text). Every text is encrypted under the breach's own key.

The web app checks the step against the read model before writing (domain/breach/rules.py);
the workflow's validator has the last word, and what it refuses is never shown (a scope or a
notification is current only once the workflow recorded it).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.breach.deadline import notify_by
from domain.breach.inputs import (
    AssessIn,
    BreachIn,
    CloseIn,
    ConfirmIn,
    DismissIn,
    InformIn,
    NotifyIn,
    ScopeIn,
    SuspicionIn,
)
from domain.breach.rules import BreachStatus, NotificationKind
from domain.breach.scope_sources import ScopeSource
from domain.clock import as_utc
from domain.french_dates import PARIS
from models.breach import Breach, BreachAffected, BreachNotification, BreachScope
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.breaches import scope as scopes

TABLE = "breach"
REFERENCE_PREFIX = "VD"
INSERT_BATCH = 1000


def cipher_of(breach: Breach, settings: Settings) -> ClientCipher:
    return ClientCipher.for_client(breach, settings)


def _new(
    session: Session,
    settings: Settings,
    actor: str,
    now: datetime,
    aware_at: datetime,
    nature: str,
    status: BreachStatus,
) -> tuple[Breach, ClientCipher]:
    breach_id = secrets.token_hex(16)
    wrapped, cipher = ClientCipher.new_client(breach_id, settings)
    row = Breach(
        id=breach_id,
        reference=_next_reference(session, now),
        nature=nature,
        wrapped_key=wrapped,
        raised_at=now,
        raised_by=actor,
        aware_at=aware_at,
        notify_by=notify_by(aware_at),
        status=status.value,
    )
    return row, cipher


def declare(
    session: Session, data: BreachIn, actor: str, settings: Settings, now: datetime
) -> Breach:
    row, cipher = _new(
        session, settings, actor, now, data.aware_at, data.nature.value, BreachStatus.OPEN
    )
    row.declared_at = now
    row.declared_by = actor
    row.description_enc = cipher.encrypt(TABLE, "description", row.id, data.description)
    row.discovered_by_enc = cipher.encrypt(TABLE, "discovered_by", row.id, data.discovered_by)
    row.discovery_enc = cipher.encrypt(TABLE, "discovery", row.id, data.discovery)
    row.evidence_enc = cipher.encrypt(TABLE, "evidence", row.id, data.evidence)
    session.add(row)
    append_audit(session, actor, "breach.declare", "breach", row.id)
    return row


def raise_suspicion(
    session: Session, data: SuspicionIn, actor: str, settings: Settings, now: datetime
) -> Breach:
    """The noticed moment stands as the provisional awareness until the DPO confirms."""
    row, cipher = _new(
        session, settings, actor, now, data.noticed_at, data.nature.value, BreachStatus.SUSPECTED
    )
    row.description_enc = cipher.encrypt(TABLE, "description", row.id, data.description)
    session.add(row)
    append_audit(session, actor, "breach.suspicion", "breach", row.id)
    return row


def confirm(
    session: Session, row: Breach, data: ConfirmIn, actor: str, settings: Settings, now: datetime
) -> None:
    cipher = cipher_of(row, settings)
    if data.evidence:
        row.evidence_enc = cipher.encrypt(TABLE, "evidence", row.id, data.evidence)
    row.declared_at = now
    row.declared_by = actor
    session.add(row)
    append_audit(session, actor, "breach.confirm", "breach", row.id)


def dismiss(session: Session, row: Breach, data: DismissIn, actor: str, settings: Settings) -> None:
    row.dismissal_enc = cipher_of(row, settings).encrypt(TABLE, "dismissal", row.id, data.reason)
    session.add(row)
    append_audit(session, actor, "breach.dismiss", "breach", row.id)


def record_scope(
    session: Session, row: Breach, data: ScopeIn, actor: str, settings: Settings, now: datetime
) -> BreachScope:
    """Compute the scope, keep it, and make it the breach's current one (its affected persons
    replace the previous scope's)."""
    window = (data.window_start, data.window_end) if data.window_start and data.window_end else None
    result = scopes.compute(
        session, data.source, staff_id=data.staff_id, window=window, tables=data.tables or ()
    )
    parameters: dict[str, object] = {}
    if data.source == ScopeSource.ACCOUNT and window:
        parameters = {
            "staff_id": data.staff_id,
            "from": window[0].isoformat(),
            "to": window[1].isoformat(),
        }
    elif data.source == ScopeSource.TABLES:
        parameters = {"tables": sorted(set(data.tables or []))}
    scope = BreachScope(
        breach_id=row.id,
        at=now,
        by=actor,
        source=data.source.value,
        parameters=json.dumps(parameters),
        computed_people=result.people,
        computed_records=result.records,
        people_adjustment=data.people_adjustment,
        records_adjustment=data.records_adjustment,
        data_categories=",".join(sorted(result.data_categories)),
        person_categories=",".join(result.person_categories),
    )
    session.add(scope)
    session.flush()
    assert scope.id is not None
    scope.adjustment_reason_enc = cipher_of(row, settings).encrypt(
        "breach_scope", "adjustment_reason", scope.id, data.adjustment_reason
    )
    session.execute(delete(BreachAffected).where(col(BreachAffected.breach_id) == row.id))
    _insert_affected(session, row.id, scope.id, result)
    row.scope_id = scope.id
    row.people_count = max(0, result.people + data.people_adjustment)
    row.records_count = max(0, result.records + data.records_adjustment)
    row.data_categories = scope.data_categories
    row.person_categories = scope.person_categories
    session.add(row)
    append_audit(
        session,
        actor,
        "breach.scope",
        "breach",
        row.id,
        detail={"source": data.source.value, "people": result.people},
    )
    return scope


def _insert_affected(
    session: Session, breach_id: str, scope_id: int, result: scopes.ScopeResult
) -> None:
    rows = []
    for person, records in sorted(result.records_by_person.items()):
        categories = ",".join(sorted(result.categories_by_person.get(person, set())))
        kind, person_id = person.split(":", 1)
        rows.append(
            {
                "breach_id": breach_id,
                "scope_id": scope_id,
                "person_key": person,
                "client_id": person_id if kind == "client" else None,
                "request_id": person_id if kind == "request" else None,
                "records": records,
                "data_categories": categories,
                "delivery": "pending",
            }
        )
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(BreachAffected.__table__.insert(), rows[start : start + INSERT_BATCH])  # type: ignore[attr-defined]


def record_assessment(
    session: Session, row: Breach, data: AssessIn, actor: str, settings: Settings, now: datetime
) -> None:
    cipher = cipher_of(row, settings)
    row.risk = data.risk.value
    row.exemption = data.exemption.value
    row.assessed_at = now
    row.rationale_enc = cipher.encrypt(TABLE, "rationale", row.id, data.rationale)
    row.consequences_enc = cipher.encrypt(TABLE, "consequences", row.id, data.consequences)
    row.exemption_reason_enc = cipher.encrypt(
        TABLE, "exemption_reason", row.id, data.exemption_reason
    )
    session.add(row)
    append_audit(session, actor, "breach.assess", "breach", row.id, detail={"risk": row.risk})


def record_notification(
    session: Session,
    row: Breach,
    data: NotifyIn,
    actor: str,
    settings: Settings,
    now: datetime,
    document: str,
) -> BreachNotification:
    """The notification as made (not yet accepted: the workflow says so)."""
    number = (
        session.exec(
            select(func.count())
            .where(BreachNotification.breach_id == row.id)
            .where(col(BreachNotification.accepted))
        ).one()
        + 1
    )
    notification = BreachNotification(
        breach_id=row.id,
        phase=data.phase.value,
        number=number,
        at=now,
        by=actor,
        late=data.phase == NotificationKind.INITIAL and now > as_utc(row.notify_by),
    )
    session.add(notification)
    session.flush()
    assert notification.id is not None
    cipher = cipher_of(row, settings)
    table, key = "breach_notification", notification.id
    notification.measures_enc = cipher.encrypt(table, "measures", key, data.measures)
    notification.delay_reasons_enc = cipher.encrypt(table, "delay_reasons", key, data.delay_reasons)
    notification.new_facts_enc = cipher.encrypt(table, "new_facts", key, data.new_facts)
    notification.document_enc = cipher.encrypt(table, "document", key, document)
    session.add(notification)
    append_audit(
        session, actor, "breach.notify", "breach", row.id, detail={"phase": data.phase.value}
    )
    return notification


def record_information(
    session: Session, row: Breach, data: InformIn, actor: str, settings: Settings
) -> None:
    cipher = cipher_of(row, settings)
    row.what_happened_enc = cipher.encrypt(TABLE, "what_happened", row.id, data.what_happened)
    row.what_we_did_enc = cipher.encrypt(TABLE, "what_we_did", row.id, data.what_we_did)
    row.what_you_can_do_enc = cipher.encrypt(TABLE, "what_you_can_do", row.id, data.what_you_can_do)
    session.add(row)
    append_audit(
        session, actor, "breach.inform", "breach", row.id, detail={"people": row.people_count or 0}
    )


def record_closure(
    session: Session, row: Breach, data: CloseIn, actor: str, settings: Settings
) -> None:
    row.measures_enc = cipher_of(row, settings).encrypt(TABLE, "measures", row.id, data.measures)
    session.add(row)
    append_audit(session, actor, "breach.close", "breach", row.id)


def _next_reference(session: Session, now: datetime) -> str:
    """VD-<year>-<5 digits>, one more than the highest of the year (Paris year)."""
    prefix = f"{REFERENCE_PREFIX}-{now.astimezone(PARIS).year}-"
    highest = session.exec(
        select(func.max(Breach.reference)).where(col(Breach.reference).startswith(prefix))
    ).one()
    number = int(highest.removeprefix(prefix)) + 1 if highest else 1
    return f"{prefix}{number:05d}"
