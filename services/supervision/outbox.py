"""The email outbox as ops see it: the backlog and the messages the relay refused. Never the
address, subject or body: the template code, the date and the error's class only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.clock import as_utc
from models.outbox import EmailStatus, OutboxEmail

REFUSED_WINDOW = timedelta(days=7)
LATEST_REFUSED = 20
# The outbox records "<ExceptionClass> <SMTP code>"; keep that shape whatever else a row holds.
_ERROR_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(?: \d{3})?")


@dataclass(frozen=True)
class RefusedEmail:
    template: str
    at: datetime
    error_class: str
    attempts: int


@dataclass(frozen=True)
class OutboxHealth:
    queued: int
    oldest_queued_at: datetime | None
    refused_count: int
    refused: list[RefusedEmail]


def error_class(error: str | None) -> str:
    found = _ERROR_CLASS.match(error or "")
    return found.group(0) if found else "Erreur inconnue"


def outbox_health(session: Session, now: datetime) -> OutboxHealth:
    status = col(OutboxEmail.status)
    queued, oldest = session.exec(
        select(func.count(), func.min(OutboxEmail.created_at)).where(status == EmailStatus.QUEUED)
    ).one()
    since = now - REFUSED_WINDOW
    refused_filter = (status == EmailStatus.FAILED, col(OutboxEmail.created_at) >= since)
    refused_count = session.exec(select(func.count()).where(*refused_filter)).one()
    rows = session.exec(
        select(
            OutboxEmail.template,
            OutboxEmail.created_at,
            OutboxEmail.last_error,
            OutboxEmail.attempts,
        )
        .where(*refused_filter)
        .order_by(col(OutboxEmail.created_at).desc(), col(OutboxEmail.id).desc())
        .limit(LATEST_REFUSED)
    ).all()
    return OutboxHealth(
        queued=int(queued),
        oldest_queued_at=as_utc(oldest) if oldest is not None else None,
        refused_count=int(refused_count),
        refused=[
            RefusedEmail(template, as_utc(at), error_class(error), attempts)
            for template, at, error, attempts in rows
        ],
    )
