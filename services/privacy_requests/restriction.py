"""A restriction of processing (GDPR Art. 18): while it holds, the client's data is only stored.
Every activity that shares it (messages to creditors), contacts the person (progress emails,
reminders) or processes it (the analysis) asks `restriction_of` first and stands down with the
French reason; the DPO lifts it only after the person has been told.

Records kept after a partial erasure are restricted the same way (only stored, until their
obligation ends)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models.client import Client
from models.privacy_request import PrivacyRequest
from services.audit import append_audit

# The type of the ApplicationError an activity raises when the client's data is restricted.
PROCESSING_RESTRICTED = "ProcessingRestricted"


def restriction_of(session: Session, client_id: str | None) -> str | None:
    """Why nothing may be done with this client's data now (French), or None."""
    client = session.get(Client, client_id) if client_id else None
    if client is None or client.restricted_since is None:
        return None
    request = session.get(PrivacyRequest, client.restricted_by) if client.restricted_by else None
    origin = f" (demande {request.reference})" if request is not None else ""
    return (
        f"Le traitement des données de ce client est limité{origin} : elles sont seulement "
        "conservées, rien n'est transmis, envoyé ni calculé tant que la limitation n'est pas levée."
    )


def restrict(session: Session, client_id: str, request_id: str, now: datetime) -> None:
    client = session.get(Client, client_id)
    if client is None or client.restricted_since is not None:
        return
    client.restricted_since, client.restricted_by = now, request_id
    session.add(client)
    append_audit(
        session, "system", "client.restricted", "client", client_id,
        reason="limitation du traitement", detail={"privacy_request_id": request_id},
    )  # fmt: skip


def lift(session: Session, client_id: str, request_id: str) -> None:
    client = session.get(Client, client_id)
    if client is None or client.restricted_since is None:
        return
    client.restricted_since, client.restricted_by = None, None
    session.add(client)
    append_audit(
        session, "system", "client.restriction_lifted", "client", client_id,
        reason="levée de la limitation", detail={"privacy_request_id": request_id},
    )  # fmt: skip
