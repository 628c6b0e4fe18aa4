"""The SLA board: what is late or due soon, by reference. Each role sees its scope (the DPO and
ops everything, a supervisor their team's dossiers and requests); a line links to its page only
for the roles that may open it. Bounded queries: a limit per section, one query per stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from domain.breach.rules import BreachStatus
from domain.clock import as_utc
from domain.dossier_stages import Stage
from domain.french_dates import PARIS
from domain.french_text import counted
from domain.negotiation.states import NegotiationState
from domain.privacy.deadline import paris_day
from domain.privacy.request import RequestStatus
from models.breach import Breach
from models.dossier import Dossier
from models.negotiation import Negotiation
from models.privacy_request import PrivacyRequest
from models.staff import Role, StaffUser
from services.breaches.access import BREACH_HANDLERS
from services.breaches.queries import breach_view
from services.dossiers.access import DOSSIER_READERS, visible_dossiers
from services.privacy_requests.access import REQUEST_READERS, visible_requests
from services.privacy_requests.queries import request_view

SUPERVISION_ROLES = frozenset({Role.OPS, Role.SUPERVISOR, Role.DPO, Role.ADMIN})
SOON = timedelta(days=5)
LIMIT = 50
WAITING_ON_CREDITOR = (
    NegotiationState.OFFER_SENT,
    NegotiationState.AWAITING_REPLY,
)
WAITING_ON_CLIENT = (
    NegotiationState.CONSENT_PENDING,
    NegotiationState.COUNTER_OFFER,
)


@dataclass(frozen=True)
class SlaLine:
    reference: str
    href: str | None
    due: datetime | None
    label: str
    late: bool
    what: str = ""


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    count: int
    oldest: SlaLine


@dataclass(frozen=True)
class SlaBoard:
    requests: list[SlaLine]
    breaches: list[SlaLine]
    negotiations: list[SlaLine]
    stages: list[StageRow]
    due_today: list[SlaLine]


def _dossier_scope(viewer: StaffUser) -> ColumnElement[bool] | None:
    # Ops and admins see every reference (no personal data on this board); the others their scope.
    return None if viewer.role in (Role.OPS, Role.ADMIN) else visible_dossiers(viewer)


def _request_scope(viewer: StaffUser) -> ColumnElement[bool] | None:
    return None if viewer.role in (Role.OPS, Role.ADMIN) else visible_requests(viewer)


def _dossier_href(viewer: StaffUser, dossier_id: str) -> str | None:
    return f"/dossiers/{dossier_id}" if viewer.role in DOSSIER_READERS else None


def _request_href(viewer: StaffUser, request_id: str) -> str | None:
    return f"/privacy-requests/{request_id}" if viewer.role in REQUEST_READERS else None


def _breach_href(viewer: StaffUser, breach_id: str) -> str | None:
    return f"/breaches/{breach_id}" if viewer.role in BREACH_HANDLERS else None


def _late_label(due: datetime, now: datetime) -> str:
    days = (paris_day(now) - paris_day(due)).days
    if days <= 0:
        return "Relance dépassée aujourd'hui"
    return f"Relance dépassée de {counted(days, 'jour')}"


def privacy_lines(session: Session, viewer: StaffUser, now: datetime) -> list[SlaLine]:
    """Open requests due within five days or already late (paused ones: the clock is stopped)."""
    statement = select(PrivacyRequest).where(
        col(PrivacyRequest.status) == RequestStatus.OPEN.value,
        col(PrivacyRequest.due_at) <= now + SOON,
    )
    scope = _request_scope(viewer)
    if scope is not None:
        statement = statement.where(scope)
    rows = session.exec(statement.order_by(col(PrivacyRequest.due_at)).limit(LIMIT)).all()
    lines = []
    for row in rows:
        view = request_view(row, now)
        lines.append(
            SlaLine(
                row.reference,
                _request_href(viewer, row.id),
                as_utc(row.due_at),
                view.deadline_label,
                view.overdue,
            )
        )
    return lines


def breach_lines(session: Session, viewer: StaffUser, now: datetime) -> list[SlaLine]:
    """Open breaches and suspicions with their 72-hour countdown (references only)."""
    running = (BreachStatus.OPEN.value, BreachStatus.SUSPECTED.value)
    rows = session.exec(
        select(Breach)
        .where(col(Breach.status).in_(running))
        .order_by(col(Breach.notify_by))
        .limit(LIMIT)
    ).all()
    lines = []
    for row in rows:
        view = breach_view(row, now)
        lines.append(
            SlaLine(
                row.reference,
                _breach_href(viewer, row.id),
                view.notify_by,
                view.deadline_label,
                view.overdue,
                view.status.label,
            )
        )
    return lines


def negotiation_lines(session: Session, viewer: StaffUser, now: datetime) -> list[SlaLine]:
    """Negotiations waiting on a creditor or on the client whose follow-up date has passed."""
    waiting = [s.value for s in (*WAITING_ON_CREDITOR, *WAITING_ON_CLIENT)]
    statement = (
        select(Negotiation)
        .join(Dossier, col(Dossier.id) == col(Negotiation.dossier_id))
        .where(
            col(Negotiation.state).in_(waiting),
            col(Negotiation.next_deadline) < now,
            col(Negotiation.staged_write_id).is_(None),
        )
    )
    scope = _dossier_scope(viewer)
    if scope is not None:
        statement = statement.where(scope)
    rows = session.exec(statement.order_by(col(Negotiation.next_deadline)).limit(LIMIT)).all()
    lines = []
    for row in rows:
        assert row.next_deadline is not None
        due = as_utc(row.next_deadline)
        state = NegotiationState(row.state)
        who = "créancier" if state in WAITING_ON_CREDITOR else "client"
        lines.append(
            SlaLine(
                row.reference,
                _dossier_href(viewer, row.dossier_id),
                due,
                _late_label(due, now),
                True,
                f"Attente du {who} : {state.label}",
            )
        )
    return lines


def stage_rows(session: Session, viewer: StaffUser) -> list[StageRow]:
    """Open dossiers by stage, each with the one unchanged for the longest time."""
    scope = _dossier_scope(viewer)
    open_dossier = col(Dossier.closed_at).is_(None)
    counts = select(Dossier.stage, func.count()).where(open_dossier).group_by(Dossier.stage)
    if scope is not None:
        counts = counts.where(scope)
    rows = []
    # One small query per stage present: at most the number of stages, whatever the volume.
    for stage, total in session.exec(counts).all():
        oldest = select(Dossier).where(open_dossier, col(Dossier.stage) == stage)
        if scope is not None:
            oldest = oldest.where(scope)
        first = session.exec(
            oldest.order_by(col(Dossier.updated_at), col(Dossier.reference)).limit(1)
        ).one()
        since = as_utc(first.updated_at)
        rows.append(
            StageRow(
                Stage(stage),
                int(total),
                SlaLine(first.reference, _dossier_href(viewer, first.id), since, "", False),
            )
        )
    order = list(Stage)
    return sorted(rows, key=lambda row: order.index(row.stage))


def _paris_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(paris_day(now), time(), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(paris_day(now) + timedelta(days=1), time(), tzinfo=PARIS)
    return start, end.astimezone(UTC)


def due_today(session: Session, viewer: StaffUser, now: datetime) -> list[SlaLine]:
    """Every deadline falling today in Paris: dossiers, negotiations, requests, breaches."""
    start, end = _paris_day_bounds(now)
    lines: list[SlaLine] = []
    dossier_scope = _dossier_scope(viewer)
    dossiers = select(Dossier).where(
        col(Dossier.next_deadline) >= start, col(Dossier.next_deadline) < end
    )
    negotiations = (
        select(Negotiation)
        .join(Dossier, col(Dossier.id) == col(Negotiation.dossier_id))
        .where(
            col(Negotiation.next_deadline) >= start,
            col(Negotiation.next_deadline) < end,
            col(Negotiation.staged_write_id).is_(None),
        )
    )
    if dossier_scope is not None:
        dossiers = dossiers.where(dossier_scope)
        negotiations = negotiations.where(dossier_scope)
    for dossier in session.exec(dossiers.limit(LIMIT)).all():
        assert dossier.next_deadline is not None
        lines.append(
            SlaLine(
                dossier.reference,
                _dossier_href(viewer, dossier.id),
                as_utc(dossier.next_deadline),
                dossier.next_deadline_label or "",
                False,
                "Dossier",
            )
        )
    for negotiation in session.exec(negotiations.limit(LIMIT)).all():
        assert negotiation.next_deadline is not None
        lines.append(
            SlaLine(
                negotiation.reference,
                _dossier_href(viewer, negotiation.dossier_id),
                as_utc(negotiation.next_deadline),
                negotiation.next_deadline_label or "",
                False,
                "Négociation",
            )
        )
    requests = select(PrivacyRequest).where(
        col(PrivacyRequest.status) == RequestStatus.OPEN.value,
        col(PrivacyRequest.due_at) >= start,
        col(PrivacyRequest.due_at) < end,
    )
    request_scope = _request_scope(viewer)
    if request_scope is not None:
        requests = requests.where(request_scope)
    for request in session.exec(requests.limit(LIMIT)).all():
        lines.append(
            SlaLine(
                request.reference,
                _request_href(viewer, request.id),
                as_utc(request.due_at),
                "Réponse due",
                False,
                "Demande RGPD",
            )
        )
    breaches = select(Breach).where(
        col(Breach.status).in_((BreachStatus.OPEN.value, BreachStatus.SUSPECTED.value)),
        col(Breach.notify_by) >= start,
        col(Breach.notify_by) < end,
    )
    for breach in session.exec(breaches.limit(LIMIT)).all():
        lines.append(
            SlaLine(
                breach.reference,
                _breach_href(viewer, breach.id),
                as_utc(breach.notify_by),
                "Notification à la CNIL due",
                False,
                "Violation",
            )
        )
    return sorted(lines, key=lambda line: (line.due or now, line.reference))


def sla_board(session: Session, viewer: StaffUser, now: datetime) -> SlaBoard:
    return SlaBoard(
        requests=privacy_lines(session, viewer, now),
        breaches=breach_lines(session, viewer, now),
        negotiations=negotiation_lines(session, viewer, now),
        stages=stage_rows(session, viewer),
        due_today=due_today(session, viewer, now),
    )
