"""Server-side staff sessions: every page session and API token names a row, checked on each
request, so logging out, a password change or a deactivation ends them everywhere at once.

The holder keeps a random secret (in the signed session cookie or the signed API token); the
table keeps its SHA-256 only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from domain.clock import as_utc, utcnow
from models.staff import StaffUser
from models.staff_session import SessionKind, StaffSession
from services.audit import append_audit

# last_seen_at is written at most this often: one write per page view would be wasted.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    absolute: timedelta
    # None: no idle limit (API tokens are short-lived instead).
    idle: timedelta | None = None


@dataclass(frozen=True)
class ResumedSession:
    user: StaffUser | None
    # True when the session existed but ran out of time: the login page says so.
    expired: bool = False


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(session: Session, user: StaffUser, kind: SessionKind) -> str:
    """A new session for `user`; returns the secret the holder presents from now on."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    session.add(StaffSession(id=_digest(secret), staff_id=user.id, kind=kind))
    session.flush()
    return secret


def resume_session(
    session: Session, secret: object, limits: SessionLimits, now: datetime | None = None
) -> ResumedSession:
    """The active account behind `secret` if its session is open and within its limits."""
    if not isinstance(secret, str) or not secret:
        return ResumedSession(None)
    row = session.get(StaffSession, _digest(secret))
    if row is None or row.ended_at is not None:
        return ResumedSession(None)
    now = now or utcnow()
    idle_over = limits.idle is not None and now - as_utc(row.last_seen_at) > limits.idle
    if now - as_utc(row.created_at) > limits.absolute or idle_over:
        _end(row, "expired", now)
        session.add(row)
        return ResumedSession(None, expired=True)
    user = session.get(StaffUser, row.staff_id)
    if user is None or not user.active:
        return ResumedSession(None)
    if now - as_utc(row.last_seen_at) >= LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
        session.add(row)
    return ResumedSession(user)


def end_session(session: Session, secret: object, reason: str = "logout") -> None:
    if not isinstance(secret, str) or not secret:
        return
    row = session.get(StaffSession, _digest(secret))
    if row is not None and row.ended_at is None:
        _end(row, reason, utcnow())
        session.add(row)


def end_all_sessions(session: Session, staff_id: int, reason: str) -> int:
    """End every open session and token of one account; returns how many were open."""
    result = session.exec(
        update(StaffSession)
        .where(col(StaffSession.staff_id) == staff_id, col(StaffSession.ended_at).is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    return int(result.rowcount or 0)


def open_sessions(session: Session, staff_id: int) -> list[StaffSession]:
    statement = select(StaffSession).where(
        col(StaffSession.staff_id) == staff_id, col(StaffSession.ended_at).is_(None)
    )
    return list(session.exec(statement).all())


def revoke_all(session: Session, user: StaffUser, actor: str, reason: str) -> int:
    """End all of an account's sessions, audited (an admin's "sign out everywhere")."""
    assert user.id is not None
    ended = end_all_sessions(session, user.id, reason)
    append_audit(
        session,
        actor,
        "auth.sessions_ended",
        "staff_user",
        str(user.id),
        reason=reason,
        detail={"sessions": ended},
    )
    return ended


def _end(row: StaffSession, reason: str, now: datetime) -> None:
    row.ended_at = now
    row.ended_reason = reason
