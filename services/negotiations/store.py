"""What the case worker writes for a negotiation before telling its workflow.

Each action stages its rows (domain/staged_writes.py): they stay inert until the workflow
accepts the update that names their write, so a refused action changes nothing and never has
to be taken back. Each write checks access to the dossier (services/dossiers/access.py),
refuses early what the negotiation's state obviously does not allow (the workflow still has the
last word), and is audited. Amounts and free text are encrypted under the client's data key.
The creditor's replies: replies.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind, Stage
from domain.errors import NotFound, Refused
from domain.french_dates import PARIS
from domain.intake import CreditorIn
from domain.negotiation.consent_rules import ConsentStatus
from domain.negotiation.offer_terms import OfferTerms
from domain.negotiation.states import (
    DECISION_STATES,
    ENDED_STATES,
    NEGOTIATION_STATE_LABELS_FR,
    NegotiationState,
    OfferParty,
    OfferStatus,
)
from domain.staged_writes import StagedWriteKind
from models.client import Client
from models.creditor_directory import Creditor
from models.dossier import Dossier, TimelineEvent
from models.negotiation import (
    CreditorConsent,
    Negotiation,
    NegotiationOffer,
)
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.documents import Upload
from services.dossiers.access import DossierAction, actor_of, load_dossier
from services.dossiers.intake import add_dossier_creditor, new_id
from services.effective import effective
from services.negotiations.attachments import store_attachment
from services.negotiations.consents import ConsentChoice, create_consent_request
from services.negotiations.setup import open_negotiation
from services.staged_writes import stage_write

OFFER_TABLE = "negotiation_offer"
NEGOTIATION_TABLE = "negotiation"
NOT_FOUND = "Négociation introuvable : elle n'existe pas ou plus."
ENDED = "Cette négociation est terminée : elle ne peut plus être modifiée."
NO_CREDITOR = (
    "Choisissez d'abord ce créancier dans l'annuaire : nos messages doivent savoir où aller."
)
CREDITOR_LOCKED = (
    "Un consentement en attente ou donné nomme déjà ce créancier : le destinataire ne peut plus "
    "changer. Retirez le consentement d'abord s'il faut vraiment écrire à un autre créancier."
)
INACTIVE_CREDITOR = "Ce créancier n'est plus actif dans l'annuaire."
NOT_NEGOTIATING = (
    "Un créancier ne s'ajoute ici que pendant la phase de négociation du dossier. "
    "Rechargez la page pour voir son étape."
)


class NegotiationRefused(Refused):
    """Refused before anything was written; the message says why."""


def paris_today() -> date:
    return utcnow().astimezone(PARIS).date()


def load_negotiation(
    session: Session,
    viewer: StaffUser,
    negotiation_id: str,
    action: DossierAction,
    purpose: str,
) -> tuple[Negotiation, Dossier]:
    """The negotiation and its dossier if the viewer may `action` it (NotFound, AccessDenied)."""
    negotiation = session.get(Negotiation, negotiation_id) if len(negotiation_id) <= 32 else None
    if negotiation is None:
        raise NotFound(NOT_FOUND)
    dossier = load_dossier(session, viewer, negotiation.dossier_id, action, purpose)
    return negotiation, dossier


def check_state(negotiation: Negotiation, allowed: Iterable[NegotiationState], what: str) -> None:
    """NegotiationRefused naming the current state when `what` is not possible in it."""
    state = NegotiationState(negotiation.state)
    if state in ENDED_STATES:
        raise NegotiationRefused(ENDED)
    if state not in set(allowed):
        raise NegotiationRefused(
            f"{what} n'est pas possible à ce stade de la négociation "
            f"(« {NEGOTIATION_STATE_LABELS_FR[state]} »). Rechargez la page pour voir son état."
        )


def writable(
    session: Session, viewer: StaffUser, negotiation_id: str, purpose: str
) -> tuple[Negotiation, Dossier]:
    negotiation, dossier = load_negotiation(
        session, viewer, negotiation_id, DossierAction.WRITE, purpose
    )
    if NegotiationState(negotiation.state) in ENDED_STATES:
        raise NegotiationRefused(ENDED)
    return negotiation, dossier


def client_cipher(session: Session, dossier: Dossier, settings: Settings) -> ClientCipher:
    client = session.get(Client, dossier.client_id)
    assert client is not None
    return ClientCipher.for_client(client, settings)


def audit(
    session: Session, viewer: StaffUser | str, action: str, object_id: str, **detail: object
) -> None:
    append_audit(
        session,
        viewer if isinstance(viewer, str) else actor_of(viewer),
        action,
        "negotiation",
        object_id,
        reason="négociation avec un créancier",
        detail=dict(detail) or None,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ----- the directory entry ------------------------------------------------------------------


def link_creditor(
    session: Session, viewer: StaffUser, negotiation_id: str, creditor_id: int
) -> str:
    """Name the directory entry our messages go to; returns its name. No workflow update: the
    workflow reads the entry each time it writes to the creditor."""
    negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.creditor")
    creditor = session.get(Creditor, creditor_id)
    if creditor is None or not creditor.active:
        raise NegotiationRefused(INACTIVE_CREDITOR)
    binding = session.exec(
        select(CreditorConsent.id).where(
            CreditorConsent.negotiation_id == negotiation_id,
            effective(CreditorConsent),
            col(CreditorConsent.status).in_(
                [ConsentStatus.PENDING.value, ConsentStatus.GIVEN.value]
            ),
        )
    ).first()
    if binding is not None and negotiation.creditor_id != creditor_id:
        raise NegotiationRefused(CREDITOR_LOCKED)
    negotiation.creditor_id = creditor_id
    negotiation.updated_at = utcnow()
    session.add(negotiation)
    session.add(
        TimelineEvent(
            dossier_id=dossier.id,
            kind="negotiation_creditor",
            summary=f"Créancier n°{negotiation.number} : destinataire choisi dans l'annuaire "
            f"({creditor.name})",
            actor=actor_of(viewer),
            negotiation_id=negotiation_id,
        )
    )
    audit(session, viewer, "negotiation.creditor", negotiation_id, creditor_id=creditor_id)
    return creditor.name


@dataclass(frozen=True)
class Staged:
    """A staged write and the row it made (consent, offer, document or negotiation)."""

    staged_write_id: str
    row_id: str


def _stage(
    session: Session, viewer: StaffUser, negotiation_id: str, action: str, kind: StagedWriteKind
) -> tuple[Dossier, str]:
    """The negotiation's dossier, once the viewer may write to it, and a new staged write."""
    _, dossier = writable(session, viewer, negotiation_id, action)
    write_id = stage_write(
        session, dossier.id, kind, actor_of(viewer), negotiation_id=negotiation_id
    )
    return dossier, write_id


# ----- consents -----------------------------------------------------------------------------


def stage_consent_request(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    negotiation_id: str,
    choice: ConsentChoice,
    paper_scan: Upload | None = None,
) -> Staged:
    """The consent request the client will be sent, staged (InvalidInput by field); with the
    scan of the form the client signed on paper, the scan and the consent given (UploadRefused)."""
    kind = StagedWriteKind.PAPER_CONSENT if paper_scan else StagedWriteKind.CONSENT_REQUEST
    dossier, write_id = _stage(session, viewer, negotiation_id, "negotiation.consent", kind)
    scan_id = (
        store_attachment(
            session, dossier, DocumentKind.CONSENT_SCAN, paper_scan, viewer, settings, write_id
        )
        if paper_scan
        else None
    )
    consent_id = create_consent_request(
        session,
        settings,
        negotiation_id=negotiation_id,
        categories=choice.categories,
        document_ids=choice.document_ids,
        expires_at=choice.expires_at,
        actor=actor_of(viewer),
        staged_write_id=write_id,
        paper_document_id=scan_id,
    )
    return Staged(write_id, consent_id)


# ----- our offer ----------------------------------------------------------------------------


def stage_offer(
    session: Session, settings: Settings, viewer: StaffUser, negotiation_id: str, terms: OfferTerms
) -> Staged:
    """Our offer of the next round, staged until the workflow sends it. A staged offer left
    over from a refused attempt of that round is replaced (it was never sent)."""
    negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.offer")
    check_state(negotiation, DECISION_STATES, "Envoyer une offre")
    if negotiation.creditor_id is None:
        raise NegotiationRefused(NO_CREDITOR)
    creditor = session.get(Creditor, negotiation.creditor_id)
    assert creditor is not None
    round_ = negotiation.round + 1
    leftover = session.exec(
        select(NegotiationOffer).where(
            NegotiationOffer.negotiation_id == negotiation_id,
            NegotiationOffer.round == round_,
            NegotiationOffer.made_by == OfferParty.US.value,
        )
    ).first()
    if leftover is not None:
        if leftover.staged_write_id is None:
            raise NegotiationRefused(
                "Une offre de ce tour est déjà partie : rechargez la page pour voir son état."
            )
        session.delete(leftover)
        session.flush()
    write_id = stage_write(
        session, dossier.id, StagedWriteKind.OFFER, actor_of(viewer), negotiation_id=negotiation_id
    )
    offer = new_offer_row(
        client_cipher(session, dossier, settings),
        negotiation_id,
        terms,
        round_=round_,
        made_by=OfferParty.US,
        channel=creditor.contact_channel,
        status=OfferStatus.DRAFT,
        actor=actor_of(viewer),
    )
    offer.staged_write_id = write_id
    session.add(offer)
    audit(
        session,
        viewer,
        "negotiation.offer_drafted",
        negotiation_id,
        offer=offer.id,
        round=round_,
        type=terms.offer_type.value,
    )
    return Staged(write_id, offer.id)


def new_offer_row(
    cipher: ClientCipher,
    negotiation_id: str,
    terms: OfferTerms,
    *,
    round_: int,
    made_by: OfferParty,
    channel: str,
    status: str,
    actor: str,
) -> NegotiationOffer:
    offer_id = new_id()
    return NegotiationOffer(
        id=offer_id,
        negotiation_id=negotiation_id,
        round=round_,
        made_by=made_by.value,
        offer_type=terms.offer_type.value,
        amount_enc=cipher.encrypt(OFFER_TABLE, "amount", offer_id, _money(terms.amount)),
        balance_share_enc=cipher.encrypt(
            OFFER_TABLE, "balance_share", offer_id, _money(terms.balance_share)
        ),
        instalment_amount_enc=cipher.encrypt(
            OFFER_TABLE, "instalment_amount", offer_id, _money(terms.instalment_amount)
        ),
        instalments=terms.instalments,
        first_due_date=terms.first_due_date,
        valid_until=terms.valid_until,
        channel=channel,
        status=status,
        created_by=actor,
    )


# ----- the agreement and the end ------------------------------------------------------------


def stage_agreement_scan(
    session: Session, settings: Settings, viewer: StaffUser, negotiation_id: str, scan: Upload
) -> Staged:
    """The creditor's written confirmation of the agreement, staged (UploadRefused)."""
    dossier, write_id = _stage(
        session, viewer, negotiation_id, "negotiation.document", StagedWriteKind.AGREEMENT_SCAN
    )
    document_id = store_attachment(
        session, dossier, DocumentKind.CREDITOR_REPLY, scan, viewer, settings, write_id
    )
    return Staged(write_id, document_id)


def stage_end_reason(
    session: Session, settings: Settings, viewer: StaffUser, negotiation_id: str, reason: str
) -> str:
    """Why the case worker ends it, encrypted for the negotiation row, staged until the
    workflow ends it; returns the staged write's id."""
    _, dossier = writable(session, viewer, negotiation_id, "negotiation.end")
    text_enc = client_cipher(session, dossier, settings).encrypt(
        NEGOTIATION_TABLE, "end_reason", negotiation_id, reason
    )
    write_id = stage_write(
        session,
        dossier.id,
        StagedWriteKind.END_REASON,
        actor_of(viewer),
        negotiation_id=negotiation_id,
        text_enc=text_enc,
    )
    audit(session, viewer, "negotiation.end_reason", negotiation_id)
    return write_id


def end_reason(session: Session, settings: Settings, negotiation_id: str) -> str | None:
    """The reason, decrypted, for the page (which has checked access)."""
    negotiation = session.get(Negotiation, negotiation_id)
    dossier = session.get(Dossier, negotiation.dossier_id) if negotiation else None
    if negotiation is None or dossier is None or negotiation.end_reason_enc is None:
        return None
    client = session.get(Client, dossier.client_id)
    if client is None or client.wrapped_key is None:
        return None
    return ClientCipher.for_client(client, settings).decrypt(
        NEGOTIATION_TABLE, "end_reason", negotiation_id, negotiation.end_reason_enc
    )


# ----- a creditor added during the negotiation ----------------------------------------------


def stage_added_creditor(
    session: Session,
    settings: Settings,
    viewer: StaffUser,
    dossier_id: str,
    creditor_in: CreditorIn,
) -> Staged:
    """The dossier creditor (account reference encrypted as at intake) and its negotiation row,
    staged until the dossier's workflow starts that negotiation (ADD_NEGOTIATION)."""
    dossier = load_dossier(session, viewer, dossier_id, DossierAction.WRITE, "dossier.add_creditor")
    if dossier.closed_at is not None or dossier.stage != Stage.NEGOTIATION:
        raise NegotiationRefused(NOT_NEGOTIATING)
    write_id = stage_write(session, dossier_id, StagedWriteKind.ADDED_CREDITOR, actor_of(viewer))
    creditor = add_dossier_creditor(
        session, client_cipher(session, dossier, settings), dossier_id, creditor_in, settings
    )
    creditor.staged_write_id = write_id
    session.add(creditor)
    session.flush()
    assert creditor.id is not None
    negotiation_id = open_negotiation(session, dossier_id, creditor, settings, actor_of(viewer))
    negotiation = session.get(Negotiation, negotiation_id)
    assert negotiation is not None
    negotiation.staged_write_id = write_id
    session.add(negotiation)
    append_audit(
        session,
        actor_of(viewer),
        "dossier.creditor_added",
        "dossier",
        dossier_id,
        reason="ajout d'un créancier en cours de négociation",
        detail={"dossier_creditor_id": creditor.id, "negotiation_id": negotiation_id},
    )
    return Staged(write_id, negotiation_id)
