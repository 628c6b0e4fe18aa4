"""The errors the app raises on purpose, shared by every layer (no import of anything else here).

Each carries a French `message` meant for the person and the HTTP status the web answers with
(web/errors.py maps them in one place). A refusal changes nothing: it is raised before anything
is written, or the transaction it interrupts rolls back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class CravelynosError(Exception):
    """Base of every error of the app. Status 500 marks a fault: its message is never shown."""

    status_code: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CravelynosError, ValueError):
    """Input refused, field by field (a check the models cannot make alone, e.g. one needing
    the database)."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


class ConflictingInput(InvalidInput):
    """Input that conflicts with what exists (a person's open dossier, a reused request key),
    field by field: 409."""

    status_code = 409


class UnknownReference(InvalidInput):
    """A field names something that does not exist, or not for the caller (who cannot tell
    which): 404, on that field."""

    status_code = 404


class NotFound(CravelynosError, LookupError):
    status_code = 404


class AccessDenied(CravelynosError, PermissionError):
    """Refused (and already audited)."""

    status_code = 403


class Refused(CravelynosError):
    """The action is not possible in the current state (of a dossier, a negotiation...)."""

    status_code = 409


class Unavailable(CravelynosError):
    """A service the action needs cannot be reached now; nothing was changed."""

    status_code = 503


class LinkRefused(CravelynosError):
    """A client's signed link is authentic but cannot be used now (closed dossier, decided
    already, past its deadline...): its page says so with this heading and status."""

    def __init__(
        self, status_code: int, heading: str, message: str, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code  # type: ignore[misc]
        self.heading = heading
        self.retry_after = retry_after


# The type (ApplicationError.type) of a message that no retry can build, stored text being at
# fault: named once for the outbox that raises it and the workflows that turn it into a task.
MESSAGE_UNBUILDABLE = "MessageUnbuildable"
