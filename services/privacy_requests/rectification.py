"""Correcting a client's detail at their request (GDPR Art. 16): the new value replaces the old
(re-encrypted, its blind index and search tokens with it), both kept with the reason in a
rectification row under the client's key, audited by the row's id; each creditor that received
the old value (the sharing ledger says which, by category) gets a notice to send (Art. 19) and
its acknowledgement tracked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.contact_fields import ContactChannel
from domain.errors import InvalidInput, Refused
from domain.privacy.rectification import ClearDetail, RectifiableField, RectificationIn
from domain.privacy.request import ANSWERED, RequestStatus, Right
from models.client import Client
from models.creditor_directory import Creditor, CreditorChannel
from models.negotiation import SharingLedgerEntry
from models.privacy_request import PrivacyRectification, RecipientNotice
from models.staff import StaffUser
from security.blind_index import blind_index
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import actor_of
from services.dossiers.intake import EMAIL_INDEX, LAST_NAME_INDEX
from services.dossiers.search_index import client_details, index_client
from services.privacy_requests.access import load_request

TABLE = "privacy_rectification"
NOT_ASKED = "Cette demande ne porte pas sur la rectification."
NO_CLIENT = "Cette demande ne concerne pas un client connu : il n'y a rien à rectifier."
SAME_VALUE = "C'est déjà la valeur enregistrée : rien à corriger."
UNCHANGED_ACK = "L'accusé de réception de ce créancier est déjà enregistré."


def rectify(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    request_id: str,
    data: RectificationIn,
    now: datetime,
) -> PrivacyRectification:
    request = load_request(session, viewer, request_id, "privacy_request.rectify", drive=True)
    if Right.RECTIFICATION.value not in request.rights.split(","):
        raise Refused(NOT_ASKED)
    if request.status == RequestStatus.ANSWERED.value:
        raise Refused(ANSWERED)
    client = session.get(Client, request.client_id) if request.client_id else None
    if client is None or client.wrapped_key is None:
        raise Refused(NO_CLIENT)
    cipher = ClientCipher.for_client(client, settings)
    name = data.field.value
    old = cipher.decrypt("client", name, client.id, getattr(client, f"{name}_enc"))
    if old == data.new_value:
        raise InvalidInput({"new_value": SAME_VALUE})
    return change_client_detail(
        session,
        settings,
        client,
        ClientDetailChange(data.field, data.new_value, data.justification),
        actor_of(viewer),
        request_id=request.id,
    ).rectification


@dataclass(frozen=True)
class ClientDetailChange:
    field: RectifiableField | ClearDetail
    # Already checked by the field's rule (domain/privacy/rectification.py).
    new_value: str
    reason: str


@dataclass(frozen=True)
class AppliedChange:
    rectification: PrivacyRectification
    # Creditors that received the old value, by name (each has a notice to send).
    recipients: list[str]


def change_client_detail(
    session: Session,
    settings: Settings,
    client: Client,
    change: ClientDetailChange,
    actor: str,
    *,
    request_id: str | None = None,
) -> AppliedChange:
    """The one way a client's detail changes once the client exists, whoever asks (the person
    through a request, or their case worker): the new value re-encrypted with its blind index,
    the old and the new value kept with the reason in a rectification row under the client's
    key, audited by the row's id, and a notice for each creditor that received the old value.
    Whatever must follow a change of a client's detail hooks in here."""
    cipher = ClientCipher.for_client(client, settings)
    name = change.field.value
    old = current_value(client, cipher, change.field)
    if isinstance(change.field, ClearDetail):
        clear = change.new_value
        setattr(client, name, ContactChannel(clear) if name == "preferred_channel" else clear)
    else:
        new_enc = cipher.encrypt("client", name, client.id, change.new_value)
        setattr(client, f"{name}_enc", new_enc)
    if change.field == RectifiableField.EMAIL:
        client.email_bidx = blind_index(EMAIL_INDEX, change.new_value, settings)
    if change.field == RectifiableField.LAST_NAME:
        client.last_name_bidx = blind_index(LAST_NAME_INDEX, change.new_value, settings)
    session.add(client)
    # The search finds the person under the new value only.
    index_client(session, client.id, client_details(client, cipher), settings)
    row = PrivacyRectification(
        request_id=request_id, client_id=client.id, field_name=name, created_by=actor
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    row.old_value_enc = cipher.encrypt(TABLE, "old_value", row.id, old)
    row.new_value_enc = cipher.encrypt(TABLE, "new_value", row.id, change.new_value)
    row.reason_enc = cipher.encrypt(TABLE, "reason", row.id, change.reason)
    session.add(row)
    # A detail kept in clear was never sent to a creditor: nobody to tell.
    recipients = (
        _notices(session, row, change.field) if isinstance(change.field, RectifiableField) else []
    )
    append_audit(
        session, actor, "client.rectified", "client", client.id,
        reason=(
            "rectification à la demande de la personne"
            if request_id is not None
            else "correction par le conseiller du dossier"
        ),
        detail={"rectification_id": row.id, "field": name, "recipients": len(recipients)},
    )  # fmt: skip
    session.flush()
    return AppliedChange(row, recipients)


def current_value(
    client: Client, cipher: ClientCipher, field: RectifiableField | ClearDetail
) -> str:
    """The detail as recorded, as text."""
    name = field.value
    if isinstance(field, ClearDetail):
        value = getattr(client, name)
        return str(value.value if isinstance(value, ContactChannel) else value)
    return cipher.decrypt("client", name, client.id, getattr(client, f"{name}_enc")) or ""


def _notices(session: Session, row: PrivacyRectification, field: RectifiableField) -> list[str]:
    """One notice per creditor that received the category this detail belongs to; their
    names."""
    entries = session.exec(
        select(SharingLedgerEntry)
        .where(SharingLedgerEntry.client_id == row.client_id)
        .order_by(col(SharingLedgerEntry.shared_at))
    ).all()
    recipients: dict[int, str] = {}
    for entry in entries:
        if field.category.value in json.loads(entry.categories):
            recipients.setdefault(entry.creditor_id, entry.negotiation_id)
    names = []
    for creditor_id, negotiation_id in recipients.items():
        assert row.id is not None
        session.add(
            RecipientNotice(
                rectification_id=row.id, creditor_id=creditor_id, negotiation_id=negotiation_id
            )
        )
        creditor = session.get(Creditor, creditor_id)
        names.append(creditor.name if creditor is not None else f"créancier n° {creditor_id}")
    return names


def acknowledge(
    session: Session, viewer: StaffUser, request_id: str, notice_id: int, now: datetime
) -> RecipientNotice:
    """The creditor acknowledged the correction (by mail, email or phone): recorded once."""
    request = load_request(session, viewer, request_id, "privacy_request.acknowledge", drive=True)
    notice = session.get(RecipientNotice, notice_id)
    rectification = session.get(PrivacyRectification, notice.rectification_id) if notice else None
    if notice is None or rectification is None or rectification.request_id != request.id:
        raise InvalidInput({"notice_id": "Ce créancier n'est pas à prévenir pour cette demande."})
    if notice.acknowledged_at is not None:
        raise Refused(UNCHANGED_ACK)
    notice.acknowledged_at, notice.acknowledged_by = now, actor_of(viewer)
    session.add(notice)
    session.flush()
    return notice


@dataclass(frozen=True)
class NoticeView:
    id: int
    creditor: str
    by_post: bool
    sent_at: datetime | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class RectificationView:
    id: int
    field_label: str
    created_at: datetime
    notices: list[NoticeView]


def rectifications_of(session: Session, request_id: str) -> list[RectificationView]:
    """The corrections made for the request, each with the creditors to tell (no values)."""
    rows = session.exec(
        select(PrivacyRectification)
        .where(PrivacyRectification.request_id == request_id)
        .order_by(col(PrivacyRectification.created_at))
    ).all()
    views = []
    for row in rows:
        notices = session.exec(
            select(RecipientNotice, Creditor)
            .join(Creditor, col(Creditor.id) == col(RecipientNotice.creditor_id))
            .where(RecipientNotice.rectification_id == row.id)
        ).all()
        assert row.id is not None
        views.append(
            RectificationView(
                row.id,
                RectifiableField(row.field_name).label,
                row.created_at,
                [
                    NoticeView(
                        notice.id or 0,
                        creditor.name,
                        creditor.contact_channel != CreditorChannel.EMAIL,
                        notice.sent_at,
                        notice.acknowledged_at,
                    )
                    for notice, creditor in notices
                ],
            )
        )
    return views
