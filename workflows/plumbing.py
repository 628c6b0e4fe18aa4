"""What the dossier and negotiation workflows share: how they call activities (typed references,
timeouts, retries), the search attributes operators query, the one way an update refuses, and a
wait bounded by a moment.

Every value here is recorded in the histories of running workflows (activity timeouts and retry
policy in each scheduled activity, search attribute names in each upsert): change none lightly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contracts.refs import ActivityRef
    from activities.contracts.staged_writes import APPLY_STAGED_WRITE, ApplyStagedWrite

Arg = TypeVar("Arg")
Result = TypeVar("Result")

# ----- activities ------------------------------------------------------------------------------

# Every activity retries until it succeeds or refuses (a non-retryable ApplicationError).
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


@dataclass(frozen=True)
class ActivityOptions:
    start_to_close: timedelta
    heartbeat: timedelta | None = None


# A database read or write.
SHORT = ActivityOptions(timedelta(seconds=30))
# An email to the client (rendered, queued in the outbox, handed to SMTP). The activity beats
# every 2 s (activities/heartbeating.py): one lost with its worker is retried 10 s later, not
# after the two minutes a slow relay may take.
EMAIL = ActivityOptions(timedelta(minutes=2), heartbeat=timedelta(seconds=10))
# Makes a PDF with WeasyPrint first: the analysis report, a letter by post, a consent receipt.
RENDERING = ActivityOptions(timedelta(minutes=5))
# Deletes a dossier's documents or anonymises it, reporting progress as it goes.
RETENTION_WORK = ActivityOptions(timedelta(minutes=10), heartbeat=timedelta(minutes=1))


async def run(activity: ActivityRef[Arg, Result], arg: Arg, options: ActivityOptions) -> Result:
    """Run an activity by its reference; ActivityError when it fails or refuses."""
    result: Result = await workflow.execute_activity(
        activity.name,
        arg,
        result_type=activity.result_type,
        start_to_close_timeout=options.start_to_close,
        heartbeat_timeout=options.heartbeat,
        retry_policy=RETRY,
    )
    return result


async def run_local(
    activity: ActivityRef[Arg, Result], arg: Arg, options: ActivityOptions
) -> Result:
    """The same as a local activity: a marker in the history instead of scheduled events."""
    result: Result = await workflow.execute_local_activity(
        activity.name,
        arg,
        result_type=activity.result_type,
        start_to_close_timeout=options.start_to_close,
        retry_policy=RETRY,
    )
    return result


# ----- search attributes ----------------------------------------------------------------------

# Registered on the dev server by `cravelynos dev`: PII-free by construction. A dossier's stage
# is its Stage value; a negotiation's reads "negotiation:<state>".
STAGE_SEARCH_ATTRIBUTE = "CravelynosStage"
NEXT_DEADLINE_SEARCH_ATTRIBUTE = "CravelynosNextDeadline"
STAGE_KEY = SearchAttributeKey.for_keyword(STAGE_SEARCH_ATTRIBUTE)
NEXT_DEADLINE_KEY = SearchAttributeKey.for_datetime(NEXT_DEADLINE_SEARCH_ATTRIBUTE)


def publish_search_attributes(stage: str, deadline: datetime | None) -> None:
    workflow.upsert_search_attributes(
        [
            STAGE_KEY.value_set(stage),
            NEXT_DEADLINE_KEY.value_set(deadline) if deadline else NEXT_DEADLINE_KEY.value_unset(),
        ]
    )


# ----- refusals -------------------------------------------------------------------------------

TRANSITION_REFUSED = "TransitionRefused"


def refused(message: str) -> ApplicationError:
    """Fails the update with a message for the person; the workflow itself carries on."""
    return ApplicationError(message, type=TRANSITION_REFUSED, non_retryable=True)


def refuse_if(refusal: str | None) -> None:
    """In an update handler: a rule that refuses (checked again once the handler holds the lock,
    since another update may have come first) fails the update."""
    if refusal:
        raise refused(refusal)


def reject_if(refusal: str | None) -> None:
    """In a validator: a plain error rejects the update before it is recorded in the history."""
    if refusal:
        raise ValueError(refusal)


def business_refusal(exc: ActivityError) -> ApplicationError | None:
    """What an activity raised on purpose (its ApplicationError), if that is why it failed."""
    return exc.cause if isinstance(exc.cause, ApplicationError) else None


def refusal_of(exc: ActivityError) -> BaseException:
    """An activity's business refusal, as the update's own refusal (same French message)."""
    cause = business_refusal(exc)
    return refused(cause.message) if cause is not None else exc


# ----- staged writes ---------------------------------------------------------------------------

# Updates that name a staged write apply it (domain/staged_writes.py); histories recorded before
# replay without that step.
STAGED_WRITES_PATCH = "staged-writes"


async def apply_staged_write(
    staged_write_id: str | None, dossier_id: str, negotiation_id: str | None = None
) -> None:
    """In an update handler, once its rules accepted the action: the rows the web app staged
    for it become data. A write unknown to this dossier or negotiation refuses the update."""
    if staged_write_id is None or not workflow.patched(STAGED_WRITES_PATCH):
        return
    write = ApplyStagedWrite(staged_write_id, dossier_id, negotiation_id)
    try:
        await run(APPLY_STAGED_WRITE, write, SHORT)
    except ActivityError as exc:
        raise refusal_of(exc) from None


# ----- waits ----------------------------------------------------------------------------------


async def wait_until(moment: datetime, condition: Callable[[], bool]) -> bool:
    """Wait for `condition` until `moment`; True if it came true first. A moment already past
    starts no timer."""
    remaining = moment - workflow.now()
    if remaining <= timedelta(0):
        return False
    try:
        await workflow.wait_condition(condition, timeout=remaining)
    except TimeoutError:
        return False
    return True
