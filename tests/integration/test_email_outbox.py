"""The outbox sends each logical message once, through a real SMTP server, whatever the retries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select
from support.stack import intake, make_dossier, make_staff, received, smtp_catcher
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.client_email import ClientEmailActivities
from activities.contracts.dossier import ClientEmail
from config.settings import Settings
from dev.mail_catcher import MailboxHandler
from domain.errors import MESSAGE_UNBUILDABLE
from models.client import Client
from models.database import session_scope
from models.dossier import TimelineEvent
from models.outbox import EmailStatus, OutboxEmail
from security.datakeys import ClientCipher


def _outbox(settings: Settings) -> list[OutboxEmail]:
    with session_scope(settings) as session:
        return list(session.exec(select(OutboxEmail)).all())


async def test_a_retried_activity_does_not_send_a_second_copy(mail_settings: Settings) -> None:
    staff = make_staff(mail_settings)
    dossier = make_dossier(mail_settings, staff)
    activities = ClientEmailActivities(mail_settings)
    request = ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement")
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        first = await ActivityEnvironment().run(activities.send_client_email, request)
        again = await ActivityEnvironment().run(activities.send_client_email, request)
    assert first.sent_now and not again.sent_now
    assert first.message_id == again.message_id
    [message] = received(mail_settings)
    assert message.message_id == first.message_id
    [row] = _outbox(mail_settings)
    assert row.status == EmailStatus.SENT and row.attempts == 1
    # The stored copy is encrypted: the recipient's address is not in the row.
    assert "jeanne.dupont" not in (row.recipient_enc or "")
    assert "Jeanne" not in (row.html_enc or "")


class RefuseFirstDelivery(MailboxHandler):
    """A real SMTP server that answers 451 (try again later) to the first message."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refused == 0:
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again"
        return await super().handle_DATA(server, session, envelope)


async def test_a_temporary_smtp_failure_is_retried_into_exactly_one_message(
    mail_settings: Settings,
) -> None:
    staff = make_staff(mail_settings)
    dossier = make_dossier(mail_settings, staff)
    activities = ClientEmailActivities(mail_settings)
    request = ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement")
    handler = RefuseFirstDelivery(mail_settings.mailbox_dir)
    controller = Controller(handler, hostname="127.0.0.1", port=mail_settings.smtp_port)
    controller.start()
    try:
        with pytest.raises(Exception, match="451"):
            await ActivityEnvironment().run(activities.send_client_email, request)
        [row] = _outbox(mail_settings)
        assert row.status == EmailStatus.QUEUED and row.attempts == 1 and row.last_error
        retried = await ActivityEnvironment().run(activities.send_client_email, request)
    finally:
        controller.stop()
    assert retried.sent_now
    assert [m.message_id for m in received(mail_settings)] == [retried.message_id]
    [row] = _outbox(mail_settings)
    assert row.status == EmailStatus.SENT and row.attempts == 2 and row.last_error is None


async def test_the_message_id_is_derived_from_the_business_key(mail_settings: Settings) -> None:
    staff = make_staff(mail_settings)
    dossier = make_dossier(mail_settings, staff)
    activities = ClientEmailActivities(mail_settings)
    keys = [f"{dossier.workflow_id}:document_reminder:{n}" for n in (1, 2)]
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        outcomes = [
            await ActivityEnvironment().run(
                activities.send_client_email,
                ClientEmail(dossier.id, "document_reminder", key, reminder_number=n),
            )
            for n, key in enumerate(keys, start=1)
        ]
    assert len({o.message_id for o in outcomes}) == 2
    assert all(o.message_id.endswith("@cravelynos.example>") for o in outcomes)
    texts = [m.text for m in received(mail_settings)]
    assert "relance n°1" in texts[0] and "relance n°2" in texts[1]


async def test_a_client_who_declined_email_follow_up_gets_no_reminder(
    mail_settings: Settings,
) -> None:
    staff = make_staff(mail_settings)
    data = intake().model_copy(update={"progress_emails": False, "preferred_channel": "phone"})
    dossier = make_dossier(mail_settings, staff, data)
    activities = ClientEmailActivities(mail_settings)
    key = f"{dossier.workflow_id}:document_reminder:1"
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        outcome = await ActivityEnvironment().run(
            activities.send_client_email,
            ClientEmail(dossier.id, "document_reminder", key, reminder_number=1),
        )
        acknowledged = await ActivityEnvironment().run(
            activities.send_client_email,
            ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement"),
        )
    assert outcome.skipped_reason == "opted_out" and not outcome.message_id
    assert acknowledged.sent_now  # the service's own messages still go out
    assert [m.message_id for m in received(mail_settings)] == [acknowledged.message_id]
    with session_scope(mail_settings) as session:
        todo = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "reminder_to_do")
        ).one()
    assert "Relance à faire par téléphone" in todo.summary


async def test_a_message_no_retry_can_build_fails_once_and_for_good(
    mail_settings: Settings,
) -> None:
    """An address stored with a line break (before it was checked) cannot become a header:
    the activity says so without retrying, and the row records the failure."""
    staff = make_staff(mail_settings)
    dossier = make_dossier(mail_settings, staff)
    activities = ClientEmailActivities(mail_settings)
    request = ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement")
    with session_scope(mail_settings) as session:
        client = session.get(Client, dossier.client_id)
        assert client is not None
        cipher = ClientCipher.for_client(client, mail_settings)
        client.email_enc = cipher.encrypt(
            "client", "email", client.id, "jeanne@exemple.fr\nBcc: intrus@exemple.org"
        )
        session.add(client)
    with (
        smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port),
        pytest.raises(ApplicationError) as refused,
    ):
        await ActivityEnvironment().run(activities.send_client_email, request)
    assert refused.value.non_retryable
    assert refused.value.type == MESSAGE_UNBUILDABLE
    assert received(mail_settings) == []
    [row] = _outbox(mail_settings)
    assert row.status == EmailStatus.FAILED


async def test_a_crash_between_the_audit_and_the_message_audits_the_read_once(
    mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit entry of the client read commits with the outbox row it was for: an attempt
    that dies in between leaves neither, and its retry records the read once."""
    from support.webapp import audit_entries

    import services.email_outbox as email_outbox
    from services.audit import verify_audit_chain

    staff = make_staff(mail_settings)
    dossier = make_dossier(mail_settings, staff)
    activities = ClientEmailActivities(mail_settings)
    request = ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement")
    real_render = email_outbox.render_email

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(email_outbox, "render_email", real_render)
        raise RuntimeError("worker killed here")

    monkeypatch.setattr(email_outbox, "render_email", crash_once)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        with pytest.raises(RuntimeError, match="worker killed"):
            await ActivityEnvironment().run(activities.send_client_email, request)
        assert _outbox(mail_settings) == []
        assert audit_entries(mail_settings, "client.read") == []
        retried = await ActivityEnvironment().run(activities.send_client_email, request)
    assert retried.sent_now
    [read] = audit_entries(mail_settings, "client.read")
    assert read.reason == "email:acknowledgement"
    assert len(_outbox(mail_settings)) == 1 and len(received(mail_settings)) == 1
    with session_scope(mail_settings) as session:
        assert verify_audit_chain(session).ok
