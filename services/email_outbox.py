"""Outbox delivery: one row per logical message, a deterministic Message-ID, sent at most once.

The message is rendered and stored (encrypted) the first time its key is seen; a retry finds the
row and sends those exact bytes, or nothing if the SMTP server already accepted them. The only
window for a duplicate is a crash between the server's 250 and our commit a few microseconds
later; the deterministic Message-ID lets the receiving side recognise that copy.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Callable, Sequence
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio.exceptions import ApplicationError

from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.dossier_stages import DocumentKind
from domain.errors import MESSAGE_UNBUILDABLE
from models.client import Client
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from models.outbox import EmailStatus, OutboxEmail
from models.staff import StaffUser
from rendering.email import RenderedEmail, render_email
from security.datakeys import ClientCipher, KeyHolder
from security.privacy_links import RIGHTS_LINK
from services.audit import audit_client_data_read
from services.documents import document_aad, document_path
from services.dossiers.access import require_personal_data_role, visible_dossiers

TABLE = "email_outbox"
# RFC 5322's recommended line length, which the SMTP policy folds to.
SUBJECT_LINE_MAX = 78
# An attachment's file name: what the document is, in French, never its original name.
ATTACHMENT_NAMES_FR: dict[DocumentKind, str] = {
    DocumentKind.IDENTITY: "piece-identite",
    DocumentKind.INCOME: "justificatifs-revenus",
    DocumentKind.TAX_NOTICE: "avis-imposition",
    DocumentKind.BANK_STATEMENTS: "releves-bancaires",
    DocumentKind.DEBT_STATEMENTS: "courriers-creanciers",
    DocumentKind.RENT: "quittance-loyer",
    DocumentKind.OTHER: "justificatif",
    DocumentKind.ANALYSIS_REPORT: "analyse-budgetaire",
    DocumentKind.CONSENT_RECEIPT: "recu-consentement",
    DocumentKind.CONSENT_SCAN: "consentement-signe",
    DocumentKind.CREDITOR_LETTER: "courrier-creancier",
    DocumentKind.CREDITOR_REPLY: "reponse-creancier",
}
# The business refusal when an attached document disappeared before the message could leave
# (deleted by retention or erased): sending it without would not be the message that was meant.
ATTACHMENT_MISSING = "AttachmentMissing"
UNBUILDABLE_MESSAGE = "message impossible à construire (caractère interdit dans un en-tête)"


def message_id_for(key: str, settings: Settings) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.mail_domain}>"


def queue_email(
    session: Session,
    settings: Settings,
    *,
    key: str,
    client: KeyHolder,
    dossier_id: str | None,
    template: str,
    rendered: RenderedEmail,
    attachment_document_ids: Sequence[str] = (),
    replace_unsent: bool = False,
) -> OutboxEmail:
    """Insert the outbox row for `key` in the caller's transaction, or return the one already
    there (first render wins).

    In the caller's transaction so that what it records with the message (the audit entry of the
    client data read to write it) commits with the message or not at all: a retry after a crash
    in between records it once. When a concurrent attempt inserted the row first, the caller's
    transaction is rolled back (its records belong to that attempt) and that row returned.

    attachment_document_ids: documents attached at send time (decrypted from the store).
    replace_unsent: a row not sent yet takes this render instead (same key and Message-ID), for
    messages whose content must follow what is allowed at the moment they leave (a creditor
    message is rebuilt from the consent checked on each attempt).

    client: whose data key encrypts the message: a client, or a data-subject request (the
    messages about a request of someone who is not a client, and those to staff about it).
    """
    existing = session.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == key)).first()
    if existing is not None and (not replace_unsent or existing.status == EmailStatus.SENT):
        return existing
    cipher = ClientCipher.for_client(client, settings)
    row = existing or OutboxEmail(
        idempotency_key=key,
        message_id=message_id_for(key, settings),
        client_id=client.id if isinstance(client, Client) else None,
        dossier_id=dossier_id,
        template=template,
    )
    session.add(row)
    try:
        session.flush()  # inserts: a concurrent attempt may have taken the key
    except IntegrityError:
        session.rollback()
        return session.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == key)).one()
    row_id = str(row.id)
    row.recipient_enc = cipher.encrypt(TABLE, "recipient", row_id, rendered.recipient)
    row.subject_enc = cipher.encrypt(TABLE, "subject", row_id, rendered.subject)
    row.text_enc = cipher.encrypt(TABLE, "text", row_id, rendered.text)
    row.html_enc = cipher.encrypt(TABLE, "html", row_id, rendered.html)
    row.attachment_document_ids = (
        json.dumps(list(attachment_document_ids)) if attachment_document_ids else None
    )
    session.add(row)
    session.flush()
    return row


def queue_client_email(
    session: Session,
    settings: Settings,
    key: str,
    client: Client,
    template: str,
    recipient: str,
    context: dict[str, Any],
    *,
    dossier_id: str,
    negotiation_id: str | None = None,
    attachment_document_ids: Sequence[str] = (),
) -> OutboxEmail:
    """Render `template` for the client and queue it (see queue_email), with the audit entry
    of the client data read to write it: recorded with the message it was for, both commit
    with the caller's transaction, or neither."""
    about = {"dossier_id": dossier_id}
    if negotiation_id is not None:
        about["negotiation_id"] = negotiation_id
    audit_client_data_read(session, "system", client.id, f"email:{template}", **about)
    return queue_email(
        session,
        settings,
        key=key,
        client=client,
        dossier_id=dossier_id,
        template=template,
        # Every email to a client carries their own link to exercise their rights, and how to
        # reach the case worker in charge of the dossier.
        rendered=render_email(
            template,
            recipient,
            {
                **_adviser(session, dossier_id),
                **context,
                "rights_url": RIGHTS_LINK.url(settings, client.id),
            },
        ),
        attachment_document_ids=attachment_document_ids,
    )


def _adviser(session: Session, dossier_id: str) -> dict[str, str]:
    """The name and address of the dossier's case worker (the caller's context may name them
    otherwise)."""
    dossier = session.get(Dossier, dossier_id)
    adviser = session.get(StaffUser, dossier.assignee_id) if dossier is not None else None
    if adviser is None:
        return {}
    return {"adviser_name": adviser.display_name, "adviser_email": adviser.email}


def find_queued(settings: Settings, key: str) -> OutboxEmail | None:
    with session_scope(settings) as session:
        return session.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == key)).first()


async def deliver(
    settings: Settings,
    row: OutboxEmail,
    client: KeyHolder,
    on_sent: Callable[[Session], None] | None = None,
) -> bool:
    """Send the stored message unless already sent; True if it was sent now.

    on_sent runs in the transaction that marks the row sent, so what must be recorded with a
    sent message (the sharing ledger of a creditor message) exists exactly when it was sent.
    """
    if row.status == EmailStatus.SENT:
        return False
    try:
        message = _build_message(settings, row, client)
    except ValueError as exc:
        # The stored text itself is at fault (a header with a line break): no retry can fix it.
        _record_attempt(settings, row.idempotency_key, EmailStatus.FAILED, _describe(exc))
        raise ApplicationError(
            UNBUILDABLE_MESSAGE, type=MESSAGE_UNBUILDABLE, non_retryable=True
        ) from exc
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        _record_attempt(settings, row.idempotency_key, EmailStatus.FAILED, _describe(exc))
        raise ApplicationError(
            "Adresse refusée par le serveur SMTP", type="RecipientRefused", non_retryable=True
        ) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        _record_attempt(settings, row.idempotency_key, EmailStatus.QUEUED, _describe(exc))
        raise
    _record_attempt(settings, row.idempotency_key, EmailStatus.SENT, None, on_sent)
    return True


def _build_message(settings: Settings, row: OutboxEmail, client: KeyHolder) -> EmailMessage:
    cipher = ClientCipher.for_client(client, settings)
    row_id = str(row.id)

    def read(column: str, token: str | None) -> str:
        return cipher.decrypt(TABLE, column, row_id, token) or ""

    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = read("recipient", row.recipient_enc)
    # Folded here, not by the generator: see folded_subject.
    message.set_raw("Subject", folded_subject(read("subject", row.subject_enc)))
    message["Date"] = format_datetime(as_utc(row.created_at))
    message["Message-ID"] = row.message_id
    message.set_content(read("text", row.text_enc))
    message.add_alternative(read("html", row.html_enc), subtype="html")
    for name, content_type, data in _attachments(settings, row, cipher):
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


def folded_subject(subject: str) -> str:
    """The Subject header's value, RFC 2047-encoded and folded to 78-character lines.

    Left to the email package (CPython 3.11's folder, which aiosmtplib's flatten uses), a
    subject too long for the "Subject:" line comes out damaged: an ASCII one is moved whole to
    the next line ("Subject:", line break, " Dossier …"), which Python's parser (our mailbox,
    many scripts) reads back with a leading space; an accented one is cut between encoded
    words, losing the space between two of them ("SociétéGénérale") and doubling another.
    Folded here at spaces only (ASCII) or as a run of encoded words that each decode to part
    of the text (accents), the header is already short enough and the generator keeps it as is.
    """
    charset = "us-ascii" if subject.isascii() else "utf-8"
    folded = Header(subject, charset, header_name="Subject").encode(splitchars=" ")
    if charset == "us-ascii" and any(
        len(line) > SUBJECT_LINE_MAX for line in ("Subject: " + folded).splitlines()
    ):
        # A word longer than a line: only encoded words can be cut inside a word.
        folded = Header(subject, "utf-8", header_name="Subject").encode()
    return folded


def _attachments(
    settings: Settings, row: OutboxEmail, cipher: ClientCipher
) -> list[tuple[str, str, bytes]]:
    """(file name, content type, plaintext) of each attached document, read now.

    The file name says what the document is, never its original name (which may name the
    client, in a message whose recipient was not given the identity): "recu-consentement.pdf"
    alone, "piece-1-piece-identite.pdf", "piece-2-…" when there are several."""
    ids: list[str] = json.loads(row.attachment_document_ids or "[]")
    if not ids:
        return []
    attached = []
    with session_scope(settings) as session:
        for number, document_id in enumerate(ids, start=1):
            document = session.get(Document, document_id)
            path = document_path(document, settings) if document is not None else None
            if document is None or path is None or not path.is_file():
                raise ApplicationError(
                    "Une pièce jointe n'est plus disponible : le message n'a pas été envoyé.",
                    type=ATTACHMENT_MISSING,
                    non_retryable=True,
                )
            data = cipher.decrypt_blob(document_aad(document.id), path.read_bytes())
            extension = mimetypes.guess_extension(document.content_type) or ".bin"
            name = ATTACHMENT_NAMES_FR[document.kind] + extension
            if len(ids) > 1:
                name = f"piece-{number}-{name}"
            attached.append((name, document.content_type, data))
    return attached


def _describe(exc: BaseException) -> str:
    """The error's class and SMTP code only: a server's message often quotes the address, and
    this column is not encrypted."""
    code = getattr(exc, "code", None)
    if code is None and isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
    return type(exc).__name__ + (f" {code}" if code else "")


def _record_attempt(
    settings: Settings,
    key: str,
    status: EmailStatus,
    error: str | None,
    on_sent: Callable[[Session], None] | None = None,
) -> None:
    with session_scope(settings) as session:
        row = session.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == key)).one()
        row.attempts += 1
        row.status = status
        row.last_error = error[:500] if error else None
        if status == EmailStatus.SENT:
            row.sent_at = utcnow()
            if on_sent is not None:
                on_sent(session)
        session.add(row)


def message_ids_visible_to(session: Session, viewer: StaffUser) -> set[str]:
    """The Message-IDs of the emails about dossiers `viewer` may read (the dev mailbox shows
    no more than the dossiers do). AccessDenied, audited, for roles without personal data."""
    require_personal_data_role(session, viewer, "dev.mailbox")
    statement = select(OutboxEmail.message_id).join(
        Dossier, col(Dossier.id) == col(OutboxEmail.dossier_id)
    )
    scope = visible_dossiers(viewer)
    if scope is not None:
        statement = statement.where(scope)
    return set(session.exec(statement).all())
