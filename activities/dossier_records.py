"""Dossier read model: activities that keep the dossier row and its timeline current."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from temporalio import activity

from activities.contracts import dossier as io
from activities.rows import get_dossier
from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.dossier_stages import OPEN_STAGES, OUTCOME_LABELS_FR, Outcome, Stage
from models.database import session_scope
from models.dossier import Dossier, ExpectedDocument, TimelineEvent
from services.audit import append_audit
from services.dossiers.deadlines import refresh_dossier_deadline
from services.dossiers.timeline import add_timeline_event


class DossierRecordActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.LOAD_DOSSIER_FACTS.name)
    def load_dossier_facts(self, ref: io.DossierRef) -> io.DossierFacts:
        with session_scope(self.settings) as session:
            get_dossier(session, ref.dossier_id)
            missing = session.exec(
                select(ExpectedDocument.kind)
                .where(ExpectedDocument.dossier_id == ref.dossier_id)
                .where(col(ExpectedDocument.received_at).is_(None))
                .order_by(col(ExpectedDocument.id))
            ).all()
            return io.DossierFacts(
                missing_documents=[str(kind) for kind in missing],
                reminder_days=list(self.settings.document_reminder_days),
                history_retention_years=self.settings.history_retention_years,
                documents_retention_years=self.settings.documents_retention_years,
                retention_hop_days=self.settings.retention_hop_days,
            )

    @activity.defn(name=io.RECORD_PROGRESS.name)
    def record_progress(self, record: io.ProgressRecord) -> None:
        for attempt in range(2):
            try:
                with session_scope(self.settings) as session:
                    dossier = get_dossier(session, record.dossier_id)
                    # A step that raced with the closure must not reopen the dossier's row.
                    reopening = dossier.closed_at is not None and Stage(record.stage) in OPEN_STAGES
                    if not reopening:
                        dossier.stage = Stage(record.stage)
                    dossier.next_deadline = record.next_deadline
                    dossier.next_deadline_label = record.next_deadline_label
                    dossier.updated_at = utcnow()
                    session.add(dossier)
                    if dossier.stage == Stage.NEGOTIATION:  # The negotiations' deadline.
                        refresh_dossier_deadline(session, dossier.id)
                    if record.event_kind:
                        add_timeline_event(
                            session,
                            record.dossier_id,
                            record.event_key,
                            record.event_kind,
                            record.summary,
                            record.actor,
                        )
                return
            except IntegrityError:
                # Two attempts raced on the same event key: the other one wrote it.
                if attempt:
                    raise

    @activity.defn(name=io.RECORD_CLOSURE.name)
    def record_closure(self, record: io.ClosureRecord) -> None:
        with session_scope(self.settings) as session:
            dossier = get_dossier(session, record.dossier_id)
            if dossier.closed_at is None:
                dossier.closed_at = record.closed_at
                dossier.outcome = Outcome(record.outcome)
                dossier.stage = Stage.CLOSED
                dossier.next_deadline = None
                dossier.next_deadline_label = None
                dossier.updated_at = utcnow()
                session.add(dossier)
                label = OUTCOME_LABELS_FR[Outcome(record.outcome)]
                add_timeline_event(
                    session,
                    dossier.id,
                    f"{dossier.workflow_id}:closed",
                    "closed",
                    f"Dossier clôturé : {label}",
                    record.actor,
                )
                append_audit(
                    session,
                    record.actor,
                    "dossier.close",
                    "dossier",
                    dossier.id,
                    detail={"outcome": record.outcome},
                )

    @activity.defn(name=io.SET_LEGAL_HOLD.name)
    def set_legal_hold(self, record: io.LegalHoldRecord) -> None:
        with session_scope(self.settings) as session:
            dossier = get_dossier(session, record.dossier_id)
            if dossier.legal_hold == record.held:
                return
            dossier.legal_hold = record.held
            if not record.held:
                dossier.legal_hold_reason_enc = None
            dossier.updated_at = utcnow()
            session.add(dossier)
            summary = (
                "Conservation pour motif légal placée : suppression suspendue"
                if record.held
                else "Conservation pour motif légal levée"
            )
            session.add(
                TimelineEvent(
                    dossier_id=dossier.id,
                    kind="legal_hold" if record.held else "legal_hold_lifted",
                    summary=summary,
                    actor=record.actor,
                )
            )
            append_audit(
                session,
                record.actor,
                "dossier.legal_hold" if record.held else "dossier.legal_hold_lifted",
                "dossier",
                dossier.id,
            )

    @activity.defn(name=io.RELATIONSHIP_END.name)
    def relationship_end(self, ref: io.DossierRef) -> io.RelationshipEnd:
        """The contractual relationship ends when the client's last dossier closes."""
        with session_scope(self.settings) as session:
            dossier = get_dossier(session, ref.dossier_id)
            siblings = session.exec(
                select(Dossier).where(Dossier.client_id == dossier.client_id)
            ).all()
            if any(other.stage in OPEN_STAGES for other in siblings):
                return io.RelationshipEnd(ended_at=None)
            closures = [as_utc(d.closed_at) for d in siblings if d.closed_at is not None]
            return io.RelationshipEnd(ended_at=max(closures) if closures else None)
