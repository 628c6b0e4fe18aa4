"""A client's contact details corrected by the case worker in charge of their dossier.

Every changed detail goes through the rectification service (change_client_detail), like a
correction the person asks for: re-encrypted with its blind index, old and new value kept
encrypted, audited, and the creditors that received the old value listed to be told.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from config.settings import Settings
from domain.errors import NotFound, Refused
from domain.intake import ClientDetailsEdit
from domain.privacy.rectification import ClearDetail, RectifiableField
from models.client import Client
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import audit_client_data_read
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.privacy_requests.rectification import (
    AppliedChange,
    ClientDetailChange,
    change_client_detail,
    current_value,
)

ERASED = (
    "Les données personnelles de ce client ont été effacées ou anonymisées : "
    "il n'y a plus de coordonnées à modifier."
)
DEFAULT_REASON = "correction par le conseiller du dossier"
EDITED_FIELDS: tuple[RectifiableField | ClearDetail, ...] = (
    RectifiableField.FIRST_NAME,
    RectifiableField.LAST_NAME,
    RectifiableField.EMAIL,
    RectifiableField.PHONE,
    RectifiableField.ADDRESS,
    ClearDetail.DEPARTEMENT,
    ClearDetail.PREFERRED_CHANNEL,
)


@dataclass(frozen=True)
class ClientDetails:
    dossier_id: str
    reference: str
    values: dict[str, str]


def _client(
    session: Session, viewer: StaffUser, dossier_id: str, purpose: str
) -> tuple[str, Client]:
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, purpose)
    client = session.get(Client, dossier.client_id)
    if client is None:
        raise NotFound("Le client de ce dossier est introuvable.")
    if client.wrapped_key is None or client.erased_at is not None:
        raise Refused(ERASED)
    return dossier.reference, client


def client_details(
    session: Session, settings: Settings, viewer: StaffUser, dossier_id: str
) -> ClientDetails:
    """The details as recorded, for the edit form (the read is audited)."""
    reference, client = _client(session, viewer, dossier_id, "client.edit_form")
    cipher = ClientCipher.for_client(client, settings)
    values = {f.value: current_value(client, cipher, f) for f in EDITED_FIELDS}
    audit_client_data_read(
        session, actor_of(viewer), client.id, "modification des coordonnées", dossier_id=dossier_id
    )
    return ClientDetails(dossier_id, reference, values)


def edit_client_details(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    dossier_id: str,
    data: ClientDetailsEdit,
) -> list[AppliedChange]:
    """Each detail that differs from the recorded one, changed; the changes (none: nothing
    differed)."""
    _, client = _client(session, viewer, dossier_id, "client.edit")
    cipher = ClientCipher.for_client(client, settings)
    wanted = {name: str(value) for name, value in data.model_dump(mode="json").items()}
    changes = [
        ClientDetailChange(f, wanted[f.value], data.reason or DEFAULT_REASON)
        for f in EDITED_FIELDS
        if current_value(client, cipher, f) != wanted[f.value]
    ]
    return [
        change_client_detail(session, settings, client, change, actor_of(viewer))
        for change in changes
    ]
