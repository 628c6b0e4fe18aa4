"""Creating a dossier exactly once per intake request, and flagging a person who already has
an open dossier before a second one is made.

A request is named by a key its sender chooses (the API's Idempotency-Key header, the intake
form's hidden token). The first creation records it with the dossier, in the same transaction;
a retry of it, whether the first answer was lost or a crash came in between, gets that dossier
back. The same key with another content is refused.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.dossier_stages import OPEN_STAGES
from domain.errors import ConflictingInput
from domain.intake import DossierCreate
from models.client import Client
from models.dossier import Dossier
from models.intake_request import IntakeRequest
from models.staff import StaffUser
from security.blind_index import blind_index
from services.dossiers.access import can_access
from services.dossiers.intake import EMAIL_INDEX, require_dossier_creator

MAX_KEY_LENGTH = 200
KEY_REUSED = (
    "Cette clé d'idempotence a déjà servi à une autre demande d'ouverture : "
    "choisissez-en une nouvelle pour chaque dossier."
)
KEY_INVALID = f"La clé d'idempotence doit compter de 1 à {MAX_KEY_LENGTH} caractères visibles."


def _request_id(settings: Settings, actor: StaffUser, key: str) -> str:
    return blind_index("intake-request", f"{actor.id}:{key}", settings)


def _fingerprint(settings: Settings, data: DossierCreate) -> str:
    # What makes two intakes the same request; the confirmation of a second dossier does not.
    content = data.model_dump_json(exclude={"confirm_second_dossier"})
    return blind_index("intake-content", content, settings)


def check_request_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ConflictingInput({"Idempotency-Key": KEY_INVALID})
    return key


def dossier_of_request(
    session: Session, settings: Settings, actor: StaffUser, key: str, data: DossierCreate
) -> Dossier | None:
    """The dossier this request already created, or None; ConflictingInput if the key served
    another intake."""
    served = session.get(IntakeRequest, _request_id(settings, actor, key))
    if served is None:
        return None
    if served.fingerprint != _fingerprint(settings, data):
        raise ConflictingInput({"Idempotency-Key": KEY_REUSED})
    return session.get(Dossier, served.dossier_id)


def record_request(
    session: Session,
    settings: Settings,
    actor: StaffUser,
    key: str,
    data: DossierCreate,
    dossier: Dossier,
) -> None:
    """In the creation's transaction: a concurrent twin fails on the primary key and rolls back."""
    session.add(
        IntakeRequest(
            id=_request_id(settings, actor, key),
            dossier_id=dossier.id,
            fingerprint=_fingerprint(settings, data),
        )
    )
    session.flush()


def refuse_unconfirmed_second_dossier(
    session: Session, settings: Settings, actor: StaffUser, data: DossierCreate
) -> None:
    """ConflictingInput (409, on the email) when the person already has an open dossier and the
    case worker has not confirmed a second one; the references they may open are named."""
    # Whether a person has a dossier is itself personal data: only for who may open dossiers.
    require_dossier_creator(session, actor)
    if data.confirm_second_dossier:
        return
    statement = (
        select(Dossier)
        .join(Client, col(Client.id) == col(Dossier.client_id))
        .where(
            col(Client.email_bidx) == blind_index(EMAIL_INDEX, data.email, settings),
            col(Dossier.stage).in_(list(OPEN_STAGES)),
        )
    )
    open_dossiers = list(session.exec(statement).all())
    if not open_dossiers:
        return
    visible = [d.reference for d in open_dossiers if can_access(actor, d)]
    where = f" ({', '.join(sorted(visible))})" if visible else " (suivi par une autre équipe)"
    raise ConflictingInput(
        {
            "email": (
                f"Cette personne a déjà un dossier ouvert{where}. Vérifiez qu'il ne s'agit pas "
                "d'un doublon ; pour ouvrir un second dossier, confirmez-le."
            )
        }
    )
