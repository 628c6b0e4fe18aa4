"""An objection to marketing takes effect at once (GDPR Art. 21(3): no weighing, no wait for
the answer): the client's marketing consent is withdrawn and the address goes on the
suppression list, as a keyed hash that survives the erasure of everything else. Objections to
other processing are for the DPO to assess (the request's decision records it)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from config.settings import Settings
from models.client import Client
from models.privacy_request import MarketingSuppression, PrivacyRequest
from security.blind_index import blind_index
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit

SUPPRESSION_INDEX = "marketing-suppression"


def suppression_hash(email: str, settings: Settings) -> str:
    return blind_index(SUPPRESSION_INDEX, email, settings)


def is_suppressed(session: Session, email: str, settings: Settings) -> bool:
    """Whether marketing may not be sent to this address (checked before every campaign)."""
    found = session.exec(
        select(MarketingSuppression.id).where(
            MarketingSuppression.email_hash == suppression_hash(email, settings)
        )
    ).first()
    return found is not None


def stop_marketing(
    session: Session, settings: Settings, request: PrivacyRequest, email: str | None
) -> None:
    """In the caller's transaction: the client (if known) opted out, the address(es) listed."""
    addresses = {email} if email else set()
    client = session.get(Client, request.client_id) if request.client_id else None
    if client is not None:
        client.marketing_emails = False
        session.add(client)
        try:
            cipher = ClientCipher.for_client(client, settings)
            own = cipher.decrypt("client", "email", client.id, client.email_enc)
        except ClientErasedError:
            own = None
        if own:
            addresses.add(own)
    for address in addresses:
        digest = suppression_hash(address, settings)
        exists = session.exec(
            select(MarketingSuppression.id).where(MarketingSuppression.email_hash == digest)
        ).first()
        if exists is None:
            try:
                with session.begin_nested():
                    session.add(MarketingSuppression(email_hash=digest))
            except IntegrityError:
                pass  # listed meanwhile by a concurrent request: listed all the same
    append_audit(
        session, "system", "client.marketing_stopped", "privacy_request", request.id,
        reason="opposition à la prospection", detail={"client": bool(client)},
    )  # fmt: skip
