"""Helpers of the web tests: staff accounts, API tokens, dossiers, row counts."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, func, select

from config.settings import Settings
from domain.intake import DossierCreate
from gateway.start_intents import create_dossier_with_start_intent
from models.audit import AuditEntry
from models.database import session_scope
from models.dossier import Dossier
from models.staff import Role, StaffUser
from security.passwords import hash_password

PASSWORD = "correct horse battery staple"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def offline(settings: Settings, **overrides: Any) -> Settings:
    """The same settings with Temporal unreachable (and any other override)."""
    return settings.model_copy(
        update={"temporal_address": f"127.0.0.1:{closed_port()}", **overrides}
    )


@dataclass
class Staff:
    case_worker: StaffUser
    colleague: StaffUser
    supervisor: StaffUser
    other_team: StaffUser
    other_supervisor: StaffUser
    dpo: StaffUser
    ops: StaffUser
    admin: StaffUser


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose: hash the shared test password once per run.
    return hash_password(PASSWORD)


def make_team(settings: Settings) -> Staff:
    """One staff member per role (two teams, two case workers in Paris), sharing PASSWORD."""
    specs = {
        "case_worker": ("alice@cravelynos.example", "Alice Martin", Role.CASE_WORKER, "paris"),
        "colleague": ("bruno@cravelynos.example", "Bruno Petit", Role.CASE_WORKER, "paris"),
        "supervisor": ("chloe@cravelynos.example", "Chloé Durand", Role.SUPERVISOR, "paris"),
        "other_team": ("driss@cravelynos.example", "Driss Benali", Role.CASE_WORKER, "lyon"),
        "other_supervisor": ("eve@cravelynos.example", "Ève Roux", Role.SUPERVISOR, "lyon"),
        "dpo": ("dpo@cravelynos.example", "Fanny Leroy", Role.DPO, "conformite"),
        "ops": ("ops@cravelynos.example", "Gaël Morel", Role.OPS, "technique"),
        "admin": ("admin@cravelynos.example", "Hugo Blanc", Role.ADMIN, "technique"),
    }
    with session_scope(settings) as session:
        users = {
            name: StaffUser(
                email=email,
                display_name=display,
                role=role,
                team=team,
                password_hash=_password_hash(),
            )
            for name, (email, display, role, team) in specs.items()
        }
        session.add_all(users.values())
    return Staff(**users)


def token_for(client: TestClient, user: StaffUser) -> str:
    response = client.post(
        "/api/v1/auth/token", data={"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def dossier_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "email": "jeanne.dupont@exemple.fr",
        "phone": "06 12 34 56 78",
        "address": "12 rue des Lilas\n75011 Paris",
        "departement": "75",
        "preferred_channel": "email",
        "progress_emails": True,
        "marketing_emails": False,
        "creditors": [
            {"name": "Banque Exemple", "kind": "bank", "account_reference": "FR76-0001"},
            {"name": "Énergie Plus", "kind": "energy", "account_reference": None},
        ],
        "expected_documents": ["identity", "income", "bank_statements"],
    }
    payload.update(overrides)
    return payload


def seed_dossier(settings: Settings, actor: StaffUser, **overrides: Any) -> Dossier:
    """A dossier created through the service, as the API would."""
    with session_scope(settings) as session:
        return create_dossier_with_start_intent(
            session, DossierCreate(**dossier_payload(**overrides)), actor, settings
        )


def count(settings: Settings, model: type) -> int:
    with session_scope(settings) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def audit_entries(settings: Settings, action: str) -> list[AuditEntry]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.seq))
            ).all()
        )


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, user: StaffUser) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    token = CSRF.search(client.get("/login").text)
    assert token
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get("/dossiers/new")
    match = CSRF.search(page.text)
    assert match
    return match.group(1)
