"""Reading breaches: the register, one breach (an audited read: its texts may name people), the
register as CSV, and the persons to reach by another channel than email."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.breach.deadline import hours_left
from domain.breach.rules import BreachState, BreachStatus, Exemption, RiskLevel
from domain.breach.scope_sources import ScopeSource
from domain.clock import as_utc
from models.breach import Breach, BreachAffected, BreachNotification, BreachScope
from models.client import Client
from models.staff import StaffUser
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit, audit_client_data_read
from services.breaches.access import load_breach, require_handler
from services.breaches.records import cipher_of
from services.breaches.timeline import KIND_LABELS, events_of
from services.breaches.views import (
    BreachDetail,
    BreachEventView,
    BreachView,
    NotificationView,
    ScopeView,
)
from services.dossiers.access import actor_of

OTHER_CHANNEL = ("no_email", "refused")


def state_of(row: Breach) -> BreachState:
    """The steps as the read model last recorded them (the web app's check before it writes;
    the workflow has the last word)."""
    return BreachState(
        as_utc(row.aware_at),
        status=BreachStatus(row.status),
        scoped=row.scope_id is not None,
        people=row.people_count or 0,
        risk=RiskLevel(row.risk) if row.risk else None,
        exemption=Exemption(row.exemption),
        notifications=row.notifications,
        informing=row.informing,
        informed=row.informed_at is not None,
    )


def remaining_steps(row: Breach) -> list[str]:
    return [step.label for step, done in state_of(row).steps().items() if done is False]


def deadline_label(row: Breach, now: datetime) -> str:
    state = state_of(row)
    if state.status == BreachStatus.SUSPECTED:
        return "Suspicion à confirmer"
    if state.status == BreachStatus.DISMISSED:
        return "Écartée"
    if not state.deadline_steps_remain():
        first = row.first_notified_at
        if first is not None and as_utc(first) > state.notify_by:
            return "Notifiée en retard"
        return "Dans les délais" if state.status == BreachStatus.OPEN else "Close"
    left = hours_left(state.aware_at, now)
    if left < 0:
        late = int(-left)
        return f"En retard de {late} h" if late else "Délai dépassé"
    return f"{int(left)} h restantes"


def breach_view(row: Breach, now: datetime) -> BreachView:
    state = state_of(row)
    remain = state.status == BreachStatus.OPEN and state.deadline_steps_remain()
    left = hours_left(state.aware_at, now) if remain else None
    return BreachView(
        id=row.id,
        reference=row.reference,
        status=state.status,
        nature=row.nature,
        aware_at=as_utc(row.aware_at),
        notify_by=state.notify_by,
        declared_at=row.declared_at,
        hours_left=round(left, 2) if left is not None else None,
        overdue=left is not None and left < 0,
        deadline_label=deadline_label(row, now),
        steps={step.value: done for step, done in state.steps().items()},
        people_count=row.people_count,
        records_count=row.records_count,
        data_categories=[c for c in row.data_categories.split(",") if c],
        person_categories=[p for p in row.person_categories.split(",") if p],
        risk=state.risk,
        exemption=state.exemption,
        notifications=row.notifications,
        first_notified_at=row.first_notified_at,
        informing=row.informing,
        informed_at=row.informed_at,
        closed_at=row.closed_at,
    )


def list_breaches(session: Session, staff: StaffUser, now: datetime) -> list[BreachView]:
    """The register: every breach, notified or not, the open ones with the nearest deadline
    first, then the others newest first."""
    require_handler(session, staff, "breach.register")
    rows = session.exec(select(Breach).order_by(col(Breach.raised_at).desc())).all()
    views = [breach_view(row, now) for row in rows]
    running = (BreachStatus.OPEN, BreachStatus.SUSPECTED)
    active = sorted((v for v in views if v.status in running), key=lambda v: v.notify_by)
    return active + [v for v in views if v.status not in running]


def get_breach(
    session: Session,
    staff: StaffUser,
    breach_id: str,
    now: datetime,
    settings: Settings,
    purpose: str = "consultation",
) -> BreachDetail:
    row = load_breach(session, staff, breach_id, "breach.read")
    append_audit(session, actor_of(staff), "breach.read", "breach", row.id, reason=purpose)
    cipher = cipher_of(row, settings)

    def text(column: str, token: str | None) -> str | None:
        return cipher.decrypt("breach", column, row.id, token)

    deliveries = dict(
        session.exec(
            select(BreachAffected.delivery, func.count())
            .where(BreachAffected.breach_id == row.id)
            .group_by(col(BreachAffected.delivery))
        ).all()
    )
    scopes = session.exec(
        select(BreachScope).where(BreachScope.breach_id == row.id).order_by(col(BreachScope.id))
    ).all()
    notifications = session.exec(
        select(BreachNotification)
        .where(BreachNotification.breach_id == row.id)
        .where(col(BreachNotification.accepted))
        .order_by(col(BreachNotification.id))
    ).all()
    view = breach_view(row, now)
    return BreachDetail(
        **view.model_dump(),
        description=text("description", row.description_enc) or "",
        discovered_by=text("discovered_by", row.discovered_by_enc),
        discovery=text("discovery", row.discovery_enc),
        evidence=text("evidence", row.evidence_enc),
        rationale=text("rationale", row.rationale_enc),
        consequences=text("consequences", row.consequences_enc),
        exemption_reason=text("exemption_reason", row.exemption_reason_enc),
        what_happened=text("what_happened", row.what_happened_enc),
        what_we_did=text("what_we_did", row.what_we_did_enc),
        what_you_can_do=text("what_you_can_do", row.what_you_can_do_enc),
        measures=text("measures", row.measures_enc),
        dismissal=text("dismissal", row.dismissal_enc),
        deliveries=deliveries,
        scopes=[_scope_view(scope, row, settings) for scope in scopes],
        notifications_made=[
            NotificationView(id=n.id or 0, number=n.number, phase=n.phase, at=n.at, late=n.late)
            for n in notifications
        ],
        events=[
            BreachEventView(
                at=event.at,
                kind=event.kind,
                summary=_summary(event.kind, json.loads(event.detail)),
                actor=event.actor,
            )
            for event in events_of(session, row.id)
        ],
    )


def _scope_view(scope: BreachScope, row: Breach, settings: Settings) -> ScopeView:
    reason = cipher_of(row, settings).decrypt(
        "breach_scope", "adjustment_reason", scope.id or 0, scope.adjustment_reason_enc
    )
    return ScopeView(
        id=scope.id or 0,
        at=scope.at,
        source=scope.source,
        source_label=ScopeSource(scope.source).label,
        parameters=json.loads(scope.parameters),
        computed_people=scope.computed_people,
        computed_records=scope.computed_records,
        people_adjustment=scope.people_adjustment,
        records_adjustment=scope.records_adjustment,
        adjustment_reason=reason,
    )


def _summary(kind: str, detail: dict[str, object]) -> str:
    label = KIND_LABELS.get(kind, kind)
    if kind == "scoped":
        people = int(str(detail.get("people", 0)))
        plural = "s" if people > 1 else ""
        return f"{label} : {people} personne{plural} concernée{plural}"
    if kind == "assessed":
        risk = RiskLevel(str(detail.get("risk")))
        text = f"{label} : {risk.label.lower()}"
        exemption = Exemption(str(detail.get("exemption", "none")))
        if exemption != Exemption.NONE:
            text += f" — exception de l'article 34(3) : {exemption.label}"
        return text
    if kind == "notified":
        text = f"{label} (notification n° {detail.get('number')})"
        return text + " après le délai de 72 heures" if detail.get("late") else text
    if kind == "informed":
        return (
            f"{label} : {detail.get('emailed', 0)} par e-mail, "
            f"{int(str(detail.get('no_email', 0))) + int(str(detail.get('refused', 0)))} "
            "à joindre par un autre moyen"
        )
    return label


REGISTER_COLUMNS = (
    "reference",
    "statut",
    "nature",
    "prise_de_connaissance",
    "echeance_72h",
    "personnes",
    "enregistrements",
    "categories_de_donnees",
    "risque",
    "exception_34_3",
    "notifications_cnil",
    "premiere_notification",
    "notifiee_en_retard",
    "personnes_informees",
    "close_le",
)


def register_csv(session: Session, staff: StaffUser, now: datetime) -> str:
    """The register of Art. 33(5) as CSV (no personal data: counts, codes and dates)."""
    require_handler(session, staff, "breach.register_export")
    append_audit(session, actor_of(staff), "breach.register_export", "breach", "*")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(REGISTER_COLUMNS)
    for view in list_breaches(session, staff, now):
        late = (
            view.first_notified_at is not None and as_utc(view.first_notified_at) > view.notify_by
        )
        writer.writerow(
            [
                view.reference,
                view.status.label,
                view.nature.label,
                view.aware_at.isoformat(),
                view.notify_by.isoformat(),
                _blank(view.people_count),
                _blank(view.records_count),
                ", ".join(view.data_categories),
                view.risk.label if view.risk else "",
                view.exemption.label if view.exemption != Exemption.NONE else "",
                view.notifications,
                view.first_notified_at.isoformat() if view.first_notified_at else "",
                "oui" if late else "non",
                view.informed_at.isoformat() if view.informed_at else "",
                view.closed_at.isoformat() if view.closed_at else "",
            ]
        )
    return out.getvalue()


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class OtherChannelPerson:
    affected_id: int
    name: str
    phone: str
    address: str
    # "no_email" or "refused".
    reason: str


def other_channel(
    session: Session,
    row: Breach,
    settings: Settings,
    actor: str,
    affected_id: int | None = None,
) -> list[OtherChannelPerson]:
    """The persons the email could not reach (or the one `affected_id`): to write to by post or
    to call. Reading their contact details is an audited read of each client's data."""
    statement = (
        select(BreachAffected)
        .where(BreachAffected.breach_id == row.id)
        .where(col(BreachAffected.delivery).in_(OTHER_CHANNEL))
        .order_by(col(BreachAffected.id))
    )
    if affected_id is not None:
        statement = statement.where(BreachAffected.id == affected_id)
    affected = session.exec(statement).all()
    people = []
    for person in affected:
        client = session.get(Client, person.client_id) if person.client_id else None
        name = phone = address = ""
        if client is not None:
            try:
                cipher = ClientCipher.for_client(client, settings)
            except ClientErasedError:
                cipher = None
            if cipher is not None:
                audit_client_data_read(
                    session, actor, client.id, "breach.other_channel", breach_id=row.id
                )
                first = cipher.decrypt("client", "first_name", client.id, client.first_name_enc)
                last = cipher.decrypt("client", "last_name", client.id, client.last_name_enc)
                name = " ".join(p for p in (first, last) if p)
                phone = cipher.decrypt("client", "phone", client.id, client.phone_enc) or ""
                address = cipher.decrypt("client", "address", client.id, client.address_enc) or ""
        people.append(
            OtherChannelPerson(
                person.id or 0,
                name or "Personne sans coordonnées lisibles",
                phone,
                address,
                person.delivery,
            )
        )
    return people
