"""Master key rotation: re-wrap every client's data key under the active master key.

Only the small wrapped keys change; the encrypted fields stay as they are because they are
encrypted under the client data keys, which rotation does not touch. Erased clients (no wrapped
key) are skipped: rotation must never bring a destroyed key back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from config.settings import Settings
from models.client import Client
from security.datakeys import unwrap_data_key, wrap_data_key, wrapped_key_id
from security.keyring import get_keyring

BATCH_SIZE = 500


@dataclass
class RotationReport:
    active_key_id: str
    rewrapped: int = 0
    already_current: int = 0
    by_old_key: dict[str, int] = field(default_factory=dict)


def rotate_keys(session: Session, settings: Settings) -> RotationReport:
    """Re-wrap in the caller's transaction; running it again changes nothing."""
    ring = get_keyring(settings)
    report = RotationReport(active_key_id=ring.active_id)
    by_old_key: Counter[str] = Counter()
    last_id = ""
    while True:
        # Rows are locked so a concurrent erasure cannot be undone by writing a key back.
        batch = session.exec(
            select(Client)
            .where(col(Client.wrapped_key).is_not(None), col(Client.id) > last_id)
            .order_by(col(Client.id))
            .limit(BATCH_SIZE)
            .with_for_update()
        ).all()
        if not batch:
            break
        for client in batch:
            wrapped = client.wrapped_key
            if wrapped is None:  # filtered in the query; keeps the type checker informed
                continue
            kid = wrapped_key_id(wrapped)
            if kid == ring.active_id:
                report.already_current += 1
                continue
            data_key = unwrap_data_key(ring, wrapped, client.id)
            client.wrapped_key = wrap_data_key(ring, data_key, client.id)
            session.add(client)
            by_old_key[kid] += 1
            report.rewrapped += 1
        session.flush()
        last_id = batch[-1].id
    report.by_old_key = dict(by_old_key)
    return report
