"""Workflow-start outbox: the intent commits with the data, the start happens after.

The web process starts the workflow right after its commit; if it dies first, or Temporal is
down, the relay in the worker starts whatever is still pending. Starting twice is harmless:
the workflow id is the business key and a second start finds it already running.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from datetime import timedelta

from sqlmodel import Session, col, select
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from config.settings import Settings
from domain.clock import utcnow
from domain.intake import DossierCreate
from domain.workflow_ids import (
    breach_workflow_id,
    dossier_workflow_id,
    privacy_request_workflow_id,
)
from models.database import session_scope
from models.dossier import Dossier
from models.outbox import WorkflowStartIntent
from models.staff import StaffUser
from services.dossiers.intake import create_dossier
from workflows.breach_messages import BREACH_WORKFLOW, BreachInput
from workflows.dossier_messages import DOSSIER_WORKFLOW, DossierInput
from workflows.privacy_request_messages import PRIVACY_REQUEST_WORKFLOW, PrivacyRequestInput

log = logging.getLogger(__name__)

RELAY_INTERVAL_SECONDS = 2.0
# The workflows an intent may start, with the dataclass of their input.
WORKFLOW_INPUTS: dict[str, type[DossierInput] | type[PrivacyRequestInput] | type[BreachInput]] = {
    DOSSIER_WORKFLOW: DossierInput,
    PRIVACY_REQUEST_WORKFLOW: PrivacyRequestInput,
    BREACH_WORKFLOW: BreachInput,
}


def record_dossier_start_intent(session: Session, dossier_id: str) -> WorkflowStartIntent:
    """Add the intent to the caller's transaction (the one that writes the dossier)."""
    intent = WorkflowStartIntent(
        workflow_id=dossier_workflow_id(dossier_id),
        workflow_type=DOSSIER_WORKFLOW,
        argument_json=json.dumps(asdict(DossierInput(dossier_id=dossier_id))),
    )
    session.add(intent)
    return intent


def record_privacy_request_start_intent(session: Session, request_id: str) -> None:
    """The same for a data-subject request, in the transaction that records it."""
    session.add(
        WorkflowStartIntent(
            workflow_id=privacy_request_workflow_id(request_id),
            workflow_type=PRIVACY_REQUEST_WORKFLOW,
            argument_json=json.dumps(asdict(PrivacyRequestInput(request_id=request_id))),
        )
    )


def record_breach_start_intent(session: Session, breach_id: str) -> None:
    """The same for a personal-data breach, in the transaction that records it."""
    session.add(
        WorkflowStartIntent(
            workflow_id=breach_workflow_id(breach_id),
            workflow_type=BREACH_WORKFLOW,
            argument_json=json.dumps(asdict(BreachInput(breach_id=breach_id))),
        )
    )


def create_dossier_with_start_intent(
    session: Session, data: DossierCreate, actor: StaffUser, settings: Settings
) -> Dossier:
    """A new dossier and the intent to start its workflow, in the caller's transaction: an
    acknowledged intake always gets its workflow."""
    dossier = create_dossier(session, data, actor, settings)
    record_dossier_start_intent(session, dossier.id)
    return dossier


async def start_pending_intent(client: Client, workflow_id: str, settings: Settings) -> bool:
    """Start one pending workflow; True when it runs now. Never raises for Temporal being down."""
    with session_scope(settings) as session:
        intent = session.exec(
            select(WorkflowStartIntent).where(WorkflowStartIntent.workflow_id == workflow_id)
        ).first()
        if intent is None or intent.started_at is not None:
            return intent is not None
        workflow_type, argument_json = intent.workflow_type, intent.argument_json
    error: str | None = None
    try:
        await _start(client, workflow_id, workflow_type, argument_json, settings)
    except WorkflowAlreadyStartedError:
        pass
    except Exception as exc:  # Temporal unreachable or refusing: the relay retries later.
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("could not start %s yet: %s", workflow_id, error)
    with session_scope(settings) as session:
        intent = session.exec(
            select(WorkflowStartIntent).where(WorkflowStartIntent.workflow_id == workflow_id)
        ).one()
        intent.attempts += 1
        intent.last_error = error
        if error is None:
            intent.started_at = utcnow()
        session.add(intent)
    return error is None


async def _start(
    client: Client, workflow_id: str, workflow_type: str, argument_json: str, settings: Settings
) -> None:
    input_type = WORKFLOW_INPUTS.get(workflow_type)
    if input_type is None:
        raise ValueError(f"unknown workflow type in outbox: {workflow_type}")
    argument = input_type(**json.loads(argument_json))
    await client.start_workflow(
        workflow_type,
        argument,
        id=workflow_id,
        task_queue=settings.task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


def pending_workflow_ids(settings: Settings, older_than: timedelta) -> list[str]:
    cutoff = utcnow() - older_than
    with session_scope(settings) as session:
        rows = session.exec(
            select(WorkflowStartIntent.workflow_id)
            .where(col(WorkflowStartIntent.started_at).is_(None))
            .where(WorkflowStartIntent.created_at < cutoff)
            .order_by(col(WorkflowStartIntent.id))
            .limit(200)
        ).all()
    return list(rows)


async def relay_pending_intents(client: Client, settings: Settings) -> None:
    """Runs beside the worker: starts intents the web process did not get to start."""
    while True:
        try:
            for workflow_id in pending_workflow_ids(settings, timedelta(seconds=5)):
                await start_pending_intent(client, workflow_id, settings)
        except Exception:
            log.exception("intent relay pass failed; retrying")
        await asyncio.sleep(RELAY_INTERVAL_SECONDS)
