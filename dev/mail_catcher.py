"""Dev-mode SMTP catcher: a real SMTP server (aiosmtpd) that keeps what it receives on disk.

`cravelynos dev` runs it on 127.0.0.1:1025; the web app's /dev/mailbox pages read the files.
Messages are kept as .eml files in the data directory, so a restart keeps them.
"""

from __future__ import annotations

import email
import email.policy
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from config.settings import Settings

LISTING_LIMIT = 500


@dataclass
class MailboxMessage:
    id: str
    received_at: datetime
    sender: str
    recipients: list[str]
    subject: str
    message_id: str
    text: str
    html: str | None


class MailboxHandler:
    """aiosmtpd handler: one .eml file per accepted message, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        received = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{received}-{uuid.uuid4().hex[:12]}"
        body = envelope.original_content or envelope.content
        data = body if isinstance(body, bytes) else body.encode()
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(header + data)
        os.replace(tmp, self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


def start_catcher(settings: Settings) -> Controller:
    controller = Controller(
        MailboxHandler(settings.mailbox_dir), hostname=settings.smtp_host, port=settings.smtp_port
    )
    controller.start()
    return controller


def list_messages(settings: Settings) -> list[MailboxMessage]:
    """Newest first."""
    directory = settings.mailbox_dir
    if not directory.exists():
        return []
    files = sorted(directory.glob("*.eml"), reverse=True)[:LISTING_LIMIT]
    return [_parse(path) for path in files]


def read_message(settings: Settings, message_id: str) -> MailboxMessage | None:
    # The id is a file stem we generated; refuse anything that could walk out of the folder.
    if not message_id or "/" in message_id or message_id.startswith("."):
        return None
    path = settings.mailbox_dir / f"{message_id}.eml"
    return _parse(path) if path.is_file() else None


def _parse(path: Path) -> MailboxMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    stem = path.stem
    received = datetime.strptime(stem.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    return MailboxMessage(
        id=stem,
        received_at=received,
        sender=str(message.get("From", "")),
        recipients=[r.strip() for r in str(message.get("X-Envelope-To", "")).split(",") if r],
        subject=str(message.get("Subject", "")),
        message_id=str(message.get("Message-ID", "")),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else None,
    )
