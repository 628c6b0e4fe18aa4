"""Telling each creditor that received a detail since corrected (GDPR Art. 19): an email through
the outbox (one per creditor and correction, sent at most once), with the exact value only if
the client's consent to that creditor covers it now; a creditor reached by post is left for a
letter (the request's page lists it). Acknowledgements are recorded by the DPO."""

from __future__ import annotations

import functools

from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import privacy_request as io
from activities.email_sending import deliver_queued
from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.rectification import RectifiableField
from models.client import Client
from models.creditor_directory import Creditor, CreditorChannel
from models.database import session_scope
from models.negotiation import Negotiation
from models.outbox import OutboxEmail
from models.privacy_request import PrivacyRectification, PrivacyRequest, RecipientNotice
from rendering.email import render_email
from security.datakeys import ClientCipher
from services.email_outbox import find_queued, queue_email
from services.negotiations.consents import current_consent


class CorrectionNoticeActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_CORRECTION_NOTICES.name)
    async def send_correction_notices(self, request: io.CorrectionNotices) -> io.CorrectionSent:
        field_name, notices = self._notices(request.rectification_id)
        emailed = by_post = 0
        for notice_id, creditor in notices:
            if creditor.contact_channel != CreditorChannel.EMAIL or not creditor.contact_email:
                by_post += 1
                continue
            key = f"privacy-request:{request.request_id}:correction:{notice_id}"
            holder = self._request(request.request_id)
            outcome = await deliver_queued(
                self.settings,
                find_queued(self.settings, key),
                holder,
                functools.partial(self._queue, notice_id, creditor, key),
            )
            self._sent(notice_id, outcome.message_id)
            emailed += 1
        return io.CorrectionSent(field_name, emailed, by_post)

    def _notices(self, rectification_id: int) -> tuple[str, list[tuple[int, Creditor]]]:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRectification, rectification_id)
            if row is None:
                raise ApplicationError(
                    "rectification not found", type="RectificationMissing", non_retryable=True
                )
            notices = session.exec(
                select(RecipientNotice).where(RecipientNotice.rectification_id == row.id)
            ).all()
            found = []
            for notice in notices:
                creditor = session.get(Creditor, notice.creditor_id)
                assert creditor is not None and notice.id is not None
                found.append((notice.id, creditor))
            return row.field_name, found

    def _request(self, request_id: str) -> PrivacyRequest:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, request_id)
            assert row is not None
            return row

    def _queue(self, notice_id: int, creditor: Creditor, key: str) -> OutboxEmail | None:
        with session_scope(self.settings) as session:
            notice = session.get(RecipientNotice, notice_id)
            assert notice is not None
            rectification = session.get(PrivacyRectification, notice.rectification_id)
            negotiation = session.get(Negotiation, notice.negotiation_id)
            request = session.get(PrivacyRequest, rectification.request_id if rectification else "")
            assert rectification and negotiation and request and creditor.contact_email
            field = RectifiableField(rectification.field_name)
            context = {
                "reference": negotiation.reference,
                "field_label": field.label,
                "new_value": self._new_value(session, rectification, field, negotiation.id),
            }
            return queue_email(
                session,
                self.settings,
                key=key,
                client=request,
                dossier_id=None,
                template="creditor_rectification",
                rendered=render_email("creditor_rectification", creditor.contact_email, context),
            )

    def _new_value(
        self,
        session: Session,
        rectification: PrivacyRectification,
        field: RectifiableField,
        negotiation_id: str,
    ) -> str | None:
        """The corrected value, if the consent to this creditor covers its category now."""
        consent = current_consent(session, self.settings, negotiation_id)
        if consent is None or field.category.value not in consent.categories:
            return None
        client = session.get(Client, rectification.client_id)
        if client is None or client.wrapped_key is None:
            return None
        cipher = ClientCipher.for_client(client, self.settings)
        assert rectification.id is not None
        return cipher.decrypt(
            "privacy_rectification", "new_value", rectification.id, rectification.new_value_enc
        )

    def _sent(self, notice_id: int, message_id: str) -> None:
        with session_scope(self.settings) as session:
            notice = session.get(RecipientNotice, notice_id)
            assert notice is not None
            if notice.sent_at is None:
                notice.sent_at, notice.message_id = utcnow(), message_id or None
                session.add(notice)
