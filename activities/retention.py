"""Retention expiry: delete supporting documents, then anonymise the whole dossier.

What survives anonymisation is one row of statistics (quarter, outcome, counts, département)
that cannot be linked back to a person, and the audit entry saying it was done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select
from temporalio import activity

from activities.contracts import dossier as io
from config.settings import Settings
from domain.clock import as_utc
from models.budget import BudgetRecord
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier, DossierCreditor, ExpectedDocument, TimelineEvent
from models.dossier_note import DossierNote, StaffNotification
from models.intake_request import IntakeRequest
from models.negotiation import (
    CreditorConsent,
    CreditorReply,
    Negotiation,
    NegotiationOffer,
    RepaymentInstalment,
    SharingLedgerEntry,
)
from models.outbox import OutboxEmail, WorkflowStartIntent
from models.privacy_request import PrivacyRequest
from models.staged_write import StagedWrite
from models.statistics import DossierStatistic
from services.audit import append_audit
from services.documents import delete_document_file
from services.dossiers.search_index import forget_client


class RetentionActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.DELETE_DOSSIER_DOCUMENTS.name)
    def delete_dossier_documents(self, ref: io.DossierRef) -> io.DocumentsDeletion:
        with session_scope(self.settings) as session:
            deleted = self._delete_documents(session, ref.dossier_id)
            if deleted:
                append_audit(
                    session,
                    "system",
                    "retention.documents_deleted",
                    "dossier",
                    ref.dossier_id,
                    reason="retention:documents",
                    detail={"documents": deleted},
                )
        return io.DocumentsDeletion(deleted=deleted)

    def _delete_documents(self, session: Session, dossier_id: str) -> int:
        documents = session.exec(select(Document).where(Document.dossier_id == dossier_id)).all()
        for document in documents:
            delete_document_file(document, self.settings)
            session.delete(document)
            activity.heartbeat()
        _delete(session, ExpectedDocument, col(ExpectedDocument.dossier_id) == dossier_id)
        return len(documents)

    @activity.defn(name=io.ANONYMISE_DOSSIER.name)
    def anonymise_dossier(self, ref: io.DossierRef) -> io.AnonymisationReport:
        with session_scope(self.settings) as session:
            dossier = session.get(Dossier, ref.dossier_id)
            if dossier is None:  # Done by an earlier attempt that committed.
                return io.AnonymisationReport(documents_deleted=0)
            documents = self._delete_documents(session, dossier.id)
            client = session.get(Client, dossier.client_id)
            session.add(self._statistic(session, dossier, client))
            rows = self._delete_rows(session, dossier)
            client_erased = self._erase_client_if_last(session, dossier)
            append_audit(
                session,
                "system",
                "retention.dossier_anonymised",
                "dossier",
                ref.dossier_id,
                reason="retention:negotiation_history",
                detail={"documents": documents, "rows": rows, "client_erased": client_erased},
            )
        return io.AnonymisationReport(
            documents_deleted=documents, rows_deleted=rows, client_erased=client_erased
        )

    def _statistic(
        self, session: Session, dossier: Dossier, client: Client | None
    ) -> DossierStatistic:
        closed = as_utc(dossier.closed_at or dossier.created_at)
        opened = as_utc(dossier.created_at)
        creditors = session.exec(
            select(DossierCreditor.id).where(DossierCreditor.dossier_id == dossier.id)
        ).all()
        months = (closed.year - opened.year) * 12 + closed.month - opened.month
        return DossierStatistic(
            closed_year=closed.year,
            closed_quarter=(closed.month - 1) // 3 + 1,
            outcome=str(dossier.outcome or "unknown"),
            creditor_count=len(creditors),
            duration_months=max(0, months),
            departement=client.departement if client else "",
        )

    def _delete_negotiations(self, session: Session, dossier: Dossier) -> dict[str, int]:
        """Consents, offers, replies, the sharing ledger and schedules, then the negotiations
        (children first: they reference the negotiation rows)."""
        counts: dict[str, int] = {}
        ids = list(
            session.exec(select(Negotiation.id).where(Negotiation.dossier_id == dossier.id)).all()
        )
        children: tuple[type[Any], ...] = (
            CreditorConsent,
            NegotiationOffer,
            CreditorReply,
            SharingLedgerEntry,
            RepaymentInstalment,
        )
        for model in children:
            counts[model.__tablename__] = _delete(
                session, model, col(model.negotiation_id).in_(ids)
            )
        counts[Negotiation.__tablename__] = _delete(
            session, Negotiation, col(Negotiation.dossier_id) == dossier.id
        )
        return counts

    def _delete_rows(self, session: Session, dossier: Dossier) -> dict[str, int]:
        counts = self._delete_negotiations(session, dossier)
        # Staged writes after the rows that point to them; notes before the creditors they name.
        models = (
            DossierNote,
            StaffNotification,
            TimelineEvent,
            DossierCreditor,
            StagedWrite,
            OutboxEmail,
            BudgetRecord,
            IntakeRequest,
        )
        for model in models:
            counts[model.__tablename__] = _delete(
                session, model, col(model.dossier_id) == dossier.id
            )
        _delete(
            session,
            WorkflowStartIntent,
            col(WorkflowStartIntent.workflow_id) == dossier.workflow_id,
        )
        session.delete(dossier)
        session.flush()
        counts["dossier"] = 1
        return counts

    def _erase_client_if_last(self, session: Session, dossier: Dossier) -> bool:
        """The client's own data goes with their last dossier; the data key goes with it."""
        remaining = session.exec(
            select(Dossier.id).where(Dossier.client_id == dossier.client_id)
        ).first()
        if remaining is not None:
            return False
        _delete(session, OutboxEmail, col(OutboxEmail.client_id) == dossier.client_id)
        # A data-subject request outlives the client it was about (the proof of its answer).
        session.exec(
            update(PrivacyRequest)  # type: ignore[call-overload]
            .where(col(PrivacyRequest.client_id) == dossier.client_id)
            .values(client_id=None)
        )
        # Its search tokens too (the foreign key cascades as well; said here for the reader).
        forget_client(session, dossier.client_id)
        client = session.get(Client, dossier.client_id)
        if client is not None:
            session.delete(client)
        return True


def _delete(session: Session, model: type[Any], condition: Any) -> int:
    """Delete `model`'s rows matching `condition`; how many went."""
    result = session.exec(delete(model).where(condition))  # type: ignore[call-overload]
    return int(result.rowcount or 0)
