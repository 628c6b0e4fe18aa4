"""Real pieces of the stack for tests: SMTP catcher, Temporal servers, staff and dossiers."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlmodel import select
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client

from config.settings import Settings
from dev.mail_catcher import MailboxHandler, MailboxMessage, list_messages
from domain.dossier_stages import CreditorKind, DocumentKind
from domain.intake import DossierCreate
from gateway.start_intents import create_dossier_with_start_intent
from models.database import session_scope
from models.dossier import Dossier
from models.staff import Role, StaffUser
from services.staff_accounts import create_staff_user
from support.files import pdf_with
from workflows.plumbing import NEXT_DEADLINE_SEARCH_ATTRIBUTE, STAGE_SEARCH_ATTRIBUTE

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
TEMPORAL_CLI = str(VENV_BIN / "temporal")
TEMPORAL_TEST_SERVER = str(VENV_BIN / "temporal-test-server")
STAFF_PASSWORD = "correct horse battery staple"

# A tiny but valid PDF, to upload as a supporting document.
TINY_PDF = pdf_with()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_catcher(directory: Path, port: int) -> Iterator[Controller]:
    """A real SMTP server (aiosmtpd) writing what it accepts under `directory`."""
    controller = Controller(MailboxHandler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def received(settings: Settings) -> list[MailboxMessage]:
    """Messages the catcher of `settings` accepted, oldest first."""
    return list(reversed(list_messages(settings)))


async def wait_for_messages(
    settings: Settings, count: int, timeout: float = 20.0
) -> list[MailboxMessage]:
    """Wait (without blocking the event loop the worker runs on) for `count` messages."""
    deadline = time.monotonic() + timeout
    while True:
        messages = received(settings)
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        await asyncio.sleep(0.05)


async def register_search_attributes(client: Client, namespace: str = "default") -> None:
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=namespace,
            search_attributes={
                STAGE_SEARCH_ATTRIBUTE: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                NEXT_DEADLINE_SEARCH_ATTRIBUTE: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
            },
        )
    )


def make_staff(
    settings: Settings,
    email: str = "conseillere@cravelynos.example",
    role: Role = Role.CASE_WORKER,
    team: str = "paris",
    name: str = "Claire Martin",
) -> StaffUser:
    with session_scope(settings) as session:
        existing = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
        if existing is not None:
            return existing
        return create_staff_user(
            session, email=email, display_name=name, role=role, team=team, password=STAFF_PASSWORD
        )


def intake(
    email: str = "jeanne.dupont@example.org",
    documents: tuple[DocumentKind, ...] = (DocumentKind.IDENTITY, DocumentKind.INCOME),
    first_name: str = "Jeanne",
    last_name: str = "Dupont",
    phone: str = "06 12 34 56 78",
) -> DossierCreate:
    return DossierCreate(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        address="12 rue des Lilas\n75011 Paris",
        departement="75",
        creditors=[
            {"name": "Banque Exemple", "kind": CreditorKind.BANK, "account_reference": "FR76-1"},
            {"name": "Énergie Exemple", "kind": CreditorKind.ENERGY},
        ],
        expected_documents=list(documents),
    )


def make_dossier(
    settings: Settings, staff: StaffUser, data: DossierCreate | None = None
) -> Dossier:
    with session_scope(settings) as session:
        actor = session.get(StaffUser, staff.id)
        assert actor is not None
        return create_dossier_with_start_intent(session, data or intake(), actor, settings)


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a `cravelynos` command reads `settings` from (and `extra` CRAVELYNOS_
    variables), free of any the test process inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAVELYNOS_")}
    env.update(
        CRAVELYNOS_DATA_DIR=str(settings.data_dir),
        CRAVELYNOS_DATABASE_URL=settings.database_url,
        CRAVELYNOS_MASTER_KEYS=settings.master_keys,
        CRAVELYNOS_ACTIVE_KEY_ID=settings.active_key_id,
        CRAVELYNOS_AUDIT_KEY=settings.audit_key,
        CRAVELYNOS_TEMPORAL_ADDRESS=settings.temporal_address,
        CRAVELYNOS_TEMPORAL_NAMESPACE=settings.temporal_namespace,
        CRAVELYNOS_TASK_QUEUE=settings.task_queue,
        CRAVELYNOS_SMTP_HOST=settings.smtp_host,
        CRAVELYNOS_SMTP_PORT=str(settings.smtp_port),
        **extra,
    )
    return env


def run_cli(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`cravelynos ARGS` as an operator runs it, against `settings`' database, keys and Temporal.

    A usual login umask: the command must make its files private itself."""
    return subprocess.run(
        [str(VENV_BIN / "cravelynos"), *args],
        env=cli_env(settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        umask=0o022,
    )
