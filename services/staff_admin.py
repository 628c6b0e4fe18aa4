"""What admins do with staff accounts: list them, invite a new person (who chooses their own
password through a single-use link), change a role or team, deactivate and reactivate.

Everything is audited by account id (old and new values for a role or team change). The last
active admin is protected: no change may leave the service without one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.errors import InvalidInput, NotFound, Refused
from models.staff import Role, StaffUser
from models.staff_link import LinkPurpose
from services.audit import append_audit
from services.staff_accounts import create_staff_user, deactivate
from services.staff_links import issue_link, unused_invitations

TEAM_MAX = 40
ROLE_UNKNOWN = "Choisissez un rôle dans la liste."
TEAM_MISSING = "L'équipe est obligatoire."
TEAM_SHAPE = (
    "L'équipe s'écrit en lettres sans accent, chiffres et tirets (par exemple « paris »), "
    f"{TEAM_MAX} caractères au maximum."
)
# Teams are identifiers that scope dossiers: "Paris" and "paris " must be the same team.
_TEAM = re.compile(rf"^[a-z0-9][a-z0-9_-]{{0,{TEAM_MAX - 1}}}$")
LAST_ADMIN = (
    "C'est le dernier compte administrateur actif : nommez d'abord un autre administrateur, "
    "sinon plus personne ne pourrait gérer les comptes."
)
ACCOUNT_MISSING = "Ce compte n'existe pas."


@dataclass(frozen=True)
class AccountRow:
    id: int
    display_name: str
    email: str
    role: Role
    team: str
    active: bool
    created_at: datetime
    # None: no invitation waiting; False: waiting and valid; True: it expired unused.
    invitation_expired: bool | None


def actor(admin: StaffUser) -> str:
    return f"staff:{admin.id}"


def list_accounts(session: Session, admin: StaffUser) -> list[AccountRow]:
    """Every account (names and addresses of the staff: the read is audited)."""
    append_audit(session, actor(admin), "staff.accounts_listed", "staff_user", "all")
    invitations = unused_invitations(session)
    users = session.exec(
        select(StaffUser).order_by(col(StaffUser.active).desc(), col(StaffUser.display_name))
    ).all()
    return [
        AccountRow(
            id=user.id,
            display_name=user.display_name,
            email=user.email,
            role=Role(user.role),
            team=user.team,
            active=user.active,
            created_at=user.created_at,
            invitation_expired=invitations.get(user.id) if user.id is not None else None,
        )
        for user in users
        if user.id is not None
    ]


def teams_in_use(session: Session) -> list[str]:
    return sorted(set(session.exec(select(StaffUser.team)).all()))


def get_account(session: Session, account_id: int, admin: StaffUser) -> StaffUser:
    """One account, read by `admin` (audited)."""
    user = session.get(StaffUser, account_id)
    if user is None:
        raise NotFound(ACCOUNT_MISSING)
    append_audit(session, actor(admin), "staff.account_read", "staff_user", str(user.id))
    return user


def _role_and_team(role: str, team: str, errors: dict[str, str]) -> tuple[Role | None, str]:
    chosen = Role(role) if role in {r.value for r in Role} else None
    if chosen is None:
        errors["role"] = ROLE_UNKNOWN
    team_name = team.strip().casefold()
    if not team_name:
        errors["team"] = TEAM_MISSING
    elif not _TEAM.match(team_name):
        errors["team"] = TEAM_SHAPE
    return chosen, team_name


def invite_account(
    session: Session, admin: StaffUser, *, email: str, display_name: str, role: str, team: str
) -> tuple[StaffUser, str]:
    """A new account and the secret of its invitation link; InvalidInput changes nothing.

    Its password is random and never shown: only the invitation sets one the person knows."""
    errors: dict[str, str] = {}
    _role, team_name = _role_and_team(role, team, errors)
    try:
        # A refused team goes in empty: refused there too, before anything is written.
        user = create_staff_user(
            session,
            email=email,
            display_name=display_name,
            role=role,
            team="" if "team" in errors else team_name,
            password=secrets.token_urlsafe(32),
        )
    except InvalidInput as exc:
        raise InvalidInput({**exc.errors, **errors}) from None
    if errors:
        raise InvalidInput(errors)
    secret = issue_link(session, user, LinkPurpose.INVITATION, actor(admin))
    append_audit(
        session,
        actor(admin),
        "staff.account_created",
        "staff_user",
        str(user.id),
        detail={"role": user.role.value, "team": user.team},
    )
    return user, secret


def reinvite(session: Session, admin: StaffUser, user: StaffUser) -> str:
    """A fresh invitation link (the first one expired or its message was lost)."""
    if not user.active:
        raise Refused("Ce compte est désactivé : réactivez-le d'abord.")
    secret = issue_link(session, user, LinkPurpose.INVITATION, actor(admin))
    append_audit(session, actor(admin), "staff.invitation_sent", "staff_user", str(user.id))
    return secret


def _other_active_admins(session: Session, user: StaffUser) -> int:
    # Locked on PostgreSQL: two admins demoting each other at once cannot both pass the check
    # (SQLite transactions are serialised already).
    rows = session.exec(
        select(StaffUser.id)
        .where(col(StaffUser.role) == Role.ADMIN, col(StaffUser.active))
        .where(col(StaffUser.id) != user.id)
        .with_for_update()
    ).all()
    return len(rows)


def _protect_last_admin(session: Session, user: StaffUser) -> None:
    if user.role == Role.ADMIN and user.active and _other_active_admins(session, user) == 0:
        raise Refused(LAST_ADMIN)


def update_account(
    session: Session, admin: StaffUser, user: StaffUser, *, role: str, team: str
) -> dict[str, list[str]]:
    """A new role and team; returns what changed (old, new), audited."""
    errors: dict[str, str] = {}
    new_role, new_team = _role_and_team(role, team, errors)
    if errors or new_role is None:
        raise InvalidInput(errors)
    if new_role != Role.ADMIN:
        _protect_last_admin(session, user)
    changes = {
        name: [str(old), str(new)]
        for name, old, new in (("role", user.role, new_role), ("team", user.team, new_team))
        if str(old) != str(new)
    }
    if not changes:
        return changes
    user.role = new_role
    user.team = new_team
    session.add(user)
    append_audit(
        session, actor(admin), "staff.account_updated", "staff_user", str(user.id), detail=changes
    )
    return changes


def deactivate_account(session: Session, admin: StaffUser, user: StaffUser) -> int:
    """The account can no longer sign in; its sessions, tokens and links end."""
    if not user.active:
        return 0
    _protect_last_admin(session, user)
    ended = deactivate(session, user, actor(admin))
    append_audit(session, actor(admin), "staff.account_deactivated", "staff_user", str(user.id))
    return ended


def reactivate_account(session: Session, admin: StaffUser, user: StaffUser) -> bool:
    if user.active:
        return False
    user.active = True
    session.add(user)
    append_audit(session, actor(admin), "staff.account_reactivated", "staff_user", str(user.id))
    return True
