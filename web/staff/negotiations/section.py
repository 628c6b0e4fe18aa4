"""The "Négociations" section of the dossier page: one card per creditor, with the forms its
state allows and, after a refused action, that form again with what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from config.settings import Settings
from domain.budget.amounts import parse_amount
from domain.dossier_stages import (
    CREDITOR_KIND_LABELS_FR,
    SHAREABLE_DOCUMENT_KINDS,
    DocumentKind,
    Stage,
)
from domain.french_dates import french_datetime
from domain.negotiation.consent_rules import (
    CONSENT_METHOD_LABELS_FR,
    CONSENT_STATUS_LABELS_FR,
    ConsentStatus,
)
from domain.negotiation.offer_terms import (
    REPLY_CHANNEL_LABELS_FR,
    balance_share,
    last_instalment,
)
from domain.negotiation.sharing import (
    SHARE_CATEGORY_SHORT_FR,
    ShareCategory,
)
from domain.negotiation.states import (
    DECISION_STATES,
    ENDED_STATES,
    ESCALATION_LABELS_FR,
    OFFER_TYPE_LABELS_FR,
    REPLY_KIND_LABELS_FR,
    REPLY_STATES,
    EscalationRoute,
    NegotiationState,
    OfferParty,
)
from models.creditor_directory import CREDITOR_CHANNEL_LABELS_FR, CreditorChannel
from models.staff import StaffUser
from rendering.labels import date_input, document_label
from services.creditors import list_creditors
from services.dossiers.access import actor_of
from services.dossiers.views import DossierDetail
from services.negotiations.consents import ConsentView, negotiation_consents
from services.negotiations.prefill import OfferPrefill, debts_balance, offer_prefill
from services.negotiations.setup import debts_without_negotiation
from services.negotiations.store import end_reason, paris_today
from services.negotiations.views import (
    InstalmentRow,
    LedgerRow,
    NegotiationSummary,
    OfferRow,
    ReplyRow,
    dossier_negotiations,
    ledger_rows,
    offer_rows,
    reply_rows,
    schedule_rows,
)

OFFER_STATUS_LABELS_FR = {
    "draft": "Brouillon",
    "sent": "Envoyée",
    "accepted": "Acceptée",
    "refused": "Refusée",
    "countered": "Contre-proposition reçue",
    "expired": "Expirée",
    "lapsed": "Caduque",
    "withdrawn": "Retirée (mandat terminé)",
}
RECEIVED = "Reçue"
AWAITING_CLIENT = "En attente de la décision du client"
NO_FOLLOW_UP = "Sans suite"
ESCALATE_STATES = DECISION_STATES | {NegotiationState.AWAITING_REPLY, NegotiationState.SUSPENDED}
# Where an escalated negotiation went, for its badge.
ESCALATED_TO_FR = {
    EscalationRoute.OMBUDSMAN: "Terminée : orientée vers le médiateur du créancier",
    EscalationRoute.BANQUE_DE_FRANCE: "Terminée : orientée vers la Banque de France "
    "(dossier de surendettement)",
}
# An offer still "sent" in these states will get no answer through us.
STOPPED_STATES = ENDED_STATES | {NegotiationState.SUSPENDED}


def offer_status_label(offer: OfferRow, state: NegotiationState, offers: list[OfferRow]) -> str:
    """The offer's status in words, read with the negotiation's state: a counter-offer awaiting
    the client says so with its deadline; an offer left "sent" by a suspension or an end reads
    "Sans suite"; an offer withdrawn for a later one names it."""
    if offer.status == "sent":
        if state in STOPPED_STATES:
            return NO_FOLLOW_UP
        if offer.made_by == OfferParty.CREDITOR:
            if state != NegotiationState.COUNTER_OFFER:
                return RECEIVED
            if offer.decision_deadline is None:
                return AWAITING_CLIENT
            return f"{AWAITING_CLIENT} (avant le {french_datetime(offer.decision_deadline)})"
    if offer.status == "withdrawn":
        later = [o.round for o in offers if o.made_by == OfferParty.US and o.round > offer.round]
        if later:
            return f"Remplacée par l'offre du tour {min(later)}"
    return OFFER_STATUS_LABELS_FR.get(offer.status, offer.status)


@dataclass
class NegotiationForm:
    """A refused form of one card: what was typed, the errors by field, the message."""

    negotiation_id: str
    panel: str
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""


# The "Ajouter un créancier" form of the section (not of a card: its negotiation_id is "").
ADD_CREDITOR_PANEL = "add_creditor"


@dataclass
class AddCreditorForm:
    """The section's "Ajouter un créancier" form: shown while the dossier negotiates and the
    viewer may write, or when it was just refused (what was typed is not lost)."""

    shown: bool
    form: NegotiationForm | None = None

    @property
    def values(self) -> dict[str, str]:
        return self.form.values if self.form is not None else {}

    @property
    def errors(self) -> dict[str, str]:
        return self.form.errors if self.form is not None else {}


def add_creditor_form(detail: DossierDetail, form: NegotiationForm | None) -> AddCreditorForm:
    own = form if form is not None and form.panel == ADD_CREDITOR_PANEL else None
    negotiating = detail.stage == Stage.NEGOTIATION and detail.closed_at is None
    return AddCreditorForm(shown=own is not None or (negotiating and detail.can_write), form=own)


@dataclass
class NegotiationCard:
    summary: NegotiationSummary
    consents: list[ConsentView]
    offers: list[OfferRow]
    replies: list[ReplyRow]
    ledger: list[LedgerRow]
    schedule: list[InstalmentRow]
    actions: frozenset[str]
    end_reason: str | None
    prefill: OfferPrefill | None
    # The balance of the debts concerned (approved budget): what the share is computed from.
    balance: Decimal | None = None
    form: NegotiationForm | None = None

    @property
    def state_label(self) -> str:
        """The state in words; an escalation says which route."""
        route = self.summary.escalation_route
        if self.summary.state == NegotiationState.ESCALATED and route in set(EscalationRoute):
            return ESCALATED_TO_FR[EscalationRoute(route)]
        return self.summary.state_label

    @property
    def escalation_label(self) -> str | None:
        route = self.summary.escalation_route
        return (
            ESCALATION_LABELS_FR[EscalationRoute(route)] if route in set(EscalationRoute) else None
        )

    def offer_status(self, offer: OfferRow) -> str:
        return offer_status_label(offer, self.summary.state, self.offers)

    def last_instalment(self, offer: OfferRow) -> Decimal | None:
        """The last instalment when it is smaller than the others (None otherwise)."""
        if not (offer.amount and offer.instalments and offer.instalment_amount):
            return None
        last = last_instalment(offer.amount, offer.instalments, offer.instalment_amount)
        return last if 0 < last < offer.instalment_amount else None

    def share_preview(self, panel: str, prefix: str = "") -> Decimal | None:
        """The share the typed (or pre-filled) total makes, as the server will compute it."""
        values = self.values(
            panel, self.prefill.values if panel == "offer" and self.prefill else {}
        )
        try:
            text = values.get(prefix + "amount", "").strip()
            amount = parse_amount(text) if text else None
        except ValueError:
            return None
        return balance_share(amount, self.balance) if amount else None

    @property
    def current_consent(self) -> ConsentView | None:
        return next((c for c in self.consents if c.status == ConsentStatus.GIVEN), None)

    @property
    def pending_consent(self) -> ConsentView | None:
        return next((c for c in self.consents if c.status == ConsentStatus.PENDING), None)

    @property
    def unpaid(self) -> list[InstalmentRow]:
        return [row for row in self.schedule if row.paid_at is None]

    def shows(self, panel: str) -> bool:
        """A form its state allows, or the one just refused (what was typed is not lost)."""
        return panel in self.actions or self.form_for(panel) is not None

    def form_for(self, panel: str) -> NegotiationForm | None:
        return self.form if self.form is not None and self.form.panel == panel else None

    def values(self, panel: str, defaults: dict[str, str] | None = None) -> dict[str, str]:
        form = self.form_for(panel)
        return form.values if form is not None else dict(defaults or {})

    def chosen(self, panel: str, name: str, default: Iterable[str] = ()) -> list[str]:
        form = self.form_for(panel)
        return form.lists.get(name, []) if form is not None else list(default)

    def errors(self, panel: str) -> dict[str, str]:
        form = self.form_for(panel)
        return form.errors if form is not None else {}


def allowed_actions(
    state: NegotiationState,
    *,
    can_write: bool,
    creditor_linked: bool,
    consent_given: bool,
    consent_pending: bool,
    unpaid: bool,
) -> frozenset[str]:
    """The forms a card shows: those the workflow accepts in this state (it has the last word)."""
    if not can_write or state in ENDED_STATES:
        return frozenset()
    actions = {"end"}
    if not consent_given and not consent_pending:
        actions.add("creditor")
    if creditor_linked:
        actions |= {"consent_request", "consent_paper"}
    if consent_given:
        actions.add("consent_revoke")
    if state in DECISION_STATES and creditor_linked:
        actions.add("offer")
    if state in REPLY_STATES:
        actions.add("reply")
    if state == NegotiationState.INFORMATION_REQUESTED:
        actions.add("information")
    if state == NegotiationState.AGREEMENT_PENDING:
        actions.add("agreement")
    if state == NegotiationState.PLAN_RUNNING and unpaid:
        actions.add("instalment")
    if state in ESCALATE_STATES:
        actions.add("escalate")
    return frozenset(actions)


def _card(
    session: Session,
    settings: Settings,
    staff: StaffUser,
    summary: NegotiationSummary,
    can_write: bool,
) -> NegotiationCard:
    consents = negotiation_consents(session, settings, summary.id)
    schedule = schedule_rows(session, settings, summary.id)
    actions = allowed_actions(
        summary.state,
        can_write=can_write,
        creditor_linked=summary.directory_creditor_id is not None,
        consent_given=any(c.status == ConsentStatus.GIVEN for c in consents),
        consent_pending=any(c.status == ConsentStatus.PENDING for c in consents),
        unpaid=any(row.paid_at is None for row in schedule),
    )
    prefill = (
        offer_prefill(session, settings, summary.id, actor_of(staff), paris_today())
        if "offer" in actions
        else None
    )
    balance = prefill.balance if prefill is not None else None
    if prefill is None and "reply" in actions:
        balance = debts_balance(session, settings, summary.id, actor_of(staff))
    return NegotiationCard(
        summary=summary,
        consents=consents,
        offers=offer_rows(session, settings, summary.id),
        replies=reply_rows(session, settings, summary.id),
        ledger=ledger_rows(session, summary.id),
        schedule=schedule,
        actions=actions,
        end_reason=end_reason(session, settings, summary.id) if summary.ended_at else None,
        prefill=prefill,
        balance=balance,
    )


def _timeline_creditors(summaries: list[NegotiationSummary]) -> dict[str, dict[str, str]]:
    """Each negotiation's badge in the timeline, and the prefix its stored lines start with
    (they must read alone elsewhere), which the badge makes redundant on the page."""
    return {
        s.id: {
            "badge": f"Créancier n°{s.number} · {s.creditor_label}",
            "prefix": f"Créancier n°{s.number} : ",
        }
        for s in summaries
    }


def negotiation_context(
    session: Session,
    settings: Settings,
    staff: StaffUser,
    detail: DossierDetail,
    form: NegotiationForm | None,
) -> dict[str, Any]:
    """What the section template needs; empty cards when the dossier has no negotiation.

    Called after the dossier page loaded the detail, i.e. after the access check.
    """
    summaries = dossier_negotiations(session, detail.id)
    add_creditor = {
        "add_creditor": add_creditor_form(detail, form),
        "creditor_kind_options": [(k.value, v) for k, v in CREDITOR_KIND_LABELS_FR.items()],
    }
    if not summaries:
        return {"negotiation_cards": [], "negotiation_timeline": {}, **add_creditor}
    cards = [_card(session, settings, staff, s, detail.can_write) for s in summaries]
    for card in cards:
        if form is not None and form.negotiation_id == card.summary.id:
            card.form = form
    directory = [
        (str(c.id), f"{c.name} · {CREDITOR_CHANNEL_LABELS_FR[CreditorChannel(c.contact_channel)]}")
        for c in list_creditors(session, active_only=True)
    ]
    shareable = [
        (
            d.id,
            f"{document_label(d.kind)} · {d.filename or 'document'} · reçue le "
            f"{date_input(d.uploaded_at.date())}",
        )
        for d in detail.documents
        if DocumentKind(d.kind) in SHAREABLE_DOCUMENT_KINDS
    ]
    return {
        "negotiation_cards": cards,
        # Debts of the approved strategy with no negotiation: none, unless something failed.
        "debts_without_negotiation": debts_without_negotiation(session, detail.id, settings),
        "negotiation_timeline": _timeline_creditors(summaries),
        "directory_options": directory,
        "shareable_documents": shareable,
        "share_categories": [(c.value, SHARE_CATEGORY_SHORT_FR[c]) for c in ShareCategory],
        "share_short": {c.value: SHARE_CATEGORY_SHORT_FR[c] for c in ShareCategory},
        "offer_type_options": [(k.value, v) for k, v in OFFER_TYPE_LABELS_FR.items()],
        "offer_type_labels": {k.value: v for k, v in OFFER_TYPE_LABELS_FR.items()},
        "offer_status_labels": OFFER_STATUS_LABELS_FR,
        "reply_kind_options": [(k.value, v) for k, v in REPLY_KIND_LABELS_FR.items()],
        "reply_channel_options": list(REPLY_CHANNEL_LABELS_FR.items()),
        "channel_labels": {
            **REPLY_CHANNEL_LABELS_FR,
            **{c.value: label for c, label in CREDITOR_CHANNEL_LABELS_FR.items()},
        },
        "escalation_options": [(k.value, v) for k, v in ESCALATION_LABELS_FR.items()],
        "consent_status_labels": {k.value: v for k, v in CONSENT_STATUS_LABELS_FR.items()},
        "consent_method_labels": {k.value: v for k, v in CONSENT_METHOD_LABELS_FR.items()},
        "end_outcome_options": [
            ("closed_unresolved", "Terminer sans accord"),
            ("abandoned", "Abandonner la négociation"),
        ],
        "today_input": date_input(paris_today()),
        **add_creditor,
    }
