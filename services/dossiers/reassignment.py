"""A supervisor entrusts dossiers of their team to another case worker of the team.

Every input is checked before anything is written: a dossier of another team, an unknown or
inactive assignee, or a case worker asking refuses the whole batch. Each change is audited with
the old and the new assignee, noted in the dossier's timeline, and queues an email to the new
assignee (the dossier's reference and link, no client data) in the same transaction; the
caller sends the queued messages after the commit.

The workflows keep no assignee (no search attribute, no memo): the dossier row is the only
place, and client emails read it when they are queued, so they name the new case worker from
now on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from domain.errors import InvalidInput
from models.client import Client
from models.dossier import Dossier
from models.outbox import OutboxEmail
from models.staff import Role, StaffUser
from rendering.email import render_email
from services.audit import append_audit
from services.dossiers.access import (
    DOSSIER_WRITERS,
    DossierAction,
    actor_of,
    deny,
    load_dossier,
)
from services.dossiers.intake import new_id
from services.dossiers.timeline import add_timeline_event
from services.email_outbox import queue_email

# A batch stays one reasonable transaction (and one page's worth of check boxes).
MAX_BATCH = 200
ASSIGNED_TEMPLATE = "dossier_assigned"
SUPERVISOR_ONLY = (
    "Seul un superviseur de l'équipe peut réattribuer un dossier. La tentative a été enregistrée."
)
CHOOSE_DOSSIERS = "Cochez au moins un dossier à réattribuer."
TOO_MANY = f"Réattribuez au plus {MAX_BATCH} dossiers à la fois."
CHOOSE_ASSIGNEE = "Choisissez un conseiller actif de votre équipe."
ANONYMISED = "Le dossier {reference} est anonymisé : il ne peut plus être réattribué."


@dataclass(frozen=True)
class Reassigned:
    dossier_id: str
    reference: str
    assignee_name: str
    # False when the dossier already was the new assignee's (nothing written, no email).
    changed: bool
    # The queued message to the new assignee (None without a change, or once the client's
    # data is erased) and the client whose key seals it.
    email: OutboxEmail | None = None
    client: Client | None = None


def reassign_dossiers(
    session: Session,
    viewer: StaffUser,
    dossier_ids: list[str],
    assignee_id: int | None,
    settings: Settings,
) -> list[Reassigned]:
    if not viewer.active or viewer.role != Role.SUPERVISOR:
        deny(
            session,
            viewer,
            "dossier",
            ",".join(dossier_ids)[:100] or "*",
            reason="dossier.reassign",
            message=SUPERVISOR_ONLY,
        )
    ids = list(dict.fromkeys(i for i in dossier_ids if i))
    if not ids:
        raise InvalidInput({"dossiers": CHOOSE_DOSSIERS})
    if len(ids) > MAX_BATCH:
        raise InvalidInput({"dossiers": TOO_MANY})
    assignee = session.get(StaffUser, assignee_id) if assignee_id else None
    if (
        assignee is None
        or not assignee.active
        or assignee.role not in DOSSIER_WRITERS
        or assignee.team != viewer.team
    ):
        raise InvalidInput({"assignee": CHOOSE_ASSIGNEE})
    # Every dossier is loaded and checked before the first change.
    dossiers = [load_dossier(session, viewer, i, DossierAction.WRITE, "réattribution") for i in ids]
    for dossier in dossiers:
        if dossier.stage == Stage.ANONYMISED:
            raise InvalidInput({"dossiers": ANONYMISED.format(reference=dossier.reference)})
    return [_reassign(session, viewer, dossier, assignee, settings) for dossier in dossiers]


def _reassign(
    session: Session,
    viewer: StaffUser,
    dossier: Dossier,
    assignee: StaffUser,
    settings: Settings,
) -> Reassigned:
    assert assignee.id is not None  # a stored account
    previous = dossier.assignee_id
    if previous == assignee.id:
        return Reassigned(dossier.id, dossier.reference, assignee.display_name, changed=False)
    dossier.assignee_id = assignee.id
    dossier.updated_at = utcnow()
    session.add(dossier)
    append_audit(
        session,
        actor_of(viewer),
        "dossier.reassign",
        "dossier",
        dossier.id,
        reason="réattribution du dossier",
        detail={"from_assignee_id": previous, "to_assignee_id": assignee.id},
    )
    event = new_id()
    add_timeline_event(
        session,
        dossier.id,
        f"reassign:{event}",
        "reassigned",
        f"Dossier confié à {assignee.display_name}",
        actor_of(viewer),
    )
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        # The message is sealed under the client's key: none once their data is erased.
        return Reassigned(dossier.id, dossier.reference, assignee.display_name, changed=True)
    context = {
        "reference": dossier.reference,
        "assignee_name": assignee.display_name,
        "supervisor_name": viewer.display_name,
        "dossier_url": f"{settings.public_base_url.rstrip('/')}/dossiers/{dossier.id}",
    }
    email = queue_email(
        session,
        settings,
        key=f"dossier-assigned:{dossier.id}:{event}",
        client=client,
        dossier_id=dossier.id,
        template=ASSIGNED_TEMPLATE,
        rendered=render_email(ASSIGNED_TEMPLATE, assignee.email, context),
    )
    return Reassigned(
        dossier.id, dossier.reference, assignee.display_name, True, email=email, client=client
    )
