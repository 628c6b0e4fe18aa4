"""Staff accounts: creation with checked input, and password authentication."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session, select

from domain.contact_fields import normalise_email
from domain.errors import InvalidInput
from domain.input_fields import check_field, name_text
from models.staff import Role, StaffUser
from security.passwords import hash_password, needs_rehash, verify_password
from services.staff_sessions import revoke_all

MIN_PASSWORD_LENGTH = 12
PASSWORD_TOO_SHORT = f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
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
    return revoke_all(session, user, actor, "deactivated")
