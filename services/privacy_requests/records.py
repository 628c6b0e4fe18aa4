"""Recording a data-subject request as received: whose data, which rights, when it arrived.

The clock starts at receipt (`received_at`, which staff type from the letter or email), not at
typing. A request for a right already asked in an open request of the same person is linked to
it; it still gets its own identity check and its own answer.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.errors import ConflictingInput, InvalidInput, NotFound, UnknownReference
from domain.french_dates import PARIS
from domain.privacy.deadline import RequestClock
from domain.privacy.intake import PrivacyRequestIn, receipt_refusal
from domain.privacy.request import Channel, RequestStatus, Right
from models.client import Client
from models.dossier import Dossier
from models.privacy_request import PrivacyRequest
from models.staff import Role, StaffUser
from security.blind_index import blind_index
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import actor_of
from services.dossiers.intake import EMAIL_INDEX
from services.privacy_requests.access import require_request_role
from services.privacy_requests.objection import stop_marketing

TABLE = "privacy_request"
REFERENCE_PREFIX = "DP"
UNKNOWN_CLIENT = "Aucun client de votre périmètre ne porte cet identifiant."
IDENTIFIED, TO_CHECK = "identified", "to_check"
# Requests of people not (yet) known as clients: the DPO's alone.
PUBLIC_TEAM = "dpo"
KEY_REUSED = (
    "Cette clé d'idempotence a déjà servi à une autre demande : choisissez-en une nouvelle pour "
    "chaque demande."
)


def request_of_key(
    session: Session, settings: Settings, actor: StaffUser, key: str, data: PrivacyRequestIn
) -> PrivacyRequest | None:
    """The request this key already recorded, or None; ConflictingInput if the key served
    another request."""
    served = session.exec(
        select(PrivacyRequest).where(
            PrivacyRequest.creation_key == _creation_key(settings, actor, key)
        )
    ).first()
    if served is not None and served.creation_fingerprint != _fingerprint(settings, data):
        raise ConflictingInput({"Idempotency-Key": KEY_REUSED})
    return served


def _creation_key(settings: Settings, actor: StaffUser, key: str) -> str:
    return blind_index("privacy-request-key", f"{actor.id}:{key}", settings)


def _fingerprint(settings: Settings, data: PrivacyRequestIn) -> str:
    return blind_index("privacy-request-content", data.model_dump_json(), settings)


def create_request(
    session: Session,
    data: PrivacyRequestIn,
    actor: StaffUser,
    settings: Settings,
    now: datetime,
    key: str | None = None,
) -> PrivacyRequest:
    """The request, with the audit entry of its recording, in the caller's transaction.
    With a `key`, a concurrent twin fails on its unique column and rolls back."""
    require_request_role(session, actor, "privacy_request.create")
    refusal = receipt_refusal(data.received_at, now)
    if refusal:
        raise InvalidInput({"received_at": refusal})
    email_bidx = blind_index(EMAIL_INDEX, data.email, settings) if data.email else None
    client, team = _client_and_team(session, data, actor, email_bidx)
    row = _insert(
        session,
        settings,
        data,
        now,
        actor_of(actor),
        client=client,
        team=team,
        status=RequestStatus.OPEN,
    )
    if Right.OBJECTION in data.asked:
        stop_marketing(session, settings, row, data.email)
    if key is not None:
        row.creation_key = _creation_key(settings, actor, key)
        row.creation_fingerprint = _fingerprint(settings, data)
        session.add(row)
        session.flush()
    return row


def create_public_request(
    session: Session,
    settings: Settings,
    rights: list[Right],
    email: str,
    now: datetime,
    form_key: str,
) -> tuple[PrivacyRequest, bool]:
    """A request filed on the site: held unconfirmed (no clock, not in the queue) until the
    person confirms the address they gave; who they are is decided then. `form_key` names the
    form shown (its nonce): the same form sent twice files one request. (request, created)"""
    creation_key = blind_index("privacy-public-form", form_key, settings)
    twin = session.exec(
        select(PrivacyRequest).where(PrivacyRequest.creation_key == creation_key)
    ).first()
    if twin is not None:
        return twin, False
    data = PrivacyRequestIn(
        rights=rights, email=email, channel=Channel.PUBLIC_FORM, received_at=now
    )
    row = _insert(
        session, settings, data, now, "system", client=None, team=PUBLIC_TEAM,
        status=RequestStatus.UNCONFIRMED,
    )  # fmt: skip
    row.creation_key = creation_key
    session.add(row)
    session.flush()
    return row, True


def create_linked_request(
    session: Session,
    settings: Settings,
    client_id: str,
    rights: list[Right],
    now: datetime,
    form_key: str,
) -> tuple[PrivacyRequest, bool]:
    """A request the client files through the link of one of our emails to them: identified
    (the link reached their own mailbox), received now, open at once. (request, created)"""
    client = session.get(Client, client_id)
    if client is None or client.wrapped_key is None:
        raise NotFound(UNKNOWN_CLIENT)
    creation_key = blind_index("privacy-linked-form", form_key, settings)
    twin = session.exec(
        select(PrivacyRequest).where(PrivacyRequest.creation_key == creation_key)
    ).first()
    if twin is not None:
        return twin, False
    data = PrivacyRequestIn(
        rights=rights, client_id=client.id, channel=Channel.SIGNED_LINK, received_at=now
    )
    row = _insert(
        session, settings, data, now, f"client:{client.id}", client=client,
        team=client_team(session, client) or PUBLIC_TEAM, status=RequestStatus.OPEN,
    )  # fmt: skip
    row.creation_key, row.identity = creation_key, IDENTIFIED
    session.add(row)
    session.flush()
    if Right.OBJECTION in data.asked:
        stop_marketing(session, settings, row, None)
    return row, True


def confirm_address(
    session: Session, settings: Settings, request: PrivacyRequest, received_at: datetime
) -> PrivacyRequest:
    """The address is the person's: the request is received now. An address that is a client's
    identifies them as that client (their own mailbox answered)."""
    request.received_at = received_at
    request.due_at = RequestClock(received_at).due_at
    request.status = RequestStatus.OPEN.value
    client = client_of_address(session, request.email_bidx)
    if client is not None:
        request.client_id = client.id
        request.identity = IDENTIFIED
        request.team = client_team(session, client) or request.team
    session.add(request)
    session.flush()
    if Right.OBJECTION.value in request.rights.split(","):
        cipher = ClientCipher.for_client(request, settings)
        email = cipher.decrypt(TABLE, "email", request.id, request.email_enc)
        stop_marketing(session, settings, request, email)
    return request


def _insert(
    session: Session,
    settings: Settings,
    data: PrivacyRequestIn,
    now: datetime,
    recorded_by: str,
    *,
    client: Client | None,
    team: str,
    status: RequestStatus,
) -> PrivacyRequest:
    request_id = secrets.token_hex(16)
    email_bidx = blind_index(EMAIL_INDEX, data.email, settings) if data.email else None
    # Appending to the audit chain locks its head until commit, which also serialises the
    # allocation of references below.
    append_audit(
        session,
        recorded_by,
        "privacy_request.create",
        TABLE,
        request_id,
        detail={"rights": [r.value for r in data.asked], "channel": data.channel.value},
    )
    wrapped, cipher = ClientCipher.new_client(request_id, settings)
    row = PrivacyRequest(
        id=request_id,
        reference=_next_reference(session, now),
        rights=",".join(r.value for r in data.asked),
        channel=data.channel.value,
        client_id=client.id if client else None,
        team=team,
        wrapped_key=wrapped,
        email_enc=cipher.encrypt(TABLE, "email", request_id, data.email),
        email_bidx=email_bidx,
        # Staff and the API cannot vouch for the person: the DPO checks, asking for an ID
        # document where the channel did not identify them.
        identity=TO_CHECK,
        linked_to_id=_open_request_for_same_right(session, data, client, email_bidx),
        received_at=data.received_at,
        recorded_at=now,
        recorded_by=recorded_by,
        status=status.value,
        due_at=RequestClock(data.received_at).due_at,
    )
    session.add(row)
    session.flush()
    return row


def client_of_address(session: Session, email_bidx: str | None) -> Client | None:
    """The client (not erased) whose address has this blind index."""
    if email_bidx is None:
        return None
    return session.exec(
        select(Client).where(Client.email_bidx == email_bidx).where(col(Client.erased_at).is_(None))
    ).first()


def client_team(session: Session, client: Client) -> str | None:
    """The team of the client's latest dossier."""
    return session.exec(
        select(Dossier.team)
        .where(Dossier.client_id == client.id)
        .order_by(col(Dossier.created_at).desc())
    ).first()


def _client_and_team(
    session: Session, data: PrivacyRequestIn, actor: StaffUser, email_bidx: str | None
) -> tuple[Client | None, str]:
    """The client the request is about (named, or found by the address it came from) and the
    team whose supervisor answers for it: that of the client's latest dossier, else the
    recorder's."""
    if data.client_id is not None:
        client = session.get(Client, data.client_id)
        if client is None or client.erased_at is not None:
            raise UnknownReference({"client_id": UNKNOWN_CLIENT})
    else:
        client = client_of_address(session, email_bidx)
    if client is None:
        return None, actor.team
    team = client_team(session, client) or actor.team
    if data.client_id is not None and actor.role != Role.DPO and team != actor.team:
        raise UnknownReference({"client_id": UNKNOWN_CLIENT})
    return client, team


def _open_request_for_same_right(
    session: Session, data: PrivacyRequestIn, client: Client | None, email_bidx: str | None
) -> str | None:
    same_person = []
    if client is not None:
        same_person.append(col(PrivacyRequest.client_id) == client.id)
    if email_bidx is not None:
        same_person.append(col(PrivacyRequest.email_bidx) == email_bidx)
    rows = session.exec(
        select(PrivacyRequest)
        .where(or_(*same_person))
        .where(col(PrivacyRequest.status) != RequestStatus.ANSWERED.value)
        .order_by(col(PrivacyRequest.received_at))
    ).all()
    asked = {r.value for r in data.asked}
    for row in rows:
        if asked & set(row.rights.split(",")):
            return row.id
    return None


def _next_reference(session: Session, now: datetime) -> str:
    """DP-<year>-<5 digits>, one more than the highest of the year (Paris year)."""
    prefix = f"{REFERENCE_PREFIX}-{now.astimezone(PARIS).year}-"
    highest = session.exec(
        select(func.max(PrivacyRequest.reference)).where(
            col(PrivacyRequest.reference).startswith(prefix)
        )
    ).one()
    number = int(highest.removeprefix(prefix)) + 1 if highest else 1
    return f"{prefix}{number:05d}"
