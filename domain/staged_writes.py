"""Staged writes: how the web hands a workflow what a staff action wrote.

A staff action that a workflow may refuse writes its rows *staged*: tagged with one staged
write, inert (nothing reads them as effective data). The update names the write; once the
workflow's rules accept the action, one activity applies it (the rows become effective and what
they replace is superseded). A refused or undelivered write stays inert until the sweep removes
it, so a refusal never has to take anything back, and never reverts someone else's change.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class StagedWriteKind(StrEnum):
    CONSENT_REQUEST = "consent_request"
    PAPER_CONSENT = "paper_consent"
    OFFER = "offer"
    REPLY = "reply"
    AGREEMENT_SCAN = "agreement_scan"
    END_REASON = "end_reason"
    ADDED_CREDITOR = "added_creditor"
    CLOSURE_NOTE = "closure_note"
    LEGAL_HOLD_REASON = "legal_hold_reason"


# Where a write's text (a reason, a note) goes once applied: (table, column). The text is
# encrypted for that place already, so applying copies the ciphertext unchanged.
TEXT_TARGETS: dict[StagedWriteKind, tuple[str, str]] = {
    StagedWriteKind.END_REASON: ("negotiation", "end_reason"),
    StagedWriteKind.CLOSURE_NOTE: ("dossier", "closure_note"),
    StagedWriteKind.LEGAL_HOLD_REASON: ("dossier", "legal_hold_reason"),
}

# An update answers in seconds; a write still staged after this was refused or never
# delivered, and the sweep removes it with its rows and files.
STAGED_WRITE_TTL = timedelta(minutes=15)
