"""What the audit witness records outside the database: the log's head at a moment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditCheckpoint:
    # The last entry's sequence number and keyed hash (0 and the genesis hash: an empty log).
    last_seq: int
    last_hash: str
