"""What the client's negotiation pages read, once their signed link was checked: a consent request,
the negotiation as the client sees it, a counter-offer awaiting the client's decision.

views.py and consents.py (beside this module) give the rows; this adds the checks that only the
client's pages make (is this still for the client to decide? is the deadline past?), the next
step in the client's words, and the audit of every read and decision with the client as actor
("client:<id>").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from config.settings import Settings
from domain.clock import as_utc
from domain.dossier_stages import OPEN_STAGES
from domain.errors import InvalidInput, LinkRefused
from domain.french_dates import french_date, french_datetime
from domain.negotiation.consent_rules import ConsentStatus
from domain.negotiation.states import (
    ENDED_STATES,
    ESCALATION_LABELS_FR,
    EscalationRoute,
    NegotiationState,
    OfferParty,
)
from models.client import Client
from models.creditor_directory import Creditor
from models.dossier import Dossier
from models.negotiation import NegotiationOffer
from rendering.labels import creditor_label, enum_label
from security.datakeys import ClientCipher
from services.audit import append_audit
from services.negotiations.consents import (
    ConsentView,
    load_consent,
    negotiation_consents,
)
from services.negotiations.views import (
    InstalmentRow,
    LedgerRow,
    NegotiationSummary,
    OfferRow,
    ledger_rows,
    negotiation_summary,
    offer_row,
    offer_rows,
    schedule_rows,
)

NOTHING_CHANGED = "Rien n'a été modifié."
UNAVAILABLE_HEADING = "Page indisponible"
UNAVAILABLE = (
    "Cette page n'est plus disponible. Ouvrez le lien du courriel le plus récent, ou contactez "
    f"votre conseiller. {NOTHING_CHANGED}"
)
ENDED_HEADING = "Négociation terminée"
ENDED = (
    "La négociation avec ce créancier est terminée : cette demande n'attend plus de réponse. "
    f"Votre conseiller reste à votre disposition. {NOTHING_CHANGED}"
)
ALREADY_HEADING = "Réponse déjà enregistrée"
CONSENT_EXPIRED_HEADING = "Demande expirée"
CONSENT_EXPIRED = (
    "La date de validité prévue pour ce consentement est passée : demandez à votre conseiller "
    f"une nouvelle demande. {NOTHING_CHANGED}"
)
DEADLINE_HEADING = "Délai dépassé"
NO_LONGER_PENDING = (
    "Cette contre-proposition n'attend plus votre décision. Votre conseiller vous tiendra "
    f"informé de la suite. {NOTHING_CHANGED}"
)

# Offer statuses as the client reads them (the rows hold the codes the workflow writes).
OFFER_STATUS_LABELS_FR: dict[str, str] = {
    "draft": "En préparation",
    "sent": "Envoyée",
    "accepted": "Acceptée",
    "refused": "Refusée",
    "countered": "Contre-proposition reçue",
    "expired": "Arrivée à expiration",
    "lapsed": "Sans suite",
    "withdrawn": "Retirée",
}
DECIDED_OFFER_STATUSES = frozenset({"accepted", "refused"})
CLOSED_OFFER_STATUSES = frozenset({"expired", "lapsed", "withdrawn"})
CLIENT_DECISION_LABELS_FR = {"accepted": "acceptée", "refused": "refusée"}

NEXT_STEPS_FR: dict[NegotiationState, str] = {
    NegotiationState.CONSENT_PENDING: (
        "Nous attendons votre décision sur le partage de vos informations avec ce créancier. "
        "Sans votre accord, rien ne lui est transmis."
    ),
    NegotiationState.READY: "Votre conseiller prépare une proposition pour ce créancier.",
    NegotiationState.OFFER_SENT: (
        "Notre proposition a été envoyée au créancier : nous attendons sa réponse."
    ),
    NegotiationState.AWAITING_REPLY: (
        "Nous attendons la réponse du créancier et le relancerons si nécessaire."
    ),
    NegotiationState.COUNTER_OFFER: (
        "Le créancier a fait une contre-proposition : vous seul pouvez l'accepter ou la "
        "refuser, avec le lien reçu par courriel, avant la date limite."
    ),
    NegotiationState.INFORMATION_REQUESTED: (
        "Le créancier demande des informations complémentaires. Votre conseiller s'en occupe ; "
        "s'il faut partager une information de plus, votre accord vous sera demandé."
    ),
    NegotiationState.REFUSED: (
        "Le créancier a refusé notre proposition. Votre conseiller vous proposera la suite : "
        "une nouvelle proposition, ou la saisine du médiateur."
    ),
    NegotiationState.NO_RESPONSE: (
        "Le créancier n'a pas répondu. Votre conseiller vous proposera la suite : une "
        "nouvelle proposition, ou la saisine du médiateur."
    ),
    NegotiationState.OFFER_EXPIRED: (
        "Notre proposition est arrivée à expiration sans accord. Votre conseiller décidera avec "
        "vous de la suite."
    ),
    NegotiationState.AGREEMENT_PENDING: (
        "Un accord a été trouvé : nous attendons sa confirmation écrite par le créancier."
    ),
    NegotiationState.PLAN_RUNNING: (
        "L'accord est en place : réglez les échéances ci-dessous. En cas de difficulté, "
        "prévenez votre conseiller avant l'échéance."
    ),
    NegotiationState.BROKEN: (
        "Des échéances n'ont pas été réglées et l'accord est rompu : contactez votre conseiller "
        "au plus vite."
    ),
    NegotiationState.SUSPENDED: (
        "Vous avez retiré votre consentement : plus rien n'est transmis à ce créancier, et il a "
        "été informé de la fin de notre mandat."
    ),
    NegotiationState.COMPLETED: "L'accord a été exécuté jusqu'au bout.",
    NegotiationState.ESCALATED: "Votre dossier a été orienté vers un recours.",
    NegotiationState.CLOSED_UNRESOLVED: (
        "La négociation s'est terminée sans accord. Votre conseiller reste à votre disposition."
    ),
    NegotiationState.ABANDONED: (
        "La négociation a été arrêtée. Votre conseiller reste à votre disposition."
    ),
}


def client_actor(client_id: str) -> str:
    return f"client:{client_id}"


@dataclass(frozen=True)
class ClientConsent:
    consent: ConsentView
    negotiation: NegotiationSummary
    creditor_kind_label: str
    first_name: str
    dossier_open: bool

    @property
    def actor(self) -> str:
        return client_actor(self.consent.client_id)

    @property
    def decided(self) -> bool:
        """Given, refused or withdrawn: the page shows the decision instead of the question."""
        return self.consent.status in {
            ConsentStatus.GIVEN,
            ConsentStatus.REFUSED,
            ConsentStatus.REVOKED,
        }


@dataclass(frozen=True)
class ClientSpace:
    negotiation: NegotiationSummary
    client_id: str
    first_name: str
    next_step: str
    # Newest first; requests replaced before the client answered them are left out.
    consents: list[ConsentView]
    # The consent the client may withdraw here (given, negotiation still running), if any.
    withdrawable: ConsentView | None
    ledger: list[LedgerRow]
    # Ours once sent, and the creditor's: drafts are the case worker's work in progress.
    offers: list[OfferRow]
    schedule: list[InstalmentRow]

    @property
    def actor(self) -> str:
        return client_actor(self.client_id)


@dataclass(frozen=True)
class ClientCounterOffer:
    offer: OfferRow
    negotiation: NegotiationSummary
    client_id: str
    first_name: str
    dossier_open: bool
    decided_at: datetime | None
    # Our offer this counter-offer answers, to compare.
    answered: OfferRow | None

    @property
    def actor(self) -> str:
        return client_actor(self.client_id)


# ----- consent ---------------------------------------------------------------------------------


def client_consent(session: Session, settings: Settings, consent_id: str) -> ClientConsent:
    """The consent request behind a consent link (not audited: see audit_client_read)."""
    try:
        consent = load_consent(session, settings, consent_id)
    except InvalidInput:  # No such consent (deleted with its dossier's negotiation data).
        raise LinkRefused(404, UNAVAILABLE_HEADING, UNAVAILABLE) from None
    negotiation = _summary(session, consent.negotiation_id)
    dossier, client = _dossier_and_client(session, consent.dossier_id)
    creditor = session.get(Creditor, consent.creditor_id)
    return ClientConsent(
        consent=consent,
        negotiation=negotiation,
        creditor_kind_label=creditor_label(creditor.kind) if creditor else "",
        first_name=_first_name(client, settings),
        dossier_open=dossier.stage in OPEN_STAGES,
    )


def consent_decision_refusal(view: ClientConsent, now: datetime) -> LinkRefused | None:
    """Why the client cannot answer this request now, or None. Pure."""
    consent = view.consent
    if consent.status != ConsentStatus.PENDING:
        return LinkRefused(409, ALREADY_HEADING, _consent_already(consent))
    if not view.dossier_open or view.negotiation.state in ENDED_STATES:
        return LinkRefused(410, ENDED_HEADING, ENDED)
    if consent.expires_at is not None and as_utc(consent.expires_at) <= now:
        return LinkRefused(410, CONSENT_EXPIRED_HEADING, CONSENT_EXPIRED)
    return None


def _consent_already(consent: ConsentView) -> str:
    on = f" le {french_date(consent.decided_at)}" if consent.decided_at else ""
    return {
        ConsentStatus.GIVEN: f"Vous avez déjà donné ce consentement{on}.",
        ConsentStatus.REFUSED: f"Vous avez déjà refusé ce consentement{on}.",
        ConsentStatus.REVOKED: "Vous avez donné puis retiré ce consentement.",
        ConsentStatus.SUPERSEDED: (
            "Cette demande a été remplacée par une demande plus récente : ouvrez le lien du "
            "dernier courriel reçu."
        ),
        ConsentStatus.PENDING: "",
    }[consent.status] + f" {NOTHING_CHANGED}"


def withdrawal_refusal(
    space: ClientSpace, consent_id: str
) -> tuple[LinkRefused | None, ConsentView | None]:
    """(why the client cannot withdraw `consent_id` from this space now, or None; the consent)."""
    consent = space.withdrawable
    if consent is None or consent.id != consent_id:
        return (
            LinkRefused(
                409,
                ALREADY_HEADING,
                "Ce consentement n'est plus en vigueur : il a déjà été retiré ou remplacé. "
                f"{NOTHING_CHANGED}",
            ),
            None,
        )
    return None, consent


# ----- negotiation space -----------------------------------------------------------------------


def client_space(session: Session, settings: Settings, negotiation_id: str) -> ClientSpace:
    """The negotiation as the client sees it (not audited: see audit_client_read)."""
    negotiation = _summary(session, negotiation_id)
    _, client = _dossier_and_client(session, negotiation.dossier_id)
    first_name = _first_name(client, settings)
    client_id = client.id
    consents = [
        c
        for c in negotiation_consents(session, settings, negotiation_id)
        if not (c.status == ConsentStatus.SUPERSEDED and c.decided_at is None)
    ]
    running = negotiation.state not in ENDED_STATES
    return ClientSpace(
        negotiation=negotiation,
        client_id=client_id,
        first_name=first_name,
        next_step=_next_step(negotiation),
        consents=consents,
        withdrawable=next(
            (c for c in consents if running and c.status == ConsentStatus.GIVEN), None
        ),
        ledger=ledger_rows(session, negotiation_id),
        offers=[o for o in offer_rows(session, settings, negotiation_id) if o.status != "draft"],
        schedule=schedule_rows(session, settings, negotiation_id),
    )


def _next_step(negotiation: NegotiationSummary) -> str:
    step = NEXT_STEPS_FR[negotiation.state]
    if negotiation.state == NegotiationState.ESCALATED and negotiation.escalation_route:
        route = enum_label(ESCALATION_LABELS_FR, EscalationRoute, negotiation.escalation_route)
        step = f"{step} {route}."
    return step


# ----- counter-offer ---------------------------------------------------------------------------


def client_counter_offer(session: Session, settings: Settings, offer_id: str) -> ClientCounterOffer:
    """A creditor's counter-offer behind a decision link (not audited: see audit_client_read)."""
    offer = offer_row(session, settings, offer_id)
    if offer is None or offer.made_by != OfferParty.CREDITOR:
        raise LinkRefused(404, UNAVAILABLE_HEADING, UNAVAILABLE)
    row = session.get(NegotiationOffer, offer_id)
    assert row is not None
    negotiation_id, decided_at = row.negotiation_id, row.client_decided_at
    negotiation = _summary(session, negotiation_id)
    dossier, client = _dossier_and_client(session, negotiation.dossier_id)
    client_id, first_name = client.id, _first_name(client, settings)
    dossier_open = dossier.stage in OPEN_STAGES
    answered = [
        o
        for o in offer_rows(session, settings, negotiation.id)
        if o.round == offer.round and o.made_by == OfferParty.US
    ]
    return ClientCounterOffer(
        offer=offer,
        negotiation=negotiation,
        client_id=client_id,
        first_name=first_name,
        dossier_open=dossier_open,
        decided_at=decided_at,
        answered=answered[0] if answered else None,
    )


def counter_offer_refusal(view: ClientCounterOffer, now: datetime) -> LinkRefused | None:
    """Why the client cannot decide on this counter-offer now, or None. Pure.

    Decided already → 409; past its decision deadline, no longer awaiting a decision, or the
    negotiation ended → 410; not yet put to the client → 404."""
    offer = view.offer
    decision = offer.client_decision or (
        offer.status if offer.status in DECIDED_OFFER_STATUSES else None
    )
    if decision:
        word = CLIENT_DECISION_LABELS_FR.get(decision, decision)
        on = f" le {french_date(view.decided_at)}" if view.decided_at else ""
        return LinkRefused(
            409,
            ALREADY_HEADING,
            f"Cette contre-proposition a déjà été {word}{on}. {NOTHING_CHANGED}",
        )
    if offer.decision_deadline is None:
        return LinkRefused(404, UNAVAILABLE_HEADING, UNAVAILABLE)
    if as_utc(offer.decision_deadline) <= now:
        return LinkRefused(
            410,
            DEADLINE_HEADING,
            f"Le délai pour répondre à cette contre-proposition a expiré le "
            f"{french_datetime(offer.decision_deadline)}. Elle ne peut plus être acceptée ni "
            f"refusée ; votre conseiller vous proposera la suite. {NOTHING_CHANGED}",
        )
    if (
        offer.status in CLOSED_OFFER_STATUSES
        or not view.dossier_open
        or view.negotiation.state in ENDED_STATES
    ):
        return LinkRefused(410, ENDED_HEADING, NO_LONGER_PENDING)
    return None


def record_counter_offer_decision(
    session: Session, view: ClientCounterOffer, *, accepted: bool
) -> None:
    """Audit the client's decision once the workflow took it (it writes the offer's status)."""
    append_audit(
        session,
        view.actor,
        "offer.client_decision",
        "negotiation_offer",
        view.offer.id,
        reason="décision du client sur une contre-proposition",
        detail={"negotiation": view.negotiation.id, "accepted": accepted},
    )


# ----- audit -----------------------------------------------------------------------------------


def audit_client_read(
    session: Session,
    *,
    client_id: str,
    action: str,
    object_type: str,
    object_id: str,
    reason: str,
) -> None:
    """The client read their data on a page (recorded only when the page is shown)."""
    append_audit(session, client_actor(client_id), action, object_type, object_id, reason=reason)


# ----- internals -------------------------------------------------------------------------------


def _summary(session: Session, negotiation_id: str) -> NegotiationSummary:
    try:
        return negotiation_summary(session, negotiation_id)
    except LookupError:
        raise LinkRefused(404, UNAVAILABLE_HEADING, UNAVAILABLE) from None


def _dossier_and_client(session: Session, dossier_id: str) -> tuple[Dossier, Client]:
    """The dossier and its client; refused once the client's data was erased."""
    dossier = session.get(Dossier, dossier_id)
    client = None if dossier is None else session.get(Client, dossier.client_id)
    if dossier is None or client is None or client.wrapped_key is None:
        raise LinkRefused(410, UNAVAILABLE_HEADING, UNAVAILABLE)
    return dossier, client


def _first_name(client: Client, settings: Settings) -> str:
    cipher = ClientCipher.for_client(client, settings)
    return cipher.decrypt("client", "first_name", client.id, client.first_name_enc) or ""
