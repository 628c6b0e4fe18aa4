"""Staff accounts: creation with checked input, and password authentication."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session, select

from domain.contact_fields import normalise_email
from domain.errors import InvalidInput, Refused
from domain.input_fields import check_field, name_text
from domain.password_strength import weak_password_reason
from models.staff import Role, StaffUser
from models.staff_link import LinkPurpose
from security.passwords import hash_password, needs_rehash, verify_password
from services.audit import append_audit
from services.staff_links import LinkCheck, LinkState, check_link, claim_link, end_open_links
from services.staff_sessions import revoke_all

MIN_PASSWORD_LENGTH = 12
PASSWORD_TOO_SHORT = f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
# Form fields of every "choose a new password" form (own account, reset link, invitation).
NEW_PASSWORD = "new_password"
CONFIRMATION = "confirm_password"
CURRENT_PASSWORD = "current_password"
NEW_PASSWORD_MISSING = "Saisissez le nouveau mot de passe."
CONFIRMATION_MISMATCH = "La confirmation ne reprend pas le nouveau mot de passe à l'identique."
CURRENT_MISSING = "Saisissez votre mot de passe actuel."
CURRENT_WRONG = "Le mot de passe actuel est incorrect."
SAME_AS_CURRENT = "Le nouveau mot de passe doit être différent de l'actuel."
DISPLAY_NAME_CHECK = name_text("Nom affiché", 120, missing="Le nom affiché est obligatoire.")


@cache
def _dummy_hash() -> str:
    # Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    return hash_password("cravelynos-timing-equaliser")


def _email_key(email: str) -> str:
    return email.strip().casefold()


def create_staff_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    role: Role | str,
    team: str,
    password: str,
) -> StaffUser:
    """Add a staff account to the caller's transaction; InvalidInput lists what is wrong."""
    errors: dict[str, str] = {}
    try:
        address = _email_key(normalise_email(email))
    except ValueError as exc:
        errors["email"] = str(exc)
        address = ""
    if address and session.exec(select(StaffUser.id).where(StaffUser.email == address)).first():
        errors["email"] = "Un compte existe déjà avec cette adresse e-mail."
    name = check_field(DISPLAY_NAME_CHECK, display_name, errors, "display_name")
    if role not in {r.value for r in Role}:
        errors["role"] = "Rôle inconnu : " + ", ".join(r.value for r in Role) + "."
    team_name = team.strip()
    if not team_name or len(team_name) > 40:
        errors["team"] = "L'équipe est obligatoire (40 caractères au maximum)."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = PASSWORD_TOO_SHORT
    if errors or name is None:
        raise InvalidInput(errors)
    user = StaffUser(
        email=address,
        display_name=name,
        role=Role(role),
        team=team_name,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def find_staff_by_email(session: Session, email: str) -> StaffUser | None:
    return session.exec(select(StaffUser).where(StaffUser.email == _email_key(email))).first()


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None (same cost either way)."""
    user = find_staff_by_email(session, email) if email.strip() else None
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def set_password(session: Session, user: StaffUser, password: str, actor: str) -> int:
    """A new password; every session and API token of the account ends (returns how many)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": PASSWORD_TOO_SHORT})
    user.password_hash = hash_password(password)
    session.add(user)
    return revoke_all(session, user, actor, "password_changed")


def deactivate(session: Session, user: StaffUser, actor: str) -> int:
    """The account can no longer sign in, and every session and API token it holds ends."""
    user.active = False
    session.add(user)
    assert user.id is not None
    end_open_links(session, user.id)
    return revoke_all(session, user, actor, "deactivated")


def new_password_errors(user: StaffUser, new: str, confirmation: str) -> dict[str, str]:
    """What is wrong with a chosen password and its confirmation, by form field."""
    errors: dict[str, str] = {}
    if not new:
        errors[NEW_PASSWORD] = NEW_PASSWORD_MISSING
    elif len(new) < MIN_PASSWORD_LENGTH:
        errors[NEW_PASSWORD] = PASSWORD_TOO_SHORT
    elif reason := weak_password_reason(new, (user.email, user.display_name)):
        errors[NEW_PASSWORD] = reason
    if new and NEW_PASSWORD not in errors and confirmation != new:
        errors[CONFIRMATION] = CONFIRMATION_MISMATCH
    return errors


def _password_changed(session: Session, user: StaffUser, password: str, how: str) -> int:
    """Store the password; every session, API token and open link of the account ends."""
    assert user.id is not None
    ended = set_password(session, user, password, f"staff:{user.id}")
    end_open_links(session, user.id)
    append_audit(
        session,
        f"staff:{user.id}",
        "staff.password_changed",
        "staff_user",
        str(user.id),
        reason=how,
    )
    return ended


def change_own_password(
    session: Session, user: StaffUser, current: str, new: str, confirmation: str
) -> int:
    """A signed-in person changes their password; InvalidInput (by field) changes nothing.
    Every session of the account ends, the caller's too: the page opens it a fresh one."""
    errors: dict[str, str] = {}
    if not current:
        errors[CURRENT_PASSWORD] = CURRENT_MISSING
    elif not verify_password(user.password_hash, current):
        errors[CURRENT_PASSWORD] = CURRENT_WRONG
    errors.update(new_password_errors(user, new, confirmation))
    if not errors and new == current:
        errors[NEW_PASSWORD] = SAME_AS_CURRENT
    if errors:
        raise InvalidInput(errors)
    return _password_changed(session, user, new, "own")


def password_from_link(
    session: Session, secret: str, new: str, confirmation: str
) -> tuple[LinkCheck, StaffUser]:
    """Choose a password through a reset or invitation link.

    A link that is not valid (unknown, expired, used, account inactive) is returned as it
    stands with nothing changed; InvalidInput on a refused password leaves the link usable."""
    check = check_link(session, secret)
    if check.state != LinkState.VALID or check.link is None or check.user is None:
        raise AccountLinkRefused(check)
    user = check.user
    errors = new_password_errors(user, new, confirmation)
    if errors:
        raise InvalidInput(errors)
    if not claim_link(session, check.link):
        raise AccountLinkRefused(LinkCheck(LinkState.USED, check.link, user))
    _password_changed(session, user, new, LinkPurpose(check.link.purpose).value)
    return check, user


class AccountLinkRefused(Refused):
    """The link cannot be used (see check.state); nothing was changed."""

    def __init__(self, check: LinkCheck) -> None:
        super().__init__(check.state.value)
        self.check = check
