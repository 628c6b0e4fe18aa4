"""The creditor directory: listed for every signed-in staff member, kept by supervisors and
admins. Every change is audited; sample rows are flagged so nobody writes to them by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from domain.clock import utcnow
from domain.contact_fields import normalise_email
from domain.dossier_stages import CreditorKind
from domain.errors import InvalidInput, NotFound
from domain.input_fields import check_field, name_text, optional_text
from models.creditor_directory import Creditor, CreditorChannel
from models.staff import Role, StaffUser
from services.audit import append_audit
from services.dossiers.access import actor_of, deny

# Who may add and change directory entries.
DIRECTORY_EDITORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
FIELDS = (
    "name",
    "kind",
    "contact_channel",
    "contact_email",
    "postal_address",
    "ombudsman_name",
    "ombudsman_contact",
)
EDIT_REFUSED = (
    "Seuls un superviseur ou un administrateur peuvent modifier l'annuaire des créanciers. "
    "La tentative a été enregistrée."
)
NOT_FOUND = "Créancier introuvable dans l'annuaire."
NAME_TAKEN = "Un créancier de ce nom figure déjà dans l'annuaire."
NAME_CHECK = name_text("Nom du créancier", 120, missing="Indiquez le nom du créancier.")
ADDRESS_CHECK = optional_text("Adresse postale", 500, multiline=True)
OMBUDSMAN_NAME_CHECK = name_text("Médiateur", 120, required=False)
OMBUDSMAN_CONTACT_CHECK = optional_text("Contact du médiateur", 500, multiline=True)


class CreditorNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


@dataclass(frozen=True)
class CreditorInput:
    name: str
    kind: CreditorKind
    contact_channel: CreditorChannel
    contact_email: str | None
    postal_address: str | None
    ombudsman_name: str | None
    ombudsman_contact: str | None


def check_creditor(form: Mapping[str, str]) -> CreditorInput:
    """The directory form, field by field; InvalidInput with a French message per field."""
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    # The name goes into email subjects and letters: one line, no invisible characters.
    name = check_field(NAME_CHECK, values["name"], errors, "name")
    if values["kind"] not in {k.value for k in CreditorKind}:
        errors["kind"] = "Choisissez le type de créancier."
    if values["contact_channel"] not in {c.value for c in CreditorChannel}:
        errors["contact_channel"] = "Choisissez comment nos messages lui parviennent."
    email: str | None = None
    if values["contact_email"]:
        try:
            email = normalise_email(values["contact_email"])
        except ValueError as exc:
            errors["contact_email"] = str(exc)
    elif values["contact_channel"] == CreditorChannel.EMAIL:
        errors["contact_email"] = "Indiquez l'adresse e-mail à laquelle écrire à ce créancier."
    address = check_field(ADDRESS_CHECK, values["postal_address"], errors, "postal_address")
    if not address and values["contact_channel"] == CreditorChannel.POST:
        errors.setdefault(
            "postal_address", "Indiquez l'adresse postale à laquelle écrire à ce créancier."
        )
    ombudsman_name = check_field(
        OMBUDSMAN_NAME_CHECK, values["ombudsman_name"], errors, "ombudsman_name"
    )
    ombudsman_contact = check_field(
        OMBUDSMAN_CONTACT_CHECK, values["ombudsman_contact"], errors, "ombudsman_contact"
    )
    if errors or name is None:
        raise InvalidInput(errors)
    return CreditorInput(
        name=name,
        kind=CreditorKind(values["kind"]),
        contact_channel=CreditorChannel(values["contact_channel"]),
        contact_email=email,
        postal_address=address,
        ombudsman_name=ombudsman_name,
        ombudsman_contact=ombudsman_contact,
    )


def list_creditors(session: Session, *, active_only: bool = False) -> list[Creditor]:
    """By name. The directory holds business contacts only: readable by all signed-in staff."""
    statement = select(Creditor).order_by(col(Creditor.name))
    if active_only:
        statement = statement.where(col(Creditor.active).is_(True))
    return list(session.exec(statement).all())


def get_creditor(session: Session, creditor_id: int) -> Creditor:
    creditor = session.get(Creditor, creditor_id)
    if creditor is None:
        raise CreditorNotFound()
    return creditor


def require_editor(session: Session, viewer: StaffUser, purpose: str) -> None:
    """AccessDenied (audited) for anyone but an active supervisor or admin."""
    if not viewer.active or viewer.role not in DIRECTORY_EDITORS:
        deny(session, viewer, "creditor", "*", reason=purpose, message=EDIT_REFUSED)


def create_creditor(session: Session, viewer: StaffUser, data: CreditorInput) -> Creditor:
    require_editor(session, viewer, "creditor.create")
    _check_name_free(session, data.name, None)
    creditor = Creditor.model_validate(_columns(data))
    session.add(creditor)
    session.flush()
    _audit(session, viewer, "creditor.create", creditor)
    return creditor


def update_creditor(
    session: Session, viewer: StaffUser, creditor_id: int, data: CreditorInput
) -> Creditor:
    require_editor(session, viewer, "creditor.update")
    creditor = get_creditor(session, creditor_id)
    _check_name_free(session, data.name, creditor_id)
    changed = sorted(k for k, v in _columns(data).items() if getattr(creditor, k) != v)
    for name, value in _columns(data).items():
        setattr(creditor, name, value)
    # Real contact details typed over a sample entry make it a real one.
    creditor.sample = False
    creditor.updated_at = utcnow()
    session.add(creditor)
    _audit(session, viewer, "creditor.update", creditor, changed=changed)
    return creditor


def seed_sample_creditors(session: Session) -> list[Creditor]:
    """One sample entry per kind of creditor (one reached by post only), flagged sample=True.

    Idempotent: entries already there (by name) are kept as they are. Sample entries seeded
    under their former names (with a suffix that then showed in client emails) are renamed.
    """
    for creditor in list_creditors(session):
        if creditor.sample and creditor.name.endswith(FORMER_SAMPLE_SUFFIX):
            creditor.name = creditor.name.removesuffix(FORMER_SAMPLE_SUFFIX)
            session.add(creditor)
    session.flush()
    existing = {c.name: c for c in list_creditors(session)}
    created = []
    for name, kind, email, address, ombudsman in SAMPLE_CREDITORS:
        if name in existing:
            continue
        creditor = Creditor(
            name=name,
            kind=kind.value,
            contact_channel=(CreditorChannel.EMAIL if email else CreditorChannel.POST).value,
            contact_email=email,
            postal_address=address,
            ombudsman_name=ombudsman,
            ombudsman_contact=f"{ombudsman}, adresse d'exemple" if ombudsman else None,
            sample=True,
        )
        session.add(creditor)
        created.append(creditor)
    session.flush()
    for creditor in created:
        append_audit(
            session,
            "system",
            "creditor.create",
            "creditor",
            str(creditor.id),
            reason="annuaire d'exemple",
            detail={"sample": True},
        )
    return created


FORMER_SAMPLE_SUFFIX = " (annuaire d'exemple)"
# (name, kind, e-mail or None for post only, postal address, ombudsman)
SAMPLE_CREDITORS: tuple[tuple[str, CreditorKind, str | None, str, str | None], ...] = (
    (
        "Banque Exemple",
        CreditorKind.BANK,
        "recouvrement@banque.exemple",
        "Banque Exemple\nService recouvrement\n1 rue de l'Exemple\n75001 Paris",
        "Médiateur de Banque Exemple",
    ),
    (
        "Crédit Exemple",
        CreditorKind.CREDIT_COMPANY,
        "contentieux@credit.exemple",
        "Crédit Exemple\n2 avenue de l'Exemple\n69002 Lyon",
        "Médiateur de l'ASF",
    ),
    (
        "Habitat Exemple",
        CreditorKind.LANDLORD,
        None,
        "Habitat Exemple\nService des loyers\n3 place de l'Exemple\n13001 Marseille",
        None,
    ),
    (
        "Énergie Exemple",
        CreditorKind.ENERGY,
        "solidarite@energie.exemple",
        "Énergie Exemple\n4 boulevard de l'Exemple\n33000 Bordeaux",
        "Médiateur national de l'énergie",
    ),
    (
        "Télécom Exemple",
        CreditorKind.TELECOM,
        "impayes@telecom.exemple",
        "Télécom Exemple\n5 rue de l'Exemple\n59000 Lille",
        "Médiateur des communications électroniques",
    ),
    (
        "Rachat Exemple",
        CreditorKind.DEBT_BUYER,
        "dossiers@rachat.exemple",
        "Rachat Exemple\n6 quai de l'Exemple\n44000 Nantes",
        None,
    ),
    (
        "Recouvrement Exemple",
        CreditorKind.COLLECTION_AGENCY,
        "amiable@recouvrement.exemple",
        "Recouvrement Exemple\n7 allée de l'Exemple\n31000 Toulouse",
        None,
    ),
    (
        "Organisme Exemple",
        CreditorKind.OTHER,
        "contact@organisme.exemple",
        "Organisme Exemple\n8 impasse de l'Exemple\n67000 Strasbourg",
        None,
    ),
)


# ----- internals ---------------------------------------------------------------------------


def _columns(data: CreditorInput) -> dict[str, object]:
    return {
        "name": data.name,
        "kind": data.kind.value,
        "contact_channel": data.contact_channel.value,
        "contact_email": data.contact_email,
        "postal_address": data.postal_address,
        "ombudsman_name": data.ombudsman_name,
        "ombudsman_contact": data.ombudsman_contact,
    }


def _check_name_free(session: Session, name: str, creditor_id: int | None) -> None:
    other = session.exec(select(Creditor).where(Creditor.name == name)).first()
    if other is not None and other.id != creditor_id:
        raise InvalidInput({"name": NAME_TAKEN})


def _audit(
    session: Session, viewer: StaffUser, action: str, creditor: Creditor, **detail: object
) -> None:
    # Business contact data, not a person's: the entry names the row and what changed.
    append_audit(
        session,
        actor_of(viewer),
        action,
        "creditor",
        str(creditor.id),
        reason="annuaire des créanciers",
        detail={"kind": creditor.kind, "channel": creditor.contact_channel, **detail},
    )
