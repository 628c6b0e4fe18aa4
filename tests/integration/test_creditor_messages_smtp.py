"""Messages to creditors through a real SMTP server (aiosmtpd): only consented data leaves,
nothing leaves after a withdrawal, and the sharing ledger records exactly what was sent.

The activities run as the worker runs them (temporalio's ActivityEnvironment); the messages
are read back from the .eml files the SMTP server wrote, attachments included.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlmodel import select
from support.analysis import BUDGET, analysis_of, figures_in
from support.db import in_db
from support.negotiation import (
    creditor_email,
    draft_offer,
    give_consent,
    record_reply_row,
    seed_budget,
    seed_negotiations,
)
from support.stack import TINY_PDF, smtp_catcher
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.consent_receipt import ConsentReceiptActivities
from activities.contracts.negotiation import (
    CONSENT_MISSING,
    CREDITOR_UNREACHABLE,
    ConsentReceipt,
    CreditorMessage,
    CreditorMessageSent,
    NegotiationEmail,
)
from activities.creditor_messages import CreditorMessageActivities
from activities.negotiation_email import (
    NEGOTIATION_EMAIL_TEMPLATES,
    NegotiationEmailActivities,
)
from config.settings import Settings
from dev.mail_catcher import MailboxHandler, list_messages
from domain.dossier_stages import DocumentKind
from domain.negotiation.sharing import MessageKind, ShareCategory
from models.client import Client
from models.creditor_directory import Creditor
from models.database import session_scope
from models.document import Document
from models.dossier import TimelineEvent
from models.negotiation import NegotiationOffer, SharingLedgerEntry
from models.outbox import EmailStatus, OutboxEmail
from rendering.email import SUBJECTS
from security.datakeys import ClientCipher
from services.documents import document_aad, document_path
from services.email_outbox import ATTACHMENT_NAMES_FR
from services.negotiations.consents import REVOKED_BY_CLIENT, load_consent, revoke_consent
from services.staff_notifications import TEMPLATE as STAFF_NOTIFICATION

ID, C, B, D, DOCS = (
    ShareCategory.IDENTITY,
    ShareCategory.CONTACT,
    ShareCategory.BUDGET,
    ShareCategory.DEBTS,
    ShareCategory.DOCUMENTS,
)
# What the seeded client is, as a creditor could read it.
NAME = "Dupont"
CONTACT = ["client@example.org", "612345678", "rue des Lilas", "75011"]
# Creditor 1's debt (negotiation 1) and creditor 2's (never sent to creditor 1).
OWN_DEBT = "8\u202f457,91"
OTHER_DEBT = ["918,64", "918.64"]
ACCOUNT = "CPT-1-7731"

# What the company sends creditors (the case worker is also told of a withdrawal, by email).
CREDITOR_OUTBOX = select(OutboxEmail).where(OutboxEmail.template != STAFF_NOTIFICATION)


def eml(settings: Settings) -> list[EmailMessage]:
    """What the SMTP server accepted, oldest first, parsed with attachments."""
    files = sorted(settings.mailbox_dir.glob("*.eml")) if settings.mailbox_dir.exists() else []
    parsed = []
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        parsed.append(message)
    return parsed


def body(message: EmailMessage) -> str:
    """Subject, text and HTML of a message: everything a reader sees but the attachments."""
    parts = [str(message["Subject"])]
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        assert part is not None
        parts.append(part.get_content())
    return "\n".join(parts)


def attachments(message: EmailMessage) -> list[bytes]:
    return [part.get_content() for part in message.iter_attachments()]


def ledger(settings: Settings) -> list[SharingLedgerEntry]:
    with session_scope(settings) as session:
        return list(session.exec(select(SharingLedgerEntry).order_by(SharingLedgerEntry.id)))  # type: ignore[arg-type]


def budget_figures(settings: Settings, text: str) -> list[str]:
    """Resources, charges and analysis results of the seeded budget found in `text`."""
    data = seed_budget()
    return figures_in(text, BUDGET.model_copy(update={"debts": []}), analysis_of(settings, data))


async def send(settings: Settings, msg: CreditorMessage) -> CreditorMessageSent:
    return await ActivityEnvironment().run(
        CreditorMessageActivities(settings).send_creditor_message, msg
    )


def offer_message(negotiation_id: str, offer_id: str, key: str = "offer-1") -> CreditorMessage:
    return CreditorMessage(
        negotiation_id, MessageKind.OFFER.value, f"negotiation:{negotiation_id}:{key}", offer_id
    )


async def test_an_offer_carries_only_the_consented_categories_and_documents(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    identity_doc, income_doc = seed.document_ids
    consent_id = give_consent(mail_settings, negotiation, [ID, D, DOCS], [identity_doc])
    offer_id = draft_offer(mail_settings, negotiation)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        sent = await send(mail_settings, offer_message(negotiation, offer_id))
    [message] = eml(mail_settings)
    text = body(message)
    assert str(message["X-Envelope-To"]) == creditor_email(1)
    assert message["Message-ID"] == sent.message_id
    assert seed.reference in text and NAME in text and "Jeanne" in text
    assert OWN_DEBT in text and ACCOUNT in text and "1\u202f200,00" in text
    # Not consented: contact details, budget; never another creditor's debt.
    assert [c for c in CONTACT if c in text] == []
    assert budget_figures(mail_settings, text) == []
    assert [d for d in OTHER_DEBT if d in text] == []
    # Attachments: the consented document only, decrypted, under a name that says nothing.
    assert attachments(message) == [TINY_PDF]
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "piece-identite.pdf"
    assert income_doc not in text
    # The ledger says what left, and the offer row what it shared.
    [entry] = ledger(mail_settings)
    assert json.loads(entry.categories) == ["identity", "debts", "documents"]
    assert json.loads(entry.document_ids) == [identity_doc]
    assert entry.consent_id == consent_id and entry.message_id == sent.message_id
    assert entry.channel == "email" and entry.message_kind == "offer"
    assert sent.ledger_entry_id == entry.id and sent.categories == [
        "identity",
        "debts",
        "documents",
    ]
    with session_scope(mail_settings) as session:
        offer = session.get(NegotiationOffer, offer_id)
        assert offer is not None
        assert json.loads(offer.shared_categories) == ["identity", "debts", "documents"]
        assert json.loads(offer.shared_document_ids) == [identity_doc]


async def test_a_wider_consent_shares_more_and_the_ledger_follows(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, C, B, D, DOCS], seed.document_ids)
    offer_id = draft_offer(mail_settings, negotiation)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await send(mail_settings, offer_message(negotiation, offer_id))
    [message] = eml(mail_settings)
    text = body(message)
    assert [c for c in CONTACT if c not in text] == []
    assert "1\u202f873,40" in text  # the salary: the budget was consented this time
    assert [d for d in OTHER_DEBT if d in text] == []
    assert attachments(message) == [TINY_PDF, TINY_PDF]
    [entry] = ledger(mail_settings)
    assert json.loads(entry.categories) == ["identity", "contact", "budget", "debts", "documents"]
    assert json.loads(entry.document_ids) == seed.document_ids


async def test_a_retried_activity_sends_once_and_records_once(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, D])
    offer_id = draft_offer(mail_settings, negotiation)
    msg = offer_message(negotiation, offer_id)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        first = await send(mail_settings, msg)
        again = await send(mail_settings, msg)
    assert first == again
    assert len(eml(mail_settings)) == 1 and len(ledger(mail_settings)) == 1


async def test_nothing_leaves_after_the_consent_is_withdrawn(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, C, D])
    offer_id = draft_offer(mail_settings, negotiation)
    in_db(
        mail_settings,
        revoke_consent,
        mail_settings,
        consent_id,
        actor="client:x",
        channel=REVOKED_BY_CLIENT,
    )
    follow_up = CreditorMessage(
        negotiation, MessageKind.FOLLOW_UP.value, f"negotiation:{negotiation}:follow-up:1"
    )
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        for msg in (offer_message(negotiation, offer_id), follow_up):
            with pytest.raises(ApplicationError) as refused:
                await send(mail_settings, msg)
            assert refused.value.type == CONSENT_MISSING and refused.value.non_retryable
            assert "retiré son consentement" in refused.value.message
    assert eml(mail_settings) == [] and ledger(mail_settings) == []
    with session_scope(mail_settings) as session:
        assert session.exec(CREDITOR_OUTBOX).all() == []


async def test_a_message_without_consent_is_refused(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    offer_id = draft_offer(mail_settings, negotiation)
    with (
        smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port),
        pytest.raises(ApplicationError) as refused,
    ):
        await send(mail_settings, offer_message(negotiation, offer_id))
    assert refused.value.type == CONSENT_MISSING
    assert "pas encore donné son consentement" in refused.value.message
    assert eml(mail_settings) == []


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


async def test_a_retry_after_an_smtp_failure_and_a_withdrawal_sends_nothing(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, D])
    offer_id = draft_offer(mail_settings, negotiation)
    msg = offer_message(negotiation, offer_id)
    handler = RefuseFirstDelivery(mail_settings.mailbox_dir)
    controller = Controller(handler, hostname="127.0.0.1", port=mail_settings.smtp_port)
    controller.start()
    try:
        with pytest.raises(Exception, match="451"):
            await send(mail_settings, msg)
        in_db(
            mail_settings,
            revoke_consent,
            mail_settings,
            consent_id,
            actor="client:x",
            channel=REVOKED_BY_CLIENT,
        )
        with pytest.raises(ApplicationError) as refused:
            await send(mail_settings, msg)
    finally:
        controller.stop()
    assert refused.value.type == CONSENT_MISSING
    assert handler.refused == 1 and eml(mail_settings) == []
    assert ledger(mail_settings) == []
    with session_scope(mail_settings) as session:
        [row] = session.exec(CREDITOR_OUTBOX).all()
    assert row.status == EmailStatus.QUEUED and row.attempts == 1


async def test_a_retry_after_the_consent_narrowed_sends_only_what_is_still_consented(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, C, D, DOCS], seed.document_ids[:1])
    offer_id = draft_offer(mail_settings, negotiation)
    msg = offer_message(negotiation, offer_id)
    handler = RefuseFirstDelivery(mail_settings.mailbox_dir)
    controller = Controller(handler, hostname="127.0.0.1", port=mail_settings.smtp_port)
    controller.start()
    try:
        with pytest.raises(Exception, match="451"):
            await send(mail_settings, msg)
        # The client gives a new, narrower consent before the retry: it replaces the first.
        narrower = give_consent(mail_settings, negotiation, [ID, D])
        sent = await send(mail_settings, msg)
    finally:
        controller.stop()
    [message] = eml(mail_settings)
    text = body(message)
    assert NAME in text and OWN_DEBT in text
    assert [c for c in CONTACT if c in text] == [] and attachments(message) == []
    [entry] = ledger(mail_settings)
    assert json.loads(entry.categories) == ["identity", "debts"] and entry.consent_id == narrower
    assert sent.message_id == message["Message-ID"]


async def test_the_end_of_the_mandate_names_our_reference_only(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, C, B, D, DOCS], seed.document_ids)
    offer_id = draft_offer(mail_settings, negotiation)
    mandate_end = CreditorMessage(
        negotiation, MessageKind.MANDATE_END.value, f"negotiation:{negotiation}:mandate-end"
    )
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await send(mail_settings, offer_message(negotiation, offer_id))
        in_db(
            mail_settings,
            revoke_consent,
            mail_settings,
            consent_id,
            actor="client:x",
            channel=REVOKED_BY_CLIENT,
        )
        sent = await send(mail_settings, mandate_end)
    _, notice = eml(mail_settings)
    text = body(notice)
    assert f"{seed.reference}-C1" in text and "mandat" in text
    assert NAME not in text and "Jeanne" not in text and ACCOUNT not in text
    assert [c for c in CONTACT if c in text] == []
    assert budget_figures(mail_settings, text) == [] and OWN_DEBT not in text
    assert attachments(notice) == []
    entry = ledger(mail_settings)[-1]
    assert entry.message_kind == "mandate_end" and entry.consent_id is None
    assert json.loads(entry.categories) == [] and sent.categories == []


async def test_no_end_of_mandate_is_sent_when_nothing_was_ever_shared(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    mandate_end = CreditorMessage(
        negotiation, MessageKind.MANDATE_END.value, f"negotiation:{negotiation}:mandate-end"
    )
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        sent = await send(mail_settings, mandate_end)
    assert sent.message_id == "" and eml(mail_settings) == [] and ledger(mail_settings) == []


async def test_information_carries_the_requested_consented_categories_only(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, D])
    reply = record_reply_row(
        mail_settings, negotiation, "information_requested", requested_categories=[B]
    )
    msg = CreditorMessage(
        negotiation,
        MessageKind.INFORMATION.value,
        f"negotiation:{negotiation}:info:1",
        reply_id=reply,
    )
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        with pytest.raises(ApplicationError) as refused:
            await send(mail_settings, msg)
        assert refused.value.type == CONSENT_MISSING
        assert "Situation budgétaire" in refused.value.message
        assert eml(mail_settings) == []
        give_consent(mail_settings, negotiation, [ID, B, D])
        await send(mail_settings, msg)
    [message] = eml(mail_settings)
    text = body(message)
    assert "1\u202f873,40" in text and NAME in text
    # Asked for the budget: not the debts (consented but not requested), nor the contact.
    assert OWN_DEBT not in text and [c for c in CONTACT if c in text] == []
    [entry] = ledger(mail_settings)
    assert json.loads(entry.categories) == ["identity", "budget"]


async def test_a_creditor_without_an_address_is_unreachable(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, D])
    offer_id = draft_offer(mail_settings, negotiation)
    with session_scope(mail_settings) as session:
        creditor = session.get(Creditor, seed.creditor_ids[0])
        assert creditor is not None
        creditor.contact_email = None
        session.add(creditor)
    with (
        smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port),
        pytest.raises(ApplicationError) as refused,
    ):
        await send(mail_settings, offer_message(negotiation, offer_id))
    assert refused.value.type == CREDITOR_UNREACHABLE and refused.value.non_retryable
    assert "adresse e-mail" in refused.value.message
    assert eml(mail_settings) == []


def file_name(settings: Settings, document: Document) -> str:
    with session_scope(settings) as session:
        client = session.get(Client, document.client_id)
        assert client is not None
    cipher = ClientCipher.for_client(client, settings)
    return cipher.decrypt("document", "filename", document.id, document.filename_enc) or ""


async def test_letters_have_french_names_saying_their_negotiation_and_what_they_are(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings, channel="post")
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, D, DOCS], seed.document_ids)
    offer_id = draft_offer(mail_settings, negotiation, channel="post")
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await send(mail_settings, offer_message(negotiation, offer_id))
        in_db(
            mail_settings,
            revoke_consent,
            mail_settings,
            consent_id,
            actor="client:x",
            channel=REVOKED_BY_CLIENT,
        )
        await send(
            mail_settings,
            CreditorMessage(
                negotiation, MessageKind.MANDATE_END.value, f"negotiation:{negotiation}:end"
            ),
        )
    with session_scope(mail_settings) as session:
        letters = session.exec(
            select(Document)
            .where(Document.kind == DocumentKind.CREDITOR_LETTER)
            .order_by(Document.uploaded_at)  # type: ignore[arg-type]
        ).all()
    reference = f"{seed.reference}-C1"
    assert [file_name(mail_settings, letter) for letter in letters] == [
        f"courrier-{reference}-proposition.pdf",
        f"courrier-{reference}-fin-de-mandat.pdf",
    ]


async def test_several_attachments_are_numbered_and_named_by_what_they_are(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, D, DOCS], seed.document_ids)
    offer_id = draft_offer(mail_settings, negotiation)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await send(mail_settings, offer_message(negotiation, offer_id))
    [message] = eml(mail_settings)
    assert [part.get_filename() for part in message.iter_attachments()] == [
        "piece-1-piece-identite.pdf",
        "piece-2-justificatifs-revenus.pdf",
    ]


def test_every_kind_of_document_has_a_french_attachment_name() -> None:
    assert set(ATTACHMENT_NAMES_FR) == set(DocumentKind)
    for name in ATTACHMENT_NAMES_FR.values():
        assert name.isascii() and name == name.lower() and " " not in name


async def test_a_letter_by_post_carries_only_consented_data(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings, channel="post")
    negotiation = seed.negotiation_ids[0]
    give_consent(mail_settings, negotiation, [ID, D])
    offer_id = draft_offer(mail_settings, negotiation, channel="post")
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        sent = await send(mail_settings, offer_message(negotiation, offer_id))
        again = await send(mail_settings, offer_message(negotiation, offer_id))
    assert sent == again and sent.channel == "post"
    assert eml(mail_settings) == []
    with session_scope(mail_settings) as session:
        letters = session.exec(
            select(Document).where(Document.kind == DocumentKind.CREDITOR_LETTER)
        ).all()
        [letter] = letters
        client = session.get(Client, seed.client_id)
        assert client is not None
        tasks = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "letter_to_post")
        ).all()
    assert letter.id == sent.message_id
    pdf = ClientCipher.for_client(client, mail_settings).decrypt_blob(
        document_aad(letter.id), document_path(letter, mail_settings).read_bytes()
    )
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Dupont" in text and seed.reference in text and "Service recouvrement" in text
    assert [c for c in CONTACT if c in text] == []
    assert budget_figures(mail_settings, text) == []
    [task] = tasks
    assert "Courrier à imprimer et poster" in task.summary and task.negotiation_id == negotiation
    [entry] = ledger(mail_settings)
    assert entry.channel == "post" and json.loads(entry.categories) == ["identity", "debts"]


async def test_negotiation_emails_reach_the_client_without_any_figure(
    mail_settings: Settings,
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, D])
    offer_id = draft_offer(mail_settings, negotiation)
    counter_id = draft_offer(mail_settings, negotiation, made_by="creditor", amount="987.65")
    with session_scope(mail_settings) as session:
        counter = session.get(NegotiationOffer, counter_id)
        assert counter is not None
        counter.decision_deadline = datetime(2031, 3, 14, 22, 59, tzinfo=UTC)
        # The acceptance receipt states when the client accepted it.
        counter.client_decided_at = datetime(2031, 3, 10, 8, 30, tzinfo=UTC)
        session.add(counter)
    activities = NegotiationEmailActivities(mail_settings)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await send(mail_settings, offer_message(negotiation, offer_id))
        for template in sorted(NEGOTIATION_EMAIL_TEMPLATES):
            outcome = await ActivityEnvironment().run(
                activities.send_negotiation_email,
                NegotiationEmail(
                    negotiation,
                    template,
                    f"negotiation:{negotiation}:{template}",
                    consent_id=consent_id,
                    offer_id=counter_id,
                    instalment_number=1,
                ),
            )
            assert outcome.sent_now, template
    to_client = [m for m in eml(mail_settings) if str(m["X-Envelope-To"]) == "client@example.org"]
    assert len(to_client) == len(NEGOTIATION_EMAIL_TEMPLATES)
    data = seed_budget()
    for message in to_client:
        text = body(message)
        assert figures_in(text, data, analysis_of(mail_settings, data)) == [], message["Subject"]
        for amount in ("1\u202f200,00", "1200", "987,65", "987.65", "100,00"):
            assert amount not in text, (message["Subject"], amount)
        assert "Banque Exemple 1" in text and seed.reference in text
        assert "/espace/" in text
    by_subject = {str(m["Subject"]): body(m) for m in to_client}
    [consent_request] = [t for s, t in by_subject.items() if "votre accord pour" in s]
    assert "/espace/consentement/" in consent_request and "identité" in consent_request
    [counter_offer] = [t for s, t in by_subject.items() if "contre-proposition" in s]
    assert "/espace/contre-proposition/" in counter_offer and "14 mars 2031" in counter_offer
    [receipt] = [t for s, t in by_subject.items() if "reçu de votre acceptation" in s]
    assert "le 10 mars 2031 à 09 h 30" in receipt and "Échéancier de remboursement" in receipt
    [offer_sent] = [t for s, t in by_subject.items() if "a été envoyée" in s]
    assert "identité ; dettes concernées" in offer_sent


async def test_the_consent_receipt_is_emailed_once_with_its_pdf(mail_settings: Settings) -> None:
    seed = seed_negotiations(mail_settings)
    consent_id = give_consent(mail_settings, seed.negotiation_ids[0], [ID, D])
    request = ConsentReceipt(consent_id, f"consent:{consent_id}:receipt")
    activities = ConsentReceiptActivities(mail_settings)
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        first = await ActivityEnvironment().run(activities.send_consent_receipt, request)
        again = await ActivityEnvironment().run(activities.send_consent_receipt, request)
    assert first.sent_now and not again.sent_now and first.message_id == again.message_id
    [message] = eml(mail_settings)
    assert str(message["X-Envelope-To"]) == "client@example.org"
    text = body(message)
    assert "/espace/negociation/" in text and "Banque Exemple 1" in text
    [pdf] = attachments(message)
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "recu-consentement.pdf"
    receipt = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert in_db(mail_settings, load_consent, mail_settings, consent_id).text_sha256 in "".join(
        receipt.split()
    )


@pytest.mark.parametrize(
    ("creditor", "template"),
    [
        # All ASCII, too long for the "Subject:" line but not for a line of its own: the
        # email package moved it whole to a continuation line, read back with a leading space.
        ("Banque Exemple 1", "negotiation_suspended"),
        ("Banque Exemple 1", "negotiation_plan_broken"),
        # Accented, cut between encoded words: a space lost ("SociétéGénérale"), one doubled.
        ("Société Générale", "negotiation_suspended"),
        ("Sofinco — Crédit à la consommation", "negotiation_consent_request"),
        ("Crédit Agricole Île-de-France", "negotiation_offer_expired"),
    ],
)
async def test_a_long_subject_reaches_the_client_exactly_as_written(
    mail_settings: Settings, creditor: str, template: str
) -> None:
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, D])
    with session_scope(mail_settings) as session:
        row = session.get(Creditor, seed.creditor_ids[0])
        assert row is not None
        row.name = creditor
        session.add(row)
    expected = SUBJECTS[template].format(reference=seed.reference, creditor_name=creditor)
    assert len("Subject: " + expected) > 78  # the header has to be folded
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await ActivityEnvironment().run(
            NegotiationEmailActivities(mail_settings).send_negotiation_email,
            NegotiationEmail(
                negotiation, template, f"negotiation:{negotiation}:{template}", consent_id
            ),
        )
    [message] = eml(mail_settings)
    assert str(message["Subject"]) == expected
    [listed] = list_messages(mail_settings)  # what /dev/mailbox shows
    assert listed.subject == expected
    # Folded within the recommended line length, so no server or client refolds it again.
    [raw] = list(mail_settings.mailbox_dir.glob("*.eml"))
    head = raw.read_bytes().split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78


async def test_a_line_break_stored_in_a_creditor_name_cannot_break_the_email(
    mail_settings: Settings,
) -> None:
    """A name saved before names refused control characters: the consent email still leaves,
    its subject on one line, and no header can be smuggled in through the name."""
    seed = seed_negotiations(mail_settings)
    negotiation = seed.negotiation_ids[0]
    consent_id = give_consent(mail_settings, negotiation, [ID, D])
    with session_scope(mail_settings) as session:
        row = session.get(Creditor, seed.creditor_ids[0])
        assert row is not None
        row.name = "Credit Demo\r\nBcc: intrus@exemple.org"
        session.add(row)
    template = "negotiation_consent_request"
    with smtp_catcher(mail_settings.mailbox_dir, mail_settings.smtp_port):
        await ActivityEnvironment().run(
            NegotiationEmailActivities(mail_settings).send_negotiation_email,
            NegotiationEmail(
                negotiation, template, f"negotiation:{negotiation}:{template}", consent_id
            ),
        )
    [message] = eml(mail_settings)
    assert "Credit Demo Bcc: intrus@exemple.org" in str(message["Subject"])
    assert message["Bcc"] is None
