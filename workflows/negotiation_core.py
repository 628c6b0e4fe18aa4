"""The CreditorNegotiationWorkflow's foundations: its texts and constants, its state, and the
helpers every step uses (the read model and search attributes, the activities it calls, the
timetable of its waits). The workflow class (negotiation.py) builds on this through
NegotiationWaits (negotiation_waits.py); nothing here is a workflow on its own.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import negotiation as io
    from domain.negotiation.sharing import MessageKind
    from domain.negotiation.states import (
        ENDED_STATES,
        NEGOTIATION_STATE_LABELS_FR,
        NegotiationState,
    )
    from domain.negotiation.timing import end_of_day
    from workflows.negotiation_messages import NegotiationInput
    from workflows.plumbing import (
        EMAIL,
        RENDERING,
        SHORT,
        publish_search_attributes,
        refusal_of,
        refuse_if,
        run,
    )

S = NegotiationState
# While waiting for the client's consent (or suspended), the database is re-read this often: a
# decision the web app recorded but could not tell the workflow (Temporal down) is not lost.
CONSENT_RECHECK = timedelta(days=1)

# A negotiation's stage for operators, e.g.
# temporal workflow list --query 'CravelynosStage="negotiation:no_response"'.
STAGE_PREFIX = "negotiation:"

# Offer statuses (negotiation_offer.status).
SENT, ACCEPTED, REFUSED, COUNTERED, EXPIRED, LAPSED, WITHDRAWN, DRAFT = (
    "sent",
    "accepted",
    "refused",
    "countered",
    "expired",
    "lapsed",
    "withdrawn",
    "draft",
)
# Timeline event kinds; tasks are what the case worker must do.
TASK = "negotiation_task"
PROGRESS = "negotiation_progress"

ENDED = "Cette négociation est terminée : plus rien ne peut y être enregistré."
SEND_IN_PROGRESS = (
    "Un envoi au créancier est en cours : patientez quelques instants, puis rechargez la page."
)
ONLY_CLIENT = "Seul le client peut accepter une contre-proposition."
NOTHING_TO_REVOKE = (
    "Aucun consentement donné n'est en cours pour ce créancier : il n'y a rien à retirer."
)
ALREADY_DECIDED = "Cette décision du client est déjà enregistrée."
NOT_OUR_DRAFT = "Cette offre n'est pas un brouillon de notre part : elle ne peut pas être envoyée."
OFFER_IN_THE_PAST = "La date de validité de l'offre est déjà passée."
COUNTER_NOT_FOUND = (
    "La contre-proposition enregistrée est introuvable ou ne vient pas du créancier."
)
COUNTER_REQUIRED = "Une contre-proposition doit être enregistrée avec ses conditions."
COUNTER_ALREADY_PAST = "Cette contre-proposition n'est déjà plus valable : sa date est passée."
NOT_THE_COUNTER = "Cette contre-proposition n'est pas celle qui attend la décision du client."
DECISION_TOO_LATE = "Le délai de décision sur cette contre-proposition est dépassé."
NOT_THE_REQUEST = "Cette demande d'informations n'est pas celle qui attend une réponse."
PAID_ON_INVALID = "La date de paiement n'est pas une date valide (AAAA-MM-JJ)."
PAID_ON_FUTURE = "La date de paiement ne peut pas être dans le futur."

EMAIL_LABELS_FR = {
    "negotiation_consent_request": "demande de consentement",
    "negotiation_offer_sent": "offre envoyée",
    "negotiation_counter_offer": "contre-proposition à décider",
    "negotiation_agreement": "accord conclu",
    "negotiation_refused": "refus du créancier",
    "negotiation_no_response": "absence de réponse",
    "negotiation_offer_expired": "offre expirée",
    "negotiation_suspended": "négociation suspendue",
    "negotiation_instalment_missed": "échéance impayée",
    "negotiation_plan_broken": "plan rompu",
    "negotiation_completed": "négociation terminée",
    "negotiation_escalated": "orientation vers un recours",
    "negotiation_closed": "négociation close",
}

# What the reply wait and the plan wait schedule.
FOLLOW_UP, NO_RESPONSE, OFFER_EXPIRY = "follow_up", "no_response", "offer_expiry"
DUE, MISSED, BROKEN = "due", "missed", "broken"


def not_now(action: str, state: NegotiationState) -> str:
    label = NEGOTIATION_STATE_LABELS_FR[state]
    return f"Impossible {action} : la négociation est à l'état « {label} »."


class NegotiationCore:
    """State of one negotiation and the helpers its steps share."""

    def __init__(self, arg: NegotiationInput) -> None:
        self._id = arg.negotiation_id
        self._dossier_id = arg.dossier_id
        self._state = S.CONSENT_PENDING
        # Bumped on every state change (and payment): the main loop's waits end when it moves.
        self._epoch = 0
        self._lock = asyncio.Lock()
        self._started = False
        self._delays: io.NegotiationFacts | None = None
        self._round = 0
        self._consent_id: str | None = None
        self._consent_given = False
        self._decided_consents: set[str] = set()
        # Withdrawals being handled: other steps may then only end the negotiation.
        self._revoking = 0
        self._sending = False
        self._offer_id: str | None = None
        # Our current offer is out, awaiting the creditor's answer (its row says "sent").
        self._offer_pending = False
        self._offer_expires_at: datetime | None = None
        self._accepted_offer_id: str | None = None
        # When the creditor (or the client, on a counter-offer) accepted: no payment before it.
        self._agreed_at: datetime | None = None
        self._counter_offer_id: str | None = None
        self._decision_deadline: datetime | None = None
        self._information_reply_id: str | None = None
        # The current reply wait: its number (idempotency keys) and when its timers started.
        self._wait = 0
        self._wait_started_at: datetime | None = None
        self._due_dates: list[date] = []
        self._paid: set[int] = set()
        self._missed_alerted: set[int] = set()
        self._route: str | None = None
        self._next_deadline: datetime | None = None
        self._next_deadline_label: str | None = None
        # What the search attributes say now (upserted only when it changes).
        self._published: tuple[str, datetime | None] | None = None

    def _reply_events(self) -> list[tuple[datetime, str, int]]:
        """Follow-ups and "no response" from the start of the wait; the offer's expiry instead,
        when it comes first."""
        assert self._delays is not None and self._wait_started_at is not None
        base = self._wait_started_at
        events = [
            (base + timedelta(days=days), FOLLOW_UP, number)
            for number, days in enumerate(self._delays.follow_up_days, start=1)
        ]
        no_response = base + timedelta(days=self._delays.no_response_days)
        expiry = self._offer_expires_at
        if expiry is not None and expiry <= no_response:
            return [e for e in events if e[0] < expiry] + [(expiry, OFFER_EXPIRY, 0)]
        return [*events, (no_response, NO_RESPONSE, 0)]

    def _plan_events(self, include_due: bool) -> list[tuple[datetime, str, int]]:
        assert self._delays is not None
        events: list[tuple[datetime, str, int]] = []
        for number, due in enumerate(self._due_dates, start=1):
            if number in self._paid:
                continue
            if include_due:
                events.append((end_of_day(due - timedelta(days=1)), DUE, number))
            if number not in self._missed_alerted:
                grace = due + timedelta(days=self._delays.instalment_grace_days)
                events.append((end_of_day(grace), MISSED, number))
            broken = due + timedelta(days=self._delays.instalment_broken_after_days)
            events.append((end_of_day(broken), BROKEN, number))
        return sorted(events)

    def _next_plan_event(self, include_due: bool) -> tuple[datetime, str, int] | None:
        events = self._plan_events(include_due)
        return events[0] if events else None

    # ----- helpers -----------------------------------------------------------------------------

    async def _ready(self) -> None:
        """Handlers wait for the facts (delays, consent) read when the negotiation starts."""
        await workflow.wait_condition(lambda: self._started)

    def _set_state(self, state: NegotiationState) -> None:
        # While a withdrawal is being handled, a step that was running may only end it.
        if self._revoking and state not in ENDED_STATES:
            return
        self._state = state
        self._epoch += 1

    def _ended_refusal(self) -> str | None:
        return ENDED if self._state in ENDED_STATES else None

    def _state_refusal(self, allowed: Any, action: str) -> str | None:
        if self._state in ENDED_STATES:
            return ENDED
        return None if self._state in allowed else not_now(action, self._state)

    @staticmethod
    def _check(refusal: str | None) -> None:
        refuse_if(refusal)

    def _deadline(self) -> tuple[datetime | None, str | None]:
        now = workflow.now()
        if self._state == S.AWAITING_REPLY and self._wait_started_at is not None:
            labels = {
                NO_RESPONSE: "Sans réponse du créancier : suite à décider",
                OFFER_EXPIRY: "Fin de validité de l'offre",
            }
            for moment, event, number in self._reply_events():
                if moment > now:
                    label = labels.get(event) or f"Relance n°{number} du créancier"
                    return moment, label
        if self._state == S.COUNTER_OFFER and self._decision_deadline is not None:
            return self._decision_deadline, "Décision du client sur la contre-proposition"
        if self._state == S.PLAN_RUNNING:
            labels = {
                DUE: "Échéance n°{n} du plan",
                MISSED: "Échéance n°{n} impayée : fin du délai de grâce",
                BROKEN: "Échéance n°{n} impayée : plan rompu à cette date",
            }
            for moment, event, number in self._plan_events(include_due=True):
                if moment > now:
                    return moment, labels[event].format(n=number)
        return None, None

    async def _record(
        self,
        event: str,
        kind: str,
        summary: str,
        actor: str = "system",
        missed_instalment: int = 0,
    ) -> None:
        """The read model follows the workflow: state, round, next deadline, and (with a kind)
        one timeline entry for this event; the search attributes too."""
        self._next_deadline, self._next_deadline_label = self._deadline()
        self._publish()
        await run(
            io.RECORD_NEGOTIATION_PROGRESS,
            io.NegotiationProgress(
                negotiation_id=self._id,
                event_key=f"{workflow.info().workflow_id}:{event}" if kind else "",
                state=self._state.value,
                event_kind=kind,
                summary=summary,
                next_deadline=self._next_deadline,
                next_deadline_label=self._next_deadline_label,
                actor=actor,
                ended=self._state in ENDED_STATES,
                escalation_route=self._route,
                round=self._round,
                missed_instalment=missed_instalment,
                missed_alerted_at=workflow.now() if missed_instalment else None,
            ),
            SHORT,
        )

    def _publish(self) -> None:
        """CravelynosStage "negotiation:<state>" and CravelynosNextDeadline, for operators."""
        published = (self._state.value, self._next_deadline)
        if published == self._published:
            return
        self._published = published
        publish_search_attributes(STAGE_PREFIX + self._state.value, self._next_deadline)

    async def _load_offer(self, offer_id: str) -> io.OfferFacts:
        try:
            return await run(io.LOAD_OFFER, io.OfferRef(offer_id), SHORT)
        except ActivityError as exc:
            raise refusal_of(exc) from None

    async def _offer_status(self, offer_id: str, status: str, **change: Any) -> None:
        await run(
            io.SET_OFFER_STATUS,
            io.OfferStatusChange(offer_id=offer_id, status=status, **change),
            SHORT,
        )

    async def _creditor_message(
        self, kind: MessageKind, event: str, **ids: Any
    ) -> io.CreditorMessageSent:
        """ActivityError when refused (ConsentMissing, CreditorUnreachable): callers decide."""
        return await run(
            io.SEND_CREDITOR_MESSAGE,
            io.CreditorMessage(
                negotiation_id=self._id,
                kind=kind.value,
                idempotency_key=f"{workflow.info().workflow_id}:{event}",
                **ids,
            ),
            RENDERING,
        )

    async def _email(self, template: str, event: str, **ids: Any) -> None:
        """A progress email to the client; one that cannot be delivered becomes a task."""
        try:
            await run(
                io.SEND_NEGOTIATION_EMAIL,
                io.NegotiationEmail(
                    negotiation_id=self._id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{event}",
                    **ids,
                ),
                EMAIL,
            )
        except ActivityError:
            await self._record(
                f"email_failed:{event}",
                TASK,
                f"courriel au client non remis ({EMAIL_LABELS_FR.get(template, template)}) : "
                "le prévenir par un autre moyen",
            )

    async def _consent_receipt(self, consent_id: str) -> None:
        try:
            await run(
                io.SEND_CONSENT_RECEIPT,
                io.ConsentReceipt(
                    consent_id=consent_id,
                    idempotency_key=f"{workflow.info().workflow_id}:consent_receipt:{consent_id}",
                ),
                RENDERING,
            )
        except ActivityError:
            await self._record(
                f"receipt_failed:{consent_id}",
                TASK,
                "reçu de consentement non remis au client : le lui transmettre autrement",
            )


def validator_refusal(refusal: str | None) -> None:
    """Validators refuse with a plain error: the update is rejected, nothing is recorded."""
    if refusal:
        raise ValueError(refusal)


def is_consent_missing(exc: ActivityError) -> bool:
    cause = exc.cause
    return isinstance(cause, ApplicationError) and cause.type == io.CONSENT_MISSING


def failure_reason(exc: ActivityError) -> str:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.message:
        return cause.message.rstrip(".")
    return "erreur d'envoi"
