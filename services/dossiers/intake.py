"""Opening a dossier: client, encrypted fields, blind indexes, creditors, expected documents,
timeline, audit and the workflow-start intent, all in the caller's transaction.

Field ciphertexts are bound to (table, column, row id) with the column named without its
"_enc" suffix: ("client", "email", client.id), as the activities read them.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from config.settings import Settings
from domain.clock import utcnow
from domain.errors import InvalidInput
from domain.french_dates import PARIS
from domain.french_text import counted
from domain.intake import CreditorIn, DossierCreate
from models.client import Client
from models.dossier import Dossier, DossierCreditor, ExpectedDocument, TimelineEvent
from models.staff import StaffUser
from security.blind_index import blind_index
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import (
    DOSSIER_WRITERS,
    actor_of,
    deny,
    require_personal_data_role,
)
from services.dossiers.search_index import ClientDetails, index_client, index_creditor

EMAIL_INDEX = "client.email"
LAST_NAME_INDEX = "client.last_name"
REFERENCE_PREFIX = "CRV"
_REFERENCE_ATTEMPTS = 5


def new_id() -> str:
    """Opaque identifier: random, so it reveals neither order nor volume."""
    return secrets.token_hex(16)


def require_dossier_creator(session: Session, actor: StaffUser) -> None:
    """AccessDenied (audited) for anyone who may not open dossiers."""
    require_personal_data_role(session, actor, "dossier.create")
    if actor.role not in DOSSIER_WRITERS:
        deny(
            session,
            actor,
            "dossier",
            "new",
            reason="dossier.create",
            message="Votre rôle permet de consulter les dossiers, pas d'en créer.",
        )


def create_dossier(
    session: Session, data: DossierCreate, actor: StaffUser, settings: Settings
) -> Dossier:
    require_dossier_creator(session, actor)
    assignee = _assignee(session, data, actor)

    client_id, dossier_id = new_id(), new_id()
    # Appending to the audit chain locks its head until commit, which also serialises the
    # allocation of dossier references below between concurrent intakes.
    append_audit(
        session,
        actor_of(actor),
        "client.create",
        "client",
        client_id,
        reason="ouverture de dossier",
        detail={"dossier_id": dossier_id},
    )
    append_audit(
        session,
        actor_of(actor),
        "dossier.create",
        "dossier",
        dossier_id,
        reason="ouverture de dossier",
        detail={"client_id": client_id, "assignee_id": assignee.id},
    )

    wrapped, cipher = ClientCipher.new_client(client_id, settings)
    client = Client(
        id=client_id,
        wrapped_key=wrapped,
        first_name_enc=cipher.encrypt("client", "first_name", client_id, data.first_name),
        last_name_enc=cipher.encrypt("client", "last_name", client_id, data.last_name),
        email_enc=cipher.encrypt("client", "email", client_id, data.email),
        phone_enc=cipher.encrypt("client", "phone", client_id, data.phone),
        address_enc=cipher.encrypt("client", "address", client_id, data.address),
        email_bidx=blind_index(EMAIL_INDEX, data.email, settings),
        last_name_bidx=blind_index(LAST_NAME_INDEX, data.last_name, settings),
        departement=data.departement,
        preferred_channel=data.preferred_channel,
        progress_emails=data.progress_emails,
        marketing_emails=data.marketing_emails,
    )
    session.add(client)
    session.flush()
    details = ClientDetails(data.first_name, data.last_name, data.email, data.phone)
    index_client(session, client_id, details, settings)
    dossier = _insert_dossier(session, dossier_id, client, assignee)

    for creditor_in in data.creditors:
        add_dossier_creditor(session, cipher, dossier.id, creditor_in, settings)
    for kind in data.expected_documents:
        session.add(ExpectedDocument(dossier_id=dossier.id, kind=kind))
    session.add(
        TimelineEvent(
            dossier_id=dossier.id,
            kind="created",
            summary=(
                f"Dossier créé : {counted(len(data.creditors), 'créancier')}, "
                f"{counted(len(data.expected_documents), 'pièce attendue', 'pièces attendues')}"
            ),
            actor=actor_of(actor),
        )
    )
    session.flush()
    return dossier


def add_dossier_creditor(
    session: Session,
    cipher: ClientCipher,
    dossier_id: str,
    creditor_in: CreditorIn,
    settings: Settings,
) -> DossierCreditor:
    """One creditor of the dossier; its account reference encrypted under the client's key,
    bound to the row id (at intake, and when a creditor is added during the negotiation); its
    name in the search index."""
    creditor = DossierCreditor(dossier_id=dossier_id, name=creditor_in.name, kind=creditor_in.kind)
    session.add(creditor)
    session.flush()
    creditor.account_reference_enc = cipher.encrypt(
        "dossier_creditor", "account_reference", str(creditor.id), creditor_in.account_reference
    )
    index_creditor(session, cipher.client_id, creditor, settings)
    return creditor


def _assignee(session: Session, data: DossierCreate, actor: StaffUser) -> StaffUser:
    """The actor by default; otherwise an active case worker or supervisor of the same team."""
    if data.assignee_id is None or data.assignee_id == actor.id:
        return actor
    assignee = session.get(StaffUser, data.assignee_id)
    if (
        assignee is None
        or not assignee.active
        or assignee.role not in DOSSIER_WRITERS
        or assignee.team != actor.team
    ):
        raise InvalidInput({"assignee_id": "Choisissez un conseiller actif de votre équipe."})
    return assignee


def _insert_dossier(
    session: Session, dossier_id: str, client: Client, assignee: StaffUser
) -> Dossier:
    """Insert with the next reference of the year; retry if a concurrent insert took it."""
    assert assignee.id is not None  # a stored account
    now = utcnow()
    for _ in range(_REFERENCE_ATTEMPTS):
        dossier = Dossier(
            id=dossier_id,
            reference=next_reference(session, now),
            client_id=client.id,
            assignee_id=assignee.id,
            team=assignee.team,
            created_at=now,
            updated_at=now,
        )
        try:
            with session.begin_nested():
                session.add(dossier)
        except IntegrityError:
            continue
        return dossier
    raise RuntimeError("could not allocate a dossier reference")


def reference_starts_with(prefix: str, dialect: str) -> ColumnElement[bool]:
    """reference starts with `prefix` (stored upper-case), in a form the unique index serves.

    SQLite's LIKE ignores case and so cannot use a BINARY index; its GLOB can. Elsewhere LIKE.
    """
    if dialect == "sqlite":
        pattern = "".join(f"[{c}]" if c in "*?[" else c for c in prefix)
        return col(Dossier.reference).op("GLOB")(pattern + "*")
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(Dossier.reference).like(escaped + "%", escape="\\")


def next_reference(session: Session, now: datetime) -> str:
    """CRV-<year>-<6 digits>, one more than the highest of the year."""
    # The year a French reader sees: 1 January at 00:30 in Paris is already the new year.
    prefix = f"{REFERENCE_PREFIX}-{now.astimezone(PARIS).year}-"
    dialect = session.get_bind().dialect.name
    highest = session.exec(
        select(func.max(Dossier.reference)).where(reference_starts_with(prefix, dialect))
    ).one()
    number = int(highest.removeprefix(prefix)) + 1 if highest else 1
    return f"{prefix}{number:06d}"
