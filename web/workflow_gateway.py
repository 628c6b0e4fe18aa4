"""The web app's only way to Temporal: updates that move a dossier, a negotiation or a
data-subject request, the live status queries.

The client is connected lazily and kept on app.state, so the web app starts (and serves every
page that needs no workflow) while Temporal is down; actions that need it get a clear 503.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from temporalio.client import (
    Client,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from domain.errors import Refused, Unavailable
from domain.workflow_ids import (
    breach_workflow_id,
    dossier_workflow_id,
    negotiation_workflow_id,
    privacy_request_workflow_id,
)
from gateway.connection import connect_client
from gateway.start_intents import start_pending_intent
from workflows.breach_messages import BREACH_STATUS_QUERY, BreachStatusView
from workflows.dossier_messages import STATUS_QUERY, DossierStatus
from workflows.negotiation_messages import NEGOTIATION_STATUS_QUERY, NegotiationStatus

log = logging.getLogger(__name__)
R = TypeVar("R")

CONNECT_TIMEOUT_SECONDS = 5.0
RPC_TIMEOUT = timedelta(seconds=15)
UNAVAILABLE_MESSAGE = (
    "Le moteur de suivi des dossiers est momentanément indisponible : rien n'a été modifié. "
    "Réessayez dans quelques minutes."
)
NOT_STARTED_MESSAGE = (
    "Le suivi de ce dossier n'a pas encore démarré : rien n'a été modifié. "
    "Réessayez dans un instant."
)


class TemporalUnavailable(Unavailable):
    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


class TransitionRefused(Refused):
    """The workflow's validator refused the action; the message is the validator's (French)."""


class TemporalConnection:
    """One client per app, connected on first use; a failed connect is retried next time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(
                        connect_client(self.settings), CONNECT_TIMEOUT_SECONDS
                    )
                except Exception as exc:
                    log.warning(
                        "Temporal unreachable at %s: %s", self.settings.temporal_address, exc
                    )
                    raise TemporalUnavailable() from exc
        return self._client


def connection_of(target: HTTPConnection | Starlette) -> TemporalConnection:
    app = target.app if isinstance(target, HTTPConnection) else target
    temporal: TemporalConnection = app.state.temporal
    return temporal


def _unavailable(exc: BaseException) -> TemporalUnavailable:
    if isinstance(exc, RPCError) and exc.status == RPCStatusCode.NOT_FOUND:
        return TemporalUnavailable(NOT_STARTED_MESSAGE)
    return TemporalUnavailable()


async def send_update(
    target: HTTPConnection | Starlette, dossier_id: str, update_name: str, arg: Any
) -> Any:
    """Run the update and return its result; TransitionRefused when the validator says no."""
    return await _execute_update(target, dossier_workflow_id(dossier_id), update_name, arg)


async def send_negotiation_update(
    target: HTTPConnection | Starlette, negotiation_id: str, update_name: str, arg: Any
) -> Any:
    """The same for a creditor negotiation (a child workflow of its dossier)."""
    return await _execute_update(target, negotiation_workflow_id(negotiation_id), update_name, arg)


async def send_privacy_update(
    target: HTTPConnection | Starlette, request_id: str, update_name: str, arg: Any
) -> Any:
    """The same for a data-subject request."""
    return await _execute_update(target, privacy_request_workflow_id(request_id), update_name, arg)


async def send_breach_update(
    target: HTTPConnection | Starlette, breach_id: str, update_name: str, arg: Any
) -> Any:
    """The same for a personal-data breach."""
    return await _execute_update(target, breach_workflow_id(breach_id), update_name, arg)


async def _execute_update(
    target: HTTPConnection | Starlette, workflow_id: str, update_name: str, arg: Any
) -> Any:
    client = await connection_of(target).client()
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update_name, arg, rpc_timeout=RPC_TIMEOUT)
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError):
            raise TransitionRefused(exc.cause.message) from exc
        raise
    except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
        # No worker to run it, server down, or no such workflow yet: nothing was applied.
        raise _unavailable(exc) from exc


async def query_status(target: HTTPConnection | Starlette, dossier_id: str) -> DossierStatus:
    workflow_id = dossier_workflow_id(dossier_id)
    return await _query(target, workflow_id, STATUS_QUERY, DossierStatus)


async def query_negotiation(
    target: HTTPConnection | Starlette, negotiation_id: str
) -> NegotiationStatus:
    workflow_id = negotiation_workflow_id(negotiation_id)
    return await _query(target, workflow_id, NEGOTIATION_STATUS_QUERY, NegotiationStatus)


async def query_breach(target: HTTPConnection | Starlette, breach_id: str) -> BreachStatusView:
    """The breach's steps as its workflow holds them (TemporalUnavailable when it cannot say)."""
    return await _query(
        target, breach_workflow_id(breach_id), BREACH_STATUS_QUERY, BreachStatusView
    )


async def _query(
    target: HTTPConnection | Starlette, workflow_id: str, query: str, result_type: type[R]
) -> R:
    client = await connection_of(target).client()
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.query(query, result_type=result_type, rpc_timeout=RPC_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError, WorkflowQueryRejectedError) as exc:
        raise _unavailable(exc) from exc


async def start_dossier_workflow(target: HTTPConnection | Starlette, dossier_id: str) -> bool:
    """Start the workflow whose intent was just committed; False leaves it to the worker's relay."""
    return await _start_intent(target, dossier_workflow_id(dossier_id))


async def start_privacy_request_workflow(
    target: HTTPConnection | Starlette, request_id: str
) -> bool:
    return await _start_intent(target, privacy_request_workflow_id(request_id))


async def start_breach_workflow(target: HTTPConnection | Starlette, breach_id: str) -> bool:
    return await _start_intent(target, breach_workflow_id(breach_id))


async def _start_intent(target: HTTPConnection | Starlette, workflow_id: str) -> bool:
    temporal = connection_of(target)
    try:
        client = await temporal.client()
    except TemporalUnavailable:
        return False
    return await start_pending_intent(client, workflow_id, temporal.settings)
