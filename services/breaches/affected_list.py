"""The list of the persons a breach affects, for the DPO: who they are, how to reach them, how
many of their records are concerned, and whether they were informed — as CSV. Each person's
details read is an audited read of their data."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, select

from config.settings import Settings
from models.breach import BreachAffected
from models.client import Client
from models.privacy_request import PrivacyRequest
from models.staff import StaffUser
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import append_audit, audit_client_data_read
from services.breaches.access import load_breach
from services.dossiers.access import actor_of

COLUMNS = ("personne", "email", "telephone", "enregistrements", "information", "le")
DELIVERY_LABELS = {
    "pending": "à informer",
    "sent": "informée par e-mail",
    "no_email": "sans adresse e-mail : courrier ou téléphone",
    "refused": "adresse refusée : courrier ou téléphone",
}
UNREADABLE = "(coordonnées effacées)"


def affected_csv(session: Session, staff: StaffUser, breach_id: str, settings: Settings) -> str:
    row = load_breach(session, staff, breach_id, "breach.affected_list")
    actor = actor_of(staff)
    append_audit(session, actor, "breach.affected_list", "breach", row.id)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    affected = session.exec(
        select(BreachAffected)
        .where(BreachAffected.breach_id == row.id)
        .order_by(col(BreachAffected.id))
    ).all()
    for person in affected:
        name, email, phone = _contact(session, person, settings, actor, row.id)
        writer.writerow(
            [
                name,
                email,
                phone,
                person.records,
                DELIVERY_LABELS.get(person.delivery, ""),
                person.delivered_at.isoformat() if person.delivered_at else "",
            ]
        )
    return out.getvalue()


def _contact(
    session: Session, person: BreachAffected, settings: Settings, actor: str, breach_id: str
) -> tuple[str, str, str]:
    if person.client_id is not None:
        client = session.get(Client, person.client_id)
        if client is None:
            return UNREADABLE, "", ""
        try:
            cipher = ClientCipher.for_client(client, settings)
        except ClientErasedError:
            return UNREADABLE, "", ""
        audit_client_data_read(
            session, actor, client.id, "breach.affected_list", breach_id=breach_id
        )
        first = cipher.decrypt("client", "first_name", client.id, client.first_name_enc)
        last = cipher.decrypt("client", "last_name", client.id, client.last_name_enc)
        return (
            " ".join(p for p in (first, last) if p),
            cipher.decrypt("client", "email", client.id, client.email_enc) or "",
            cipher.decrypt("client", "phone", client.id, client.phone_enc) or "",
        )
    request = session.get(PrivacyRequest, person.request_id) if person.request_id else None
    if request is None or request.wrapped_key is None:
        return UNREADABLE, "", ""
    append_audit(
        session,
        actor,
        "privacy_request.read",
        "privacy_request",
        request.id,
        reason="breach.affected_list",
    )
    cipher = ClientCipher.for_client(request, settings)
    email = cipher.decrypt("privacy_request", "email", request.id, request.email_enc) or ""
    return f"Demande {request.reference}", email, ""
