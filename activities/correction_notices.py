"""Telling each creditor that received a person's data of what became of it (GDPR Art. 19): a
detail corrected (with the exact value only if the client's consent to that creditor covers it
now), or everything erased (no data in the notice). One email per creditor and notice, through
the outbox, sent at most once; a creditor reached by post is counted for a letter (the request's
page lists it). Acknowledgements of corrections are recorded by the DPO."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import privacy_request as io
from activities.email_sending import deliver_queued
from activities.heartbeating import heartbeating
from config.settings import Settings
from domain.clock import utcnow
from domain.privacy.rectification import RectifiableField
from models.client import Client
from models.creditor_directory import Creditor, CreditorChannel
from models.database import session_scope
from models.negotiation import Negotiation, SharingLedgerEntry
from models.outbox import OutboxEmail
from models.privacy_request import (
    ErasureNotice,
    PrivacyRectification,
    PrivacyRequest,
    RecipientNotice,
)
from rendering.email import render_email
from security.datakeys import ClientCipher
from services.email_outbox import find_queued, queue_email
from services.negotiations.consents import current_consent


@dataclass(frozen=True)
class Target:
    notice_id: int
    creditor: Creditor
    # The outbox key of this notice's email.
    key: str


class CorrectionNoticeActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.SEND_CORRECTION_NOTICES.name)
    @heartbeating
    async def send_correction_notices(self, request: io.CorrectionNotices) -> io.CorrectionSent:
        field_name, targets = self._correction_targets(request)
        sent = await self._deliver(
            request.request_id,
            targets,
            "creditor_rectification",
            self._correction_context,
            functools.partial(_mark_sent, RecipientNotice),
        )
        return io.CorrectionSent(field_name, sent.emailed, sent.by_post)

    @activity.defn(name=io.SEND_ERASURE_NOTICES.name)
    @heartbeating
    async def send_erasure_notices(self, ref: io.RequestRef) -> io.NoticesSent:
        targets = self._erasure_targets(ref.request_id)
        return await self._deliver(
            ref.request_id,
            targets,
            "creditor_erasure",
            self._erasure_context,
            functools.partial(_mark_sent, ErasureNotice),
        )

    # ----- one path for both kinds ---------------------------------------------------------------

    async def _deliver(
        self,
        request_id: str,
        targets: list[Target],
        template: str,
        context: Callable[[Session, int], dict[str, Any]],
        mark_sent: Callable[[Session, int, str], None],
    ) -> io.NoticesSent:
        emailed = by_post = 0
        holder = self._request(request_id)
        for target in targets:
            creditor = target.creditor
            if creditor.contact_channel != CreditorChannel.EMAIL or not creditor.contact_email:
                by_post += 1
                continue
            outcome = await deliver_queued(
                self.settings,
                find_queued(self.settings, target.key),
                holder,
                functools.partial(self._queue, holder, target, template, context),
            )
            with session_scope(self.settings) as session:
                mark_sent(session, target.notice_id, outcome.message_id)
            emailed += 1
        return io.NoticesSent(emailed, by_post)

    def _queue(
        self,
        holder: PrivacyRequest,
        target: Target,
        template: str,
        context: Callable[[Session, int], dict[str, Any]],
    ) -> OutboxEmail | None:
        assert target.creditor.contact_email is not None
        with session_scope(self.settings) as session:
            values = context(session, target.notice_id)
            return queue_email(
                session,
                self.settings,
                key=target.key,
                client=holder,
                dossier_id=None,
                template=template,
                rendered=render_email(template, target.creditor.contact_email, values),
            )

    def _request(self, request_id: str) -> PrivacyRequest:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, request_id)
            if row is None:
                raise ApplicationError(
                    "privacy request not found", type="RequestMissing", non_retryable=True
                )
            return row

    # ----- corrections ------------------------------------------------------------------------

    def _correction_targets(self, request: io.CorrectionNotices) -> tuple[str, list[Target]]:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRectification, request.rectification_id)
            if row is None or row.request_id != request.request_id:
                raise ApplicationError(
                    "rectification not found", type="RectificationMissing", non_retryable=True
                )
            notices = session.exec(
                select(RecipientNotice)
                .where(RecipientNotice.rectification_id == row.id)
                .order_by(col(RecipientNotice.id))
            ).all()
            targets = []
            for notice in notices:
                creditor = session.get(Creditor, notice.creditor_id)
                assert creditor is not None and notice.id is not None
                key = f"privacy-request:{request.request_id}:correction:{notice.id}"
                targets.append(Target(notice.id, creditor, key))
            return row.field_name, targets

    def _correction_context(self, session: Session, notice_id: int) -> dict[str, Any]:
        notice = session.get(RecipientNotice, notice_id)
        assert notice is not None
        rectification = session.get(PrivacyRectification, notice.rectification_id)
        negotiation = session.get(Negotiation, notice.negotiation_id)
        assert rectification is not None and negotiation is not None
        field = RectifiableField(rectification.field_name)
        return {
            "reference": negotiation.reference,
            "field_label": field.label,
            "new_value": self._new_value(session, rectification, field, negotiation.id),
        }

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
        assert rectification.id is not None
        return ClientCipher.for_client(client, self.settings).decrypt(
            "privacy_rectification", "new_value", rectification.id, rectification.new_value_enc
        )

    # ----- erasures ---------------------------------------------------------------------------

    def _erasure_targets(self, request_id: str) -> list[Target]:
        """Every creditor the ledger says received the person's data: one notice each."""
        with session_scope(self.settings) as session:
            request = session.get(PrivacyRequest, request_id)
            client_id = request.client_id if request else None
            entries = (
                session.exec(
                    select(SharingLedgerEntry, Negotiation.reference)
                    .join(
                        Negotiation, col(Negotiation.id) == col(SharingLedgerEntry.negotiation_id)
                    )
                    .where(SharingLedgerEntry.client_id == client_id)
                    .order_by(col(SharingLedgerEntry.shared_at))
                ).all()
                if client_id
                else []
            )
            for entry, reference in entries:
                exists = session.exec(
                    select(ErasureNotice.id)
                    .where(ErasureNotice.request_id == request_id)
                    .where(ErasureNotice.creditor_id == entry.creditor_id)
                ).first()
                if exists is None:
                    session.add(
                        ErasureNotice(
                            request_id=request_id,
                            creditor_id=entry.creditor_id,
                            negotiation_reference=reference,
                        )
                    )
                    session.flush()
            notices = session.exec(
                select(ErasureNotice)
                .where(ErasureNotice.request_id == request_id)
                .order_by(col(ErasureNotice.id))
            ).all()
            targets = []
            for notice in notices:
                creditor = session.get(Creditor, notice.creditor_id)
                assert creditor is not None and notice.id is not None
                key = f"privacy-request:{request_id}:erasure-notice:{notice.id}"
                targets.append(Target(notice.id, creditor, key))
            return targets

    def _erasure_context(self, session: Session, notice_id: int) -> dict[str, Any]:
        notice = session.get(ErasureNotice, notice_id)
        assert notice is not None
        return {"reference": notice.negotiation_reference}


def _mark_sent(
    model: type[RecipientNotice] | type[ErasureNotice],
    session: Session,
    notice_id: int,
    message_id: str,
) -> None:
    notice = session.get(model, notice_id)
    assert isinstance(notice, (RecipientNotice, ErasureNotice))
    if notice.sent_at is None:
        notice.sent_at, notice.message_id = utcnow(), message_id or None
        session.add(notice)
