""" "Mon travail": the dossiers waiting on their case worker, and a supervisor's team workload.

A dossier needs its case worker's action (the rule, from the workflows' own waits):
- documents complete or analysis under way (DOCUMENTS_COMPLETE, ANALYSIS): the budget, the
  analysis and the strategy are theirs to prepare and send;
- awaiting the client's approval only once the workflow made it a task (TASK_LABEL: contact the
  client); before that the wait is on the client;
- strategy approved (APPROVED) with no negotiation opened: a creditor to add or a closure;
- in negotiation, a negotiation in a state that waits on the case worker: consent obtained and
  offer to prepare (READY), the creditor's questions, a refusal, no response, an expired offer,
  a broken plan (the decision states), or an agreement whose written confirmation is overdue.
A counter-offer waits on the client's own decision (through their link), and waiting for
documents, for a consent or for a creditor's reply is not the case worker's to act on.

The deadline shown is the earliest deadline of the negotiations waiting on them, or the
dossier's own; overdue means that moment has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from config.settings import Settings
from domain.clock import as_utc
from domain.dossier_stages import OPEN_STAGES, Stage
from domain.dossier_timeline import TASK_LABEL
from domain.negotiation.states import DECISION_STATES, NegotiationState
from domain.negotiation.timetable import CONFIRMATION_OVERDUE_LABEL
from models.client import Client
from models.dossier import Dossier
from models.negotiation import Negotiation
from models.staff import Role, StaffUser
from services.audit import append_audit
from services.dossiers.access import DOSSIER_WRITERS, actor_of, deny, require_personal_data_role
from services.dossiers.queries import _LIST_COLUMNS, _list_item
from services.dossiers.views import DossierListItem
from services.effective import effective

# Beyond this many dossiers waiting on one person the page says so rather than grow.
MAX_WORK_ITEMS = 500
SUPERVISOR_ONLY = "Seul un superviseur voit la charge de son équipe."

CASE_WORKER_STATES = frozenset({*DECISION_STATES, NegotiationState.INFORMATION_REQUESTED})
OWN_WORK_STAGES = frozenset({Stage.DOCUMENTS_COMPLETE, Stage.ANALYSIS, Stage.APPROVED})
STAGE_TASKS_FR = {
    Stage.DOCUMENTS_COMPLETE: "Pièces complètes : analyse budgétaire à préparer",
    Stage.ANALYSIS: "Analyse budgétaire et stratégie à préparer puis envoyer au client",
    Stage.AWAITING_APPROVAL: "Contacter le client : l'analyse n'est toujours pas validée",
    Stage.APPROVED: "Stratégie validée : ajouter un créancier ou clôturer le dossier",
}


class WorkSort:
    """The sortable columns (URL values) and their default direction."""

    DEADLINE = "echeance"
    REFERENCE = "reference"
    CLIENT = "client"
    STAGE = "etape"
    CREATED = "creation"
    ALL = (DEADLINE, REFERENCE, CLIENT, STAGE, CREATED)


@dataclass(frozen=True)
class WorkItem:
    dossier: DossierListItem
    task: str
    due_at: datetime | None
    due_label: str | None
    overdue: bool


@dataclass(frozen=True)
class WorkList:
    items: list[WorkItem]
    overdue: int
    # More dossiers wait than the page shows (the overdue and nearest come first).
    truncated: bool


def _waiting_negotiation() -> ColumnElement[bool]:
    return and_(
        col(Negotiation.dossier_id) == col(Dossier.id),
        effective(Negotiation),
        col(Negotiation.ended_at).is_(None),
        or_(
            col(Negotiation.state).in_([s.value for s in CASE_WORKER_STATES]),
            and_(
                col(Negotiation.state) == NegotiationState.AGREEMENT_PENDING.value,
                col(Negotiation.next_deadline_label) == CONFIRMATION_OVERDUE_LABEL,
            ),
        ),
    )


def needs_action() -> ColumnElement[bool]:
    """SQL form of the rule above, on the dossier row."""
    return or_(
        col(Dossier.stage).in_(list(OWN_WORK_STAGES)),
        and_(
            col(Dossier.stage) == Stage.AWAITING_APPROVAL,
            col(Dossier.next_deadline_label) == TASK_LABEL,
        ),
        and_(
            col(Dossier.stage) == Stage.NEGOTIATION,
            exists(sql_select(col(Negotiation.id)).where(_waiting_negotiation())),
        ),
    )


def my_work(
    session: Session,
    viewer: StaffUser,
    now: datetime,
    *,
    sort: str = WorkSort.DEADLINE,
    descending: bool = False,
    overdue_only: bool = False,
    settings: Settings,
) -> WorkList:
    """The viewer's own dossiers that need them, overdue first then by deadline (or `sort`).

    One audit entry records the dossiers shown."""
    require_personal_data_role(session, viewer, "dossier.work_list")
    rows = session.execute(
        sql_select(*_LIST_COLUMNS)
        .join(Client, col(Client.id) == Dossier.client_id)
        .join(StaffUser, col(StaffUser.id) == Dossier.assignee_id)
        .where(
            col(Dossier.assignee_id) == viewer.id,
            col(Dossier.closed_at).is_(None),
            col(Dossier.stage).in_(list(OPEN_STAGES)),
            needs_action(),
        )
        # The nearest deadlines first, so a cut keeps the most urgent.
        .order_by(col(Dossier.next_deadline).is_(None), col(Dossier.next_deadline), col(Dossier.id))
        .limit(MAX_WORK_ITEMS + 1)
    ).all()
    truncated = len(rows) > MAX_WORK_ITEMS
    dossiers = [_list_item(row, settings) for row in rows[:MAX_WORK_ITEMS]]
    waits = _negotiation_waits(session, [d.id for d in dossiers if d.stage == Stage.NEGOTIATION])
    items = [_work_item(d, waits.get(d.id), now) for d in dossiers]
    overdue = sum(item.overdue for item in items)
    if overdue_only:
        items = [item for item in items if item.overdue]
    items = sort_work(items, sort, descending)
    append_audit(
        session,
        actor_of(viewer),
        "dossier.work_list",
        "dossier",
        "list",
        reason="mon travail",
        detail={
            "dossier_ids": [item.dossier.id for item in items],
            "sort": sort,
            "descending": descending,
            "overdue_only": overdue_only,
        },
    )
    return WorkList(items=items, overdue=overdue, truncated=truncated)


@dataclass(frozen=True)
class _Wait:
    task: str
    due_at: datetime | None
    due_label: str | None


def _negotiation_waits(session: Session, dossier_ids: list[str]) -> dict[str, _Wait]:
    """Per dossier, its negotiations waiting on the case worker: the nearest one's deadline."""
    if not dossier_ids:
        return {}
    rows = session.execute(
        sql_select(
            col(Negotiation.dossier_id),
            col(Negotiation.number),
            col(Negotiation.state),
            col(Negotiation.next_deadline),
            col(Negotiation.next_deadline_label),
        )
        .where(col(Negotiation.dossier_id).in_(dossier_ids), _waiting_negotiation())
        .order_by(
            col(Negotiation.next_deadline).is_(None),
            col(Negotiation.next_deadline),
            col(Negotiation.number),
        )
    ).all()
    waits: dict[str, _Wait] = {}
    for dossier_id, number, state, deadline, label in rows:
        if dossier_id in waits:
            continue
        task = f"Créancier n°{number} : {NegotiationState(state).label}"
        due = None if deadline is None else as_utc(deadline)
        waits[dossier_id] = _Wait(task, due, label)
    return waits


def _work_item(dossier: DossierListItem, wait: _Wait | None, now: datetime) -> WorkItem:
    if wait is not None:
        task, due_at, due_label = wait.task, wait.due_at, wait.due_label
    else:
        task = STAGE_TASKS_FR.get(dossier.stage, dossier.stage.label)
        due_at, due_label = dossier.next_deadline, dossier.next_deadline_label
    return WorkItem(
        dossier=dossier,
        task=task,
        due_at=due_at,
        due_label=due_label,
        overdue=due_at is not None and due_at < now,
    )


_STAGE_ORDER = {stage: index for index, stage in enumerate(Stage)}


def sort_work(items: list[WorkItem], sort: str, descending: bool) -> list[WorkItem]:
    """By deadline: overdue first, then the nearest, none last (descending: reversed). Other
    columns break ties by reference."""
    by_reference = sorted(items, key=lambda i: i.dossier.reference)
    if sort == WorkSort.REFERENCE:
        return sorted(by_reference, key=lambda i: i.dossier.reference, reverse=descending)
    if sort == WorkSort.CLIENT:
        return sorted(
            by_reference, key=lambda i: i.dossier.client_name.casefold(), reverse=descending
        )
    if sort == WorkSort.STAGE:
        return sorted(by_reference, key=lambda i: _STAGE_ORDER[i.dossier.stage], reverse=descending)
    if sort == WorkSort.CREATED:
        return sorted(by_reference, key=lambda i: i.dossier.created_at, reverse=descending)
    dated = sorted(
        (i for i in by_reference if i.due_at), key=lambda i: i.due_at or i.dossier.created_at
    )
    undated = [i for i in by_reference if i.due_at is None]
    return [*reversed(dated), *undated] if descending else [*dated, *undated]


@dataclass(frozen=True)
class MemberLoad:
    id: int
    name: str
    role: Role
    open_dossiers: int
    overdue: int
    oldest_deadline: datetime | None


def team_workload(session: Session, viewer: StaffUser, now: datetime) -> list[MemberLoad]:
    """Per active case worker and supervisor of the viewer's team: open dossiers, overdue ones
    (their next deadline passed), the oldest deadline. Counts only: no personal data."""
    if not viewer.active or viewer.role != Role.SUPERVISOR:
        deny(
            session,
            viewer,
            "team",
            viewer.team,
            reason="dossier.team_workload",
            message=SUPERVISOR_ONLY,
        )
    members = session.exec(
        select(StaffUser)
        .where(
            col(StaffUser.active).is_(True),
            col(StaffUser.role).in_(list(DOSSIER_WRITERS)),
            StaffUser.team == viewer.team,
        )
        .order_by(col(StaffUser.display_name), col(StaffUser.id))
    ).all()
    late = and_(col(Dossier.next_deadline).is_not(None), col(Dossier.next_deadline) < now)
    counts = session.execute(
        sql_select(
            col(Dossier.assignee_id),
            func.count(),
            func.count().filter(late),
            func.min(col(Dossier.next_deadline)),
        )
        .where(
            col(Dossier.team) == viewer.team,
            col(Dossier.stage).in_(list(OPEN_STAGES)),
            col(Dossier.closed_at).is_(None),
        )
        .group_by(col(Dossier.assignee_id))
    ).all()
    by_member = {row[0]: row for row in counts}
    loads = []
    for member in members:
        assert member.id is not None  # stored accounts
        _, total, overdue, oldest = by_member.get(member.id, (member.id, 0, 0, None))
        loads.append(
            MemberLoad(
                id=member.id,
                name=member.display_name,
                role=member.role,
                open_dossiers=int(total),
                overdue=int(overdue),
                oldest_deadline=None if oldest is None else as_utc(oldest),
            )
        )
    return loads
