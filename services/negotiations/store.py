"""What the case worker writes for a negotiation before telling its workflow, and how it is
taken back when the workflow refuses.

The rule (ISSUE 4): the web writes the rows an update names, then sends the update; on a
refusal it removes what it wrote, so a refused action changes nothing. Each write checks
access to the dossier (dossier_access), refuses early what the negotiation's state obviously
does not allow (the workflow still has the last word), and is audited. Amounts and free text
are encrypted under the client's data key. The creditor's replies: negotiation_replies.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import DocumentKind, Stage
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
)
from models.client import Client
from models.creditor_directory import Creditor
from models.database import session_scope
from models.dossier import Dossier, DossierCreditor, TimelineEvent
from models.negotiation import (
    CreditorConsent,
    Negotiation,
    NegotiationOffer,
)
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.dossiers.access import DossierAction, NotFound, actor_of, load_dossier
from services.dossiers.intake import add_dossier_creditor, new_id
from services.negotiations.attachments import Upload, remove_attachments, store_attachment
from services.negotiations.setup import open_negotiations

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


class NegotiationRefused(RuntimeError):
    """Refused before anything was written; the French message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        actor=viewer if isinstance(viewer, str) else actor_of(viewer),
        action=action,
        object_type="negotiation",
        object_id=object_id,
        reason="négociation avec un créancier",
        detail=dict(detail) or None,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ----- the directory entry ------------------------------------------------------------------


def link_creditor(
    settings: Settings, viewer: StaffUser, negotiation_id: str, creditor_id: int
) -> str:
    """Name the directory entry our messages go to; returns its name."""
    with session_scope(settings) as session:
        negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.creditor")
        creditor = session.get(Creditor, creditor_id)
        if creditor is None or not creditor.active:
            raise NegotiationRefused(INACTIVE_CREDITOR)
        binding = session.exec(
            select(CreditorConsent.id).where(
                CreditorConsent.negotiation_id == negotiation_id,
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


# ----- consents: what a refused update must give back ---------------------------------------


def consent_statuses(settings: Settings, negotiation_id: str) -> dict[str, str]:
    """Every consent of the negotiation and its status, to restore after a refusal."""
    with session_scope(settings) as session:
        rows = session.exec(
            select(CreditorConsent.id, CreditorConsent.status).where(
                CreditorConsent.negotiation_id == negotiation_id
            )
        ).all()
        return dict(rows)


def restore_consents(
    settings: Settings, viewer: StaffUser, negotiation_id: str, before: dict[str, str]
) -> None:
    """Put the consents back as they were: requests written since are deleted, statuses
    (superseded, given, revoked) reset. consent_store's own audit entries stay; this one says
    they were taken back."""
    with session_scope(settings) as session:
        rows = session.exec(
            select(CreditorConsent).where(CreditorConsent.negotiation_id == negotiation_id)
        ).all()
        removed, restored = [], []
        for row in rows:
            if row.id not in before:
                session.delete(row)
                removed.append(row.id)
            elif row.status != before[row.id]:
                if before[row.id] == ConsentStatus.GIVEN and row.status == ConsentStatus.REVOKED:
                    row.revoked_at = row.revoked_by = row.revocation_channel = None
                if before[row.id] == ConsentStatus.PENDING:
                    row.decided_at = row.method = row.decided_by = None
                    row.paper_document_id = None
                row.status = before[row.id]
                session.add(row)
                restored.append(row.id)
        if removed or restored:
            audit(
                session,
                viewer,
                "consent.rolled_back",
                negotiation_id,
                removed=removed,
                restored=restored,
            )


def store_scan(
    settings: Settings, viewer: StaffUser, negotiation_id: str, upload: Upload, kind: DocumentKind
) -> str:
    """A consent form signed on paper, or the creditor's written confirmation, stored."""
    with session_scope(settings) as session:
        _, dossier = writable(session, viewer, negotiation_id, "negotiation.document")
        return store_attachment(session, dossier, kind, upload, viewer, settings)


def remove_documents(settings: Settings, viewer: StaffUser, document_ids: Sequence[str]) -> None:
    with session_scope(settings) as session:
        remove_attachments(session, document_ids, actor_of(viewer), settings)


# ----- our offer ----------------------------------------------------------------------------


def draft_offer(
    settings: Settings, viewer: StaffUser, negotiation_id: str, terms: OfferTerms
) -> str:
    """Our offer of the next round as a draft (a leftover draft of that round is replaced)."""
    with session_scope(settings) as session:
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
            if leftover.status != "draft":
                raise NegotiationRefused(
                    "Une offre de ce tour est déjà partie : rechargez la page pour voir son état."
                )
            session.delete(leftover)
            session.flush()
        offer = new_offer_row(
            client_cipher(session, dossier, settings),
            negotiation_id,
            terms,
            round_=round_,
            made_by=OfferParty.US,
            channel=creditor.contact_channel,
            status="draft",
            actor=actor_of(viewer),
        )
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
        return offer.id


def remove_draft(settings: Settings, viewer: StaffUser, offer_id: str) -> None:
    """Delete our offer when the workflow refused to send it (only ever a draft)."""
    with session_scope(settings) as session:
        offer = session.get(NegotiationOffer, offer_id)
        if offer is None or offer.status != "draft":
            return
        session.delete(offer)
        audit(session, viewer, "negotiation.offer_removed", offer.negotiation_id, offer=offer_id)


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


# ----- the end ------------------------------------------------------------------------------


def set_end_reason(
    settings: Settings, viewer: StaffUser, negotiation_id: str, reason: str
) -> str | None:
    """Store why the case worker ends it (encrypted); returns the previous value to restore."""
    with session_scope(settings) as session:
        negotiation, dossier = writable(session, viewer, negotiation_id, "negotiation.end")
        previous = negotiation.end_reason_enc
        negotiation.end_reason_enc = client_cipher(session, dossier, settings).encrypt(
            NEGOTIATION_TABLE, "end_reason", negotiation_id, reason
        )
        session.add(negotiation)
        audit(session, viewer, "negotiation.end_reason", negotiation_id)
        return previous


def restore_end_reason(
    settings: Settings, viewer: StaffUser, negotiation_id: str, previous: str | None
) -> None:
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        if negotiation is None:
            return
        negotiation.end_reason_enc = previous
        session.add(negotiation)
        audit(session, viewer, "negotiation.end_reason_removed", negotiation_id)


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


def add_creditor(
    settings: Settings, viewer: StaffUser, dossier_id: str, creditor_in: CreditorIn
) -> tuple[int, str]:
    """The dossier creditor (account reference encrypted as at intake) and its negotiation row;
    returns (dossier creditor id, negotiation id) for the ADD_NEGOTIATION update."""
    with session_scope(settings) as session:
        dossier = load_dossier(
            session, viewer, dossier_id, DossierAction.WRITE, "dossier.add_creditor"
        )
        if dossier.closed_at is not None or dossier.stage != Stage.NEGOTIATION:
            raise NegotiationRefused(NOT_NEGOTIATING)
        creditor = add_dossier_creditor(
            session, client_cipher(session, dossier, settings), dossier_id, creditor_in
        )
        open_negotiations(session, dossier_id, settings, actor=actor_of(viewer))
        negotiation = session.exec(
            select(Negotiation).where(Negotiation.dossier_creditor_id == creditor.id)
        ).one()
        assert creditor.id is not None
        append_audit(
            session,
            actor=actor_of(viewer),
            action="dossier.creditor_added",
            object_type="dossier",
            object_id=dossier_id,
            reason="ajout d'un créancier en cours de négociation",
            detail={"dossier_creditor_id": creditor.id, "negotiation_id": negotiation.id},
        )
        return creditor.id, negotiation.id


def remove_added_creditor(
    settings: Settings, viewer: StaffUser, dossier_creditor_id: int, negotiation_id: str
) -> None:
    """Take back what add_creditor wrote (the dossier workflow did not take the negotiation)."""
    with session_scope(settings) as session:
        negotiation = session.get(Negotiation, negotiation_id)
        creditor = session.get(DossierCreditor, dossier_creditor_id)
        if negotiation is not None:
            session.delete(negotiation)
            session.flush()
        if creditor is not None:
            session.delete(creditor)
            append_audit(
                session,
                actor=actor_of(viewer),
                action="dossier.creditor_removed",
                object_type="dossier",
                object_id=creditor.dossier_id,
                reason="ajout d'un créancier non pris en compte par le suivi du dossier",
                detail={
                    "dossier_creditor_id": dossier_creditor_id,
                    "negotiation_id": negotiation_id,
                },
            )
