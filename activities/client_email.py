"""The send_client_email activity: render from the database, queue in the outbox, deliver once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select
from temporalio import activity

from activities.contracts import dossier as io
from activities.email_sending import deliver_queued
from activities.heartbeating import heartbeating
from activities.rows import get_dossier
from config.settings import Settings
from domain.clock import utcnow
from domain.contact_fields import CONTACT_CHANNEL_LABELS_FR, ContactChannel
from domain.dossier_stages import (
    DOCUMENT_LABELS_FR,
    OPEN_STAGES,
    OUTCOME_LABELS_FR,
    DocumentKind,
    Outcome,
)
from domain.french_dates import french_date
from domain.retention import documents_expiry, history_expiry
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier, ExpectedDocument
from models.staff import StaffUser
from security.analysis_links import analysis_link_url
from security.datakeys import ClientCipher
from services.dossiers.timeline import add_timeline_event
from services.email_outbox import find_queued, queue_client_email

# Emails that carry the client's signed link to an analysis submission (and never a figure).
ANALYSIS_TEMPLATES = frozenset({"analysis_ready", "analysis_reminder"})
# Reminders are follow-up, which the client may decline; acknowledgement, the analysis to
# approve and the closure notice (what is kept, until when) are part of the service itself.
FOLLOW_UP_TEMPLATES = frozenset({"document_reminder", "analysis_reminder"})


class ClientEmailActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_CLIENT_EMAIL.name)
    @heartbeating
    async def send_client_email(self, request: io.ClientEmail) -> io.EmailOutcome:
        row = await asyncio.to_thread(find_queued, self.settings, request.idempotency_key)
        client = await asyncio.to_thread(self._client_of, request.dossier_id)
        if row is None and client.restricted_since is not None:
            await asyncio.to_thread(self._note_restricted, request)
            return io.EmailOutcome(message_id="", sent_now=False, skipped_reason="restricted")
        if row is None and request.template in FOLLOW_UP_TEMPLATES and not client.progress_emails:
            await asyncio.to_thread(self._note_opt_out, request, client)
            return io.EmailOutcome(message_id="", sent_now=False, skipped_reason="opted_out")
        return await deliver_queued(
            self.settings, row, client, lambda: self._prepare(request, client)
        )

    def _note_restricted(self, request: io.ClientEmail) -> None:
        """The client's data is restricted: no email; the case worker sees why."""
        with session_scope(self.settings) as session:
            add_timeline_event(
                session,
                request.dossier_id,
                f"{request.idempotency_key}:restricted",
                "reminder_to_do",
                "Courriel au client non envoyé : le traitement de ses données est limité "
                "(demande d'exercice des droits)",
                "system",
            )

    def _note_opt_out(self, request: io.ClientEmail, client: Client) -> None:
        """The client declined email follow-up: the reminder becomes a task for the case worker."""
        channel = (
            CONTACT_CHANNEL_LABELS_FR[client.preferred_channel].lower()
            if client.preferred_channel != ContactChannel.EMAIL
            else "téléphone ou courrier postal"
        )
        with session_scope(self.settings) as session:
            add_timeline_event(
                session,
                request.dossier_id,
                f"{request.idempotency_key}:opted_out",
                "reminder_to_do",
                f"Relance à faire par {channel} : le client ne souhaite pas de suivi par e-mail",
                "system",
            )

    def _client_of(self, dossier_id: str) -> Client:
        with session_scope(self.settings) as session:
            dossier = get_dossier(session, dossier_id)
            client = session.get(Client, dossier.client_id)
            assert client is not None
            return client

    def _prepare(self, request: io.ClientEmail, client: Client) -> Any:
        with session_scope(self.settings) as session:
            dossier = get_dossier(session, request.dossier_id)
            cipher = ClientCipher.for_client(client, self.settings)
            recipient = cipher.decrypt("client", "email", client.id, client.email_enc)
            if not recipient:
                return None
            context = self._context(session, dossier, client, cipher)
            context["reminder_number"] = request.reminder_number
            if request.template in ANALYSIS_TEMPLATES:
                context.update(self._analysis_context(dossier.id, request.submission))
            return queue_client_email(
                session,
                self.settings,
                request.idempotency_key,
                client,
                request.template,
                recipient,
                context,
                dossier_id=dossier.id,
            )

    def _context(
        self, session: Session, dossier: Dossier, client: Client, cipher: ClientCipher
    ) -> dict[str, Any]:
        missing = session.exec(
            select(ExpectedDocument.kind)
            .where(ExpectedDocument.dossier_id == dossier.id)
            .where(col(ExpectedDocument.received_at).is_(None))
            .order_by(col(ExpectedDocument.id))
        ).all()
        adviser = session.get(StaffUser, dossier.assignee_id)
        context: dict[str, Any] = {
            "first_name": cipher.decrypt("client", "first_name", client.id, client.first_name_enc),
            "reference": dossier.reference,
            "adviser_name": adviser.display_name if adviser else "",
            "missing_documents": [DOCUMENT_LABELS_FR[DocumentKind(kind)] for kind in missing],
        }
        if dossier.closed_at is not None and dossier.outcome is not None:
            context.update(self._closure_context(session, dossier))
        return context

    def _analysis_context(self, dossier_id: str, submission: int) -> dict[str, Any]:
        # Signed here, in the activity: the token is a secret and never crosses Temporal.
        valid_until = utcnow() + timedelta(days=self.settings.analysis_link_days)
        return {
            "submission": submission,
            "analysis_link": analysis_link_url(self.settings, dossier_id, submission),
            "link_valid_until": french_date(valid_until),
        }

    def _closure_context(self, session: Session, dossier: Dossier) -> dict[str, Any]:
        assert dossier.closed_at is not None and dossier.outcome is not None
        policy = self.settings.retention_policy
        others_open = session.exec(
            select(Dossier.id)
            .where(Dossier.client_id == dossier.client_id)
            .where(Dossier.id != dossier.id)
            .where(col(Dossier.stage).in_([s.value for s in OPEN_STAGES]))
        ).first()
        return {
            "closed_on": french_date(dossier.closed_at),
            "outcome_label": OUTCOME_LABELS_FR[Outcome(dossier.outcome)],
            "history_until": french_date(history_expiry(dossier.closed_at, policy)),
            "documents_until": None
            if others_open
            else french_date(documents_expiry(dossier.closed_at, policy)),
            "history_years": policy.history_years,
            "documents_years": policy.documents_years,
        }
