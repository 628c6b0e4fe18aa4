"""Carrying out an erasure request: the plan (domain/privacy/erasure.py) from the person's
dossiers, then what it erases now — emails and exchanges; documents past their obligation;
when nothing must be kept, everything, the person's data key destroyed first (every copy left,
backups included, becomes unreadable) — recorded in the erasure ledger. Withheld groups stay
until their dossier's retention timer deletes them on the date the plan gives.

Idempotent: a second run finds the emails gone, the key destroyed, the ledger entry written.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.dossier_stages import OPEN_STAGES
from domain.privacy.erasure import (
    DossierFacts,
    ErasurePlan,
    GroupDecision,
    RecordGroup,
    plan_erasure,
)
from domain.retention import RetentionPolicy
from models.client import Client
from models.document import Document
from models.dossier import Dossier
from models.dossier_note import DossierNote
from models.outbox import OutboxEmail
from models.privacy_request import ErasureLedgerEntry, PrivacyRequest
from services.audit import append_audit
from services.documents import delete_document_file
from services.dossiers.search_index import forget_client
from services.dossiers.timeline import add_timeline_event
from services.privacy_requests.restriction import restrict

CLIENT_FIELDS = ("first_name_enc", "last_name_enc", "email_enc", "phone_enc", "address_enc")


def erasure_plan(
    session: Session, request: PrivacyRequest, now: datetime, policy: RetentionPolicy
) -> ErasurePlan:
    dossiers = (
        session.exec(select(Dossier).where(Dossier.client_id == request.client_id)).all()
        if request.client_id
        else []
    )
    facts = [
        DossierFacts(
            open=dossier.stage in OPEN_STAGES,
            legal_hold=dossier.legal_hold,
            closed_at=dossier.closed_at,
        )
        for dossier in dossiers
    ]
    return plan_erasure(facts, now, policy)


def execute_erasure(
    session: Session,
    settings: Settings,
    request: PrivacyRequest,
    now: datetime,
    policy: RetentionPolicy,
) -> ErasurePlan:
    plan = erasure_plan(session, request, now, policy)
    client = session.get(Client, request.client_id) if request.client_id else None
    if client is not None:
        _erase_client(session, settings, client, plan, request.id, now)
    if plan.complete:
        # The person is gone: their request keeps its record, not their address.
        request.email_enc = None
        request.email_bidx = None
        session.add(request)
    if not session.exec(
        select(ErasureLedgerEntry.id).where(ErasureLedgerEntry.request_id == request.id)
    ).first():
        session.add(
            ErasureLedgerEntry(
                request_id=request.id,
                client_id=client.id if client else None,
                complete=plan.complete,
                withheld=json.dumps([d.group.value for d in plan.withheld]),
                erased_at=now,
            )
        )
    append_audit(
        session, "system", "privacy_request.erasure", "privacy_request", request.id,
        reason="effacement à la demande de la personne",
        detail={"complete": plan.complete, "withheld": [d.group.value for d in plan.withheld]},
    )  # fmt: skip
    session.flush()
    return plan


def _erase_client(
    session: Session,
    settings: Settings,
    client: Client,
    plan: ErasurePlan,
    request_id: str,
    now: datetime,
) -> None:
    client.marketing_emails = False
    if not plan.complete:
        # What is kept is only stored, until its obligation ends.
        restrict(session, client.id, request_id, now)
    if plan.erases(RecordGroup.CORRESPONDENCE):
        session.exec(delete(OutboxEmail).where(col(OutboxEmail.client_id) == client.id))  # type: ignore[call-overload]
        # Notes and call logs are exchanges about the person, like their emails.
        session.exec(delete(DossierNote).where(col(DossierNote.client_id) == client.id))  # type: ignore[call-overload]
    if plan.erases(RecordGroup.DOCUMENTS):
        documents = session.exec(select(Document).where(Document.client_id == client.id)).all()
        for document in documents:
            delete_document_file(document, settings)
            session.delete(document)
    if plan.complete:
        # Destroying the wrapped key makes every ciphertext of the person unreadable, here and
        # in any copy; the columns, blind indexes and search tokens go too.
        client.wrapped_key = None
        for name in CLIENT_FIELDS:
            setattr(client, name, None)
        client.email_bidx = None
        client.last_name_bidx = None
        forget_client(session, client.id)
        client.erased_at = now
    session.add(client)
    dossier_ids = session.exec(select(Dossier.id).where(Dossier.client_id == client.id)).all()
    summary = (
        "Données effacées à la demande de la personne"
        if plan.complete
        else "Effacement partiel à la demande de la personne : le reste est conservé tant que "
        "la loi l'impose"
    )
    for dossier_id in dossier_ids:
        add_timeline_event(
            session, dossier_id, f"{request_id}:erasure:{dossier_id}", "erasure", summary, "system"
        )


def reapply_erasure(session: Session, settings: Settings, entry: ErasureLedgerEntry) -> None:
    """An erasure the ledger recorded, done again on a restored database (it came from a backup
    taken before): the same groups erased, the same key destroyed; the ledger entry with it."""
    withheld = {RecordGroup(value) for value in json.loads(entry.withheld)}
    plan = ErasurePlan([GroupDecision(group, group not in withheld) for group in RecordGroup])
    client = session.get(Client, entry.client_id) if entry.client_id else None
    request = session.get(PrivacyRequest, entry.request_id)
    if client is not None:
        _erase_client(session, settings, client, plan, entry.request_id, entry.erased_at)
    if request is not None and entry.complete:
        request.email_enc = None
        request.email_bidx = None
        session.add(request)
    session.add(ErasureLedgerEntry.model_validate(entry.model_dump(exclude={"id"})))
    append_audit(
        session, "system", "privacy_request.erasure_reapplied", "privacy_request",
        entry.request_id, reason="effacement réappliqué après restauration",
    )  # fmt: skip
    session.flush()
