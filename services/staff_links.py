"""Single-use links to choose a password: a forgotten-password reset (valid one hour) or the
invitation of a new account (72 hours).

The emailed link carries a random secret; the table keeps its SHA-256 only, with the expiry and
the moment it was used. Using a link marks it used in the same statement that checks it was
not (two submissions at once: one wins), and choosing a password by any route ends every link
still open for the account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select, update

from domain.clock import as_utc, utcnow
from models.staff import StaffUser
from models.staff_link import LinkPurpose, StaffAccountLink

VALIDITY = {LinkPurpose.RESET: timedelta(hours=1), LinkPurpose.INVITATION: timedelta(hours=72)}
# token_urlsafe(32) gives 43 characters; anything else was never issued.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LinkState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link: StaffAccountLink | None = None
    user: StaffUser | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_link(session: Session, user: StaffUser, purpose: LinkPurpose, actor: str) -> str:
    """A new link for `user`; returns the secret that goes into the emailed address."""
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffAccountLink(
            id=_digest(secret),
            staff_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + VALIDITY[purpose],
            created_by=actor,
        )
    )
    session.flush()
    return secret


def check_link(session: Session, secret: str, now: datetime | None = None) -> LinkCheck:
    """What the link with `secret` is worth now (nothing is changed)."""
    if not _SECRET.match(secret):
        return LinkCheck(LinkState.UNKNOWN)
    link = session.get(StaffAccountLink, _digest(secret))
    if link is None:
        return LinkCheck(LinkState.UNKNOWN)
    user = session.get(StaffUser, link.staff_id)
    if user is None:
        return LinkCheck(LinkState.UNKNOWN)
    if link.used_at is not None:
        return LinkCheck(LinkState.USED, link, user)
    if as_utc(link.expires_at) <= (now or utcnow()):
        return LinkCheck(LinkState.EXPIRED, link, user)
    if not user.active:
        return LinkCheck(LinkState.INACTIVE, link, user)
    return LinkCheck(LinkState.VALID, link, user)


def claim_link(session: Session, link: StaffAccountLink) -> bool:
    """Mark the link used unless someone did first; True if this caller got it."""
    result = session.exec(
        update(StaffAccountLink)
        .where(col(StaffAccountLink.id) == link.id, col(StaffAccountLink.used_at).is_(None))
        .values(used_at=utcnow())
    )
    return int(result.rowcount or 0) == 1


def end_open_links(session: Session, staff_id: int) -> int:
    """Every link of the account not used yet is over (a new password, a deactivation)."""
    result = session.exec(
        update(StaffAccountLink)
        .where(col(StaffAccountLink.staff_id) == staff_id, col(StaffAccountLink.used_at).is_(None))
        .values(used_at=utcnow())
    )
    return int(result.rowcount or 0)


def unused_invitations(session: Session) -> dict[int, bool]:
    """Accounts whose invitation was never used (no password chosen yet), and whether every
    such invitation has expired (True: the admin should send a new one)."""
    rows = session.exec(
        select(StaffAccountLink.staff_id, StaffAccountLink.expires_at).where(
            col(StaffAccountLink.purpose) == LinkPurpose.INVITATION,
            col(StaffAccountLink.used_at).is_(None),
        )
    ).all()
    now = utcnow()
    expired: dict[int, bool] = {}
    for staff_id, expires_at in rows:
        expired[staff_id] = expired.get(staff_id, True) and as_utc(expires_at) <= now
    return expired
