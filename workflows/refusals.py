"""Refusals inside update handlers: the update fails with a French message for the person, the
workflow itself carries on (the validators refuse earlier with a plain ValueError)."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError

TRANSITION_REFUSED = "TransitionRefused"


def refused(message: str) -> ApplicationError:
    """Fails the update with a message for the person; the workflow itself carries on."""
    return ApplicationError(message, type=TRANSITION_REFUSED, non_retryable=True)


def refusal_of(exc: ActivityError) -> BaseException:
    """An activity's business refusal, as the update's own refusal (same French message)."""
    if isinstance(exc.cause, ApplicationError):
        return refused(exc.cause.message)
    return exc
