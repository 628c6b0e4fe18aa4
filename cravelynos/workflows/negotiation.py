"""CreditorNegotiationWorkflow: one negotiation with one creditor, child of the dossier.

Consent gate (nothing leaves without a given consent; the sending activity re-checks it in the
database), offer rounds, the creditor's replies, the client's decision on a counter-offer, reply
timers and follow-ups, offer expiry, agreement and repayment plan; a withdrawn consent
suspends it at once.

How it stays correct:
- every state change goes through `_set_state`, which bumps `_epoch`; every wait of the main
  loop ends as soon as the epoch moves, so a revocation (or any reply) stops the timers at once;
- every step that changes state runs under `_lock`, and re-checks the state once it holds it;
- a consent withdrawal takes effect before it waits for the lock: what was running finishes
  its sending (the activity re-checks consent before each SMTP attempt), but cannot move the
  negotiation out of SUSPENDED except to end it;
- client emails that cannot be delivered become a task on the timeline, never a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from cravelynos.activities import negotiation_io as io
    from cravelynos.domain.negotiation.sharing import (
        SHARE_CATEGORY_SHORT_FR,
        MessageKind,
        ShareCategory,
    )
    from cravelynos.domain.negotiation.states import (
        DECISION_STATES,
        ENDED_STATES,
        ESCALATION_LABELS_FR,
        NEGOTIATION_STATE_LABELS_FR,
        REPLY_STATES,
        EndOutcome,
        EscalationRoute,
        NegotiationState,
        OfferParty,
        ReplyKind,
    )
    from cravelynos.workflows import negotiation_payloads as payloads
    from cravelynos.workflows.negotiation_messages import (
        CLIENT_DECISION_UPDATE,
        CONFIRM_AGREEMENT_UPDATE,
        CONSENT_DECIDED_UPDATE,
        CONSENT_REQUESTED_UPDATE,
        CONSENT_REVOKED_UPDATE,
        END_NEGOTIATION_UPDATE,
        ESCALATE_UPDATE,
        NEGOTIATION_STATUS_QUERY,
        NEGOTIATION_WORKFLOW,
        RECORD_INSTALMENT_UPDATE,
        RECORD_REPLY_UPDATE,
        SEND_INFORMATION_UPDATE,
        SEND_OFFER_UPDATE,
        ClientDecision,
        ConfirmAgreement,
        ConsentDecided,
        ConsentRequested,
        ConsentRevoked,
        EndNegotiation,
        Escalate,
        InstalmentPaid,
        NegotiationInput,
        NegotiationStatus,
        RecordReply,
        SendInformation,
        SendOffer,
    )
    from cravelynos.workflows.negotiation_timing import end_of_day, paris_date
    from cravelynos.workflows.refusals import refusal_of, refused

S = NegotiationState
SHORT = timedelta(seconds=30)
EMAIL_TIMEOUT = timedelta(minutes=2)
# A letter by post is a PDF made with WeasyPrint; a receipt too.
MESSAGE_TIMEOUT = timedelta(minutes=5)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))

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


@workflow.defn(name=NEGOTIATION_WORKFLOW)
class CreditorNegotiationWorkflow:
    @workflow.init
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
        self._offer_expires_at: datetime | None = None
        self._accepted_offer_id: str | None = None
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

    @workflow.run
    async def run(self, arg: NegotiationInput) -> str:
        facts = await workflow.execute_activity(
            io.LOAD_NEGOTIATION_FACTS,
            io.NegotiationRef(self._id),
            result_type=io.NegotiationFacts,
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )
        async with self._lock:
            self._delays = facts
            if facts.consent_id:
                self._consent_id, self._consent_given = facts.consent_id, True
                self._decided_consents.add(facts.consent_id)
                self._set_state(S.READY)
            await self._record(
                "opened",
                PROGRESS,
                "négociation ouverte"
                + (
                    " : consentement déjà donné, offre à préparer"
                    if self._consent_given
                    else " : consentement du client à demander"
                ),
            )
            self._started = True
        while self._state not in ENDED_STATES:
            epoch = self._epoch
            if self._state == S.AWAITING_REPLY:
                await self._await_reply(epoch)
            elif self._state == S.COUNTER_OFFER:
                await self._await_decision(epoch)
            elif self._state == S.PLAN_RUNNING:
                await self._await_plan(epoch)
            await self._until_changed(epoch)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.value

    # ----- timers of the main loop -----------------------------------------------------------

    async def _until(self, moment: datetime, epoch: int) -> bool:
        """Wait until `moment`; False as soon as anything changed the negotiation's state."""
        remaining = moment - workflow.now()
        if remaining > timedelta(0):
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._epoch != epoch, timeout=remaining)
        return self._epoch == epoch

    async def _until_changed(self, epoch: int) -> None:
        await workflow.wait_condition(lambda: self._epoch != epoch)

    def _current(self, epoch: int) -> bool:
        return self._epoch == epoch and not self._revoking

    async def _await_reply(self, epoch: int) -> None:
        wait = self._wait
        for moment, event, number in self._reply_events():
            if not await self._until(moment, epoch):
                return
            async with self._lock:
                if not self._current(epoch):
                    return
                if event == FOLLOW_UP:
                    await self._follow_up(wait, number)
                elif event == OFFER_EXPIRY:
                    await self._offer_expired(wait)
                else:
                    await self._no_response(wait)

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

    async def _follow_up(self, wait: int, number: int) -> None:
        try:
            await self._creditor_message(
                MessageKind.FOLLOW_UP,
                f"follow_up:{wait}:{number}",
                offer_id=self._offer_id,
                follow_up=number,
            )
            kind, summary = PROGRESS, f"relance n°{number} envoyée au créancier"
        except ActivityError as exc:
            kind = TASK
            summary = (
                f"relance n°{number} non envoyée ({_reason(exc)}) : relancer le créancier "
                "autrement ou mettre fin à la négociation"
            )
        await self._record(f"follow_up:{wait}:{number}", kind, summary)

    async def _no_response(self, wait: int) -> None:
        self._set_state(S.NO_RESPONSE)
        await self._record(
            f"no_response:{wait}",
            TASK,
            "aucune réponse du créancier : nouvelle offre, saisine du médiateur ou fin de la "
            "négociation à décider",
        )
        await self._email("negotiation_no_response", f"no_response:{wait}", offer_id=self._offer_id)

    async def _offer_expired(self, wait: int) -> None:
        assert self._offer_id is not None
        await self._offer_status(self._offer_id, EXPIRED)
        self._set_state(S.OFFER_EXPIRED)
        await self._record(
            f"offer_expired:{wait}",
            TASK,
            f"l'offre n°{self._round} est arrivée à expiration sans réponse : nouvelle offre ou "
            "autre suite à décider",
        )
        await self._email(
            "negotiation_offer_expired", f"offer_expired:{self._offer_id}", offer_id=self._offer_id
        )

    async def _await_decision(self, epoch: int) -> None:
        assert self._decision_deadline is not None
        if not await self._until(self._decision_deadline, epoch):
            return
        async with self._lock:
            if not self._current(epoch) or self._counter_offer_id is None:
                return
            counter = self._counter_offer_id
            await self._offer_status(counter, LAPSED)
            self._counter_offer_id, self._decision_deadline = None, None
            self._set_state(S.OFFER_EXPIRED)
            await self._record(
                f"counter_lapsed:{counter}",
                TASK,
                "le client n'a pas décidé dans le délai : la contre-proposition est caduque, "
                "suite à décider",
            )
            await self._email(
                "negotiation_offer_expired", f"offer_expired:{counter}", offer_id=counter
            )

    async def _await_plan(self, epoch: int) -> None:
        while True:
            event = self._next_plan_event(include_due=False)
            if event is None:
                return
            moment, kind, number = event
            if not await self._until(moment, epoch):
                return
            async with self._lock:
                if not self._current(epoch) or number in self._paid:
                    return
                if kind == MISSED:
                    self._missed_alerted.add(number)
                    await self._record(
                        f"instalment_missed:{number}",
                        TASK,
                        f"échéance n°{number} non payée après le délai de grâce : contacter le "
                        "client",
                    )
                    await self._email(
                        "negotiation_instalment_missed",
                        f"instalment_missed:{number}",
                        instalment_number=number,
                    )
                else:
                    self._set_state(S.BROKEN)
                    await self._record(
                        f"plan_broken:{number}",
                        TASK,
                        f"plan rompu : échéance n°{number} toujours impayée — nouvelle offre, "
                        "recours ou fin à décider",
                    )
                    await self._email(
                        "negotiation_plan_broken",
                        f"plan_broken:{number}",
                        instalment_number=number,
                    )
                    return

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

    # ----- updates: consent --------------------------------------------------------------------

    @workflow.update(name=CONSENT_REQUESTED_UPDATE)
    async def consent_requested(self, request: ConsentRequested) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._ended_refusal())
            await self._record(
                f"consent_requested:{request.consent_id}",
                PROGRESS,
                "consentement demandé au client (lien sécurisé envoyé)",
                request.actor,
            )
            await self._email(
                "negotiation_consent_request",
                f"consent_request:{request.consent_id}",
                consent_id=request.consent_id,
            )
        return self._state.value

    @consent_requested.validator
    def _validate_consent_requested(self, request: ConsentRequested) -> None:
        _raise(self._ended_refusal())

    @workflow.update(name=CONSENT_DECIDED_UPDATE)
    async def consent_decided(self, decision: ConsentDecided) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._decision_refusal(decision))
            self._decided_consents.add(decision.consent_id)
            if decision.given:
                self._consent_id, self._consent_given = decision.consent_id, True
                if self._state in (S.CONSENT_PENDING, S.SUSPENDED):
                    self._set_state(S.READY)
                await self._record(
                    f"consent_given:{decision.consent_id}",
                    PROGRESS,
                    "consentement donné par le client"
                    + (
                        " : les informations demandées peuvent être envoyées"
                        if self._state == S.INFORMATION_REQUESTED
                        else ""
                    ),
                    decision.actor,
                )
            else:
                await self._record(
                    f"consent_refused:{decision.consent_id}",
                    TASK,
                    "le client a refusé le partage : relancer ou abandonner",
                    decision.actor,
                )
            await self._consent_receipt(decision.consent_id)
        return self._state.value

    @consent_decided.validator
    def _validate_consent_decided(self, decision: ConsentDecided) -> None:
        _raise(self._decision_refusal(decision))

    def _decision_refusal(self, decision: ConsentDecided) -> str | None:
        if decision.consent_id in self._decided_consents:
            return ALREADY_DECIDED
        return self._ended_refusal()

    @workflow.update(name=CONSENT_REVOKED_UPDATE)
    async def consent_revoked(self, revocation: ConsentRevoked) -> str:
        await self._ready()
        self._check(self._revocation_refusal())
        # At once, before waiting for anything: the timers stop, nothing more is sent.
        self._state = S.SUSPENDED
        self._epoch += 1
        self._consent_given = False
        self._revoking += 1
        try:
            async with self._lock:
                await self._revoked(revocation)
        finally:
            self._revoking -= 1
        return self._state.value

    @consent_revoked.validator
    def _validate_consent_revoked(self, revocation: ConsentRevoked) -> None:
        _raise(self._revocation_refusal())

    def _revocation_refusal(self) -> str | None:
        return self._ended_refusal() or (None if self._consent_given else NOTHING_TO_REVOKE)

    async def _revoked(self, revocation: ConsentRevoked) -> None:
        key = revocation.consent_id
        ended = self._state in ENDED_STATES  # Ended by a step that was running meanwhile.
        await self._record(
            f"consent_revoked:{key}",
            PROGRESS,
            "consentement retiré"
            + ("" if ended else " : négociation suspendue, plus rien n'est envoyé au créancier"),
            revocation.actor,
        )
        if self._counter_offer_id is not None:  # The client's pending decision is void.
            await self._offer_status(self._counter_offer_id, LAPSED)
            self._counter_offer_id, self._decision_deadline = None, None
        # The activity tells the creditor only if something was ever shared with it.
        try:
            sent = await self._creditor_message(MessageKind.MANDATE_END, f"mandate_end:{key}")
            if sent.message_id:
                await self._record(
                    f"mandate_end:{key}", PROGRESS, "fin du mandat notifiée au créancier"
                )
        except ActivityError as exc:
            await self._record(
                f"mandate_end:{key}",
                TASK,
                f"fin du mandat non notifiée ({_reason(exc)}) : prévenir le créancier",
            )
        if not ended:
            await self._email("negotiation_suspended", f"suspended:{key}")

    # ----- updates: offers and replies ---------------------------------------------------------

    @workflow.update(name=SEND_OFFER_UPDATE)
    async def send_offer(self, request: SendOffer) -> str:
        await self._ready()
        # Set before the first await: a second send accepted at the same time sees it.
        self._check(self._send_offer_refusal())
        self._sending = True
        try:
            async with self._lock:
                self._check(self._state_refusal(DECISION_STATES, "d'envoyer une offre"))
                await self._send_offer(request)
        finally:
            self._sending = False
        return self._state.value

    @send_offer.validator
    def _validate_send_offer(self, request: SendOffer) -> None:
        _raise(self._send_offer_refusal())

    def _send_offer_refusal(self) -> str | None:
        if self._sending:
            return SEND_IN_PROGRESS
        return self._state_refusal(DECISION_STATES, "d'envoyer une offre")

    async def _send_offer(self, request: SendOffer) -> None:
        offer = await self._load_offer(request.offer_id)
        if offer.made_by != OfferParty.US.value or offer.status != DRAFT:
            raise refused(NOT_OUR_DRAFT)
        if offer.round != self._round + 1:
            raise refused(
                f"Cette offre est prévue pour le tour n°{offer.round} : le prochain tour est le "
                f"n°{self._round + 1}."
            )
        if offer.valid_until_date <= paris_date(workflow.now()):
            raise refused(OFFER_IN_THE_PAST)
        try:
            sent = await self._creditor_message(
                MessageKind.OFFER, f"offer:{offer.offer_id}", offer_id=offer.offer_id
            )
        except ActivityError as exc:  # No consent, creditor unreachable: nothing changed.
            raise refusal_of(exc) from None
        now = workflow.now()
        previous = self._offer_id
        await self._offer_status(offer.offer_id, SENT, sent_at=now)
        if previous and self._state == S.NO_RESPONSE:
            await self._offer_status(previous, WITHDRAWN)
        self._round, self._offer_id = offer.round, offer.offer_id
        self._offer_expires_at = end_of_day(offer.valid_until_date)
        self._accepted_offer_id = None
        self._set_state(S.OFFER_SENT)
        categories = ", ".join(
            SHARE_CATEGORY_SHORT_FR[ShareCategory(c)].lower()
            for c in sent.categories
            if c in ShareCategory._value2member_map_
        )
        await self._record(
            f"offer_sent:{offer.offer_id}",
            PROGRESS,
            f"offre n°{offer.round} envoyée (catégories : {categories or 'aucune'})",
            request.actor,
        )
        await self._email(
            "negotiation_offer_sent", f"offer_sent:{offer.offer_id}", offer_id=offer.offer_id
        )
        await self._start_reply_wait(now)

    async def _start_reply_wait(self, start: datetime) -> None:
        self._wait += 1
        self._wait_started_at = start
        self._set_state(S.AWAITING_REPLY)
        await self._record(f"awaiting_reply:{self._wait}", "", "")

    @workflow.update(name=RECORD_REPLY_UPDATE)
    async def record_reply(self, reply: RecordReply) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._reply_refusal(reply))
            kind = ReplyKind(reply.kind)
            if kind == ReplyKind.ACCEPTED:
                await self._accepted(reply)
            elif kind == ReplyKind.COUNTER_OFFER:
                await self._countered(reply)
            elif kind == ReplyKind.INFORMATION_REQUESTED:
                await self._information_requested(reply)
            else:
                await self._refused_by_creditor(reply)
        return self._state.value

    @record_reply.validator
    def _validate_record_reply(self, reply: RecordReply) -> None:
        _raise(self._reply_refusal(reply))

    def _reply_refusal(self, reply: RecordReply) -> str | None:
        if reply.kind not in ReplyKind._value2member_map_:
            return f"Type de réponse inconnu : {reply.kind!r}."
        if reply.kind == ReplyKind.COUNTER_OFFER and not reply.counter_offer_id:
            return COUNTER_REQUIRED
        return self._state_refusal(REPLY_STATES, "d'enregistrer une réponse du créancier")

    async def _accepted(self, reply: RecordReply) -> None:
        assert self._offer_id is not None
        await self._offer_status(self._offer_id, ACCEPTED)
        self._accepted_offer_id = self._offer_id
        self._set_state(S.AGREEMENT_PENDING)
        await self._record(
            f"reply:{reply.reply_id}",
            TASK,
            f"le créancier accepte l'offre n°{self._round} : obtenir la confirmation écrite",
            reply.actor,
        )

    async def _countered(self, reply: RecordReply) -> None:
        assert self._delays is not None and reply.counter_offer_id is not None
        counter = await self._load_offer(reply.counter_offer_id)
        if counter.made_by != OfferParty.CREDITOR.value or counter.status in (
            ACCEPTED,
            REFUSED,
            LAPSED,
            EXPIRED,
        ):
            raise refused(COUNTER_NOT_FOUND)
        now = workflow.now()
        deadline = min(
            now + timedelta(days=self._delays.counter_offer_decision_days),
            end_of_day(counter.valid_until_date),
        )
        if deadline <= now:
            raise refused(COUNTER_ALREADY_PAST)
        if self._offer_id is not None:
            await self._offer_status(self._offer_id, COUNTERED)
        await self._offer_status(counter.offer_id, SENT, decision_deadline=deadline)
        self._counter_offer_id, self._decision_deadline = counter.offer_id, deadline
        self._set_state(S.COUNTER_OFFER)
        await self._record(
            f"reply:{reply.reply_id}",
            PROGRESS,
            "contre-proposition du créancier : décision du client attendue",
            reply.actor,
        )
        await self._email(
            "negotiation_counter_offer",
            f"counter_offer:{counter.offer_id}",
            offer_id=counter.offer_id,
        )

    async def _information_requested(self, reply: RecordReply) -> None:
        self._information_reply_id = reply.reply_id
        self._set_state(S.INFORMATION_REQUESTED)
        await self._record(
            f"reply:{reply.reply_id}",
            TASK,
            "le créancier demande des informations : les envoyer"
            + (" une fois le consentement étendu par le client" if reply.new_consent_id else ""),
            reply.actor,
        )
        if reply.new_consent_id:
            await self._email(
                "negotiation_consent_request",
                f"consent_request:{reply.new_consent_id}",
                consent_id=reply.new_consent_id,
            )

    async def _refused_by_creditor(self, reply: RecordReply) -> None:
        if self._offer_id is not None:
            await self._offer_status(self._offer_id, REFUSED)
        self._set_state(S.REFUSED)
        await self._record(
            f"reply:{reply.reply_id}",
            TASK,
            "le créancier refuse l'offre : nouvelle offre, médiateur ou fin à décider",
            reply.actor,
        )
        await self._email(
            "negotiation_refused", f"refused:{reply.reply_id}", reply_id=reply.reply_id
        )

    @workflow.update(name=SEND_INFORMATION_UPDATE)
    async def send_information(self, request: SendInformation) -> str:
        await self._ready()
        self._check(self._information_refusal(request))
        self._sending = True
        try:
            async with self._lock:
                self._check(self._information_refusal(request, sending=False))
                try:
                    await self._creditor_message(
                        MessageKind.INFORMATION,
                        f"information:{request.reply_id}",
                        reply_id=request.reply_id,
                        offer_id=self._offer_id,
                    )
                except ActivityError as exc:
                    raise refusal_of(exc) from None
                self._information_reply_id = None
                await self._record(
                    f"information_sent:{request.reply_id}",
                    PROGRESS,
                    "informations demandées envoyées au créancier",
                    request.actor,
                )
                await self._start_reply_wait(workflow.now())
        finally:
            self._sending = False
        return self._state.value

    @send_information.validator
    def _validate_send_information(self, request: SendInformation) -> None:
        _raise(self._information_refusal(request))

    def _information_refusal(self, request: SendInformation, sending: bool = True) -> str | None:
        if sending and self._sending:
            return SEND_IN_PROGRESS
        refusal = self._state_refusal(
            {S.INFORMATION_REQUESTED}, "d'envoyer les informations demandées"
        )
        if refusal:
            return refusal
        return None if request.reply_id == self._information_reply_id else NOT_THE_REQUEST

    @workflow.update(name=CLIENT_DECISION_UPDATE)
    async def client_decision(self, decision: ClientDecision) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._client_decision_refusal(decision))
            counter = decision.offer_id
            now = workflow.now()
            choice = ACCEPTED if decision.accepted else REFUSED
            await self._offer_status(counter, choice, client_decision=choice, decided_at=now)
            self._counter_offer_id, self._decision_deadline = None, None
            kind = (
                MessageKind.COUNTER_ACCEPTANCE if decision.accepted else MessageKind.COUNTER_REFUSAL
            )
            try:
                await self._creditor_message(kind, f"{kind.value}:{counter}", offer_id=counter)
                told = "le créancier en est informé"
                task = False
            except ActivityError as exc:
                told = f"le créancier n'a pas pu en être informé ({_reason(exc)}) : le prévenir"
                task = True
            if decision.accepted:
                self._accepted_offer_id = counter
                self._set_state(S.AGREEMENT_PENDING)
                summary = (
                    f"le client accepte la contre-proposition, {told} ; obtenir la "
                    "confirmation écrite"
                )
                task = True
            else:
                self._set_state(S.READY)
                summary = f"le client refuse la contre-proposition, {told}"
            await self._record(
                f"client_decision:{counter}", TASK if task else PROGRESS, summary, decision.actor
            )
        return self._state.value

    @client_decision.validator
    def _validate_client_decision(self, decision: ClientDecision) -> None:
        _raise(self._client_decision_refusal(decision))

    def _client_decision_refusal(self, decision: ClientDecision) -> str | None:
        if not decision.actor.startswith("client:"):
            return ONLY_CLIENT
        refusal = self._state_refusal({S.COUNTER_OFFER}, "de décider d'une contre-proposition")
        if refusal:
            return refusal
        if decision.offer_id != self._counter_offer_id:
            return NOT_THE_COUNTER
        if self._decision_deadline is not None and workflow.now() >= self._decision_deadline:
            return DECISION_TOO_LATE
        return None

    # ----- updates: agreement and plan ---------------------------------------------------------

    @workflow.update(name=CONFIRM_AGREEMENT_UPDATE)
    async def confirm_agreement(self, request: ConfirmAgreement) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._state_refusal({S.AGREEMENT_PENDING}, "de confirmer un accord"))
            assert self._accepted_offer_id is not None
            schedule = await workflow.execute_activity(
                io.CREATE_SCHEDULE,
                io.ScheduleRequest(self._id, self._accepted_offer_id),
                result_type=payloads.RepaymentSchedule,
                start_to_close_timeout=SHORT,
                retry_policy=RETRY,
            )
            self._due_dates = schedule.dates
            self._paid, self._missed_alerted = set(), set()
            if self._due_dates:
                self._set_state(S.PLAN_RUNNING)
                summary = (
                    f"accord confirmé par écrit : plan de {len(self._due_dates)} échéance(s) en "
                    "cours"
                )
            else:
                self._set_state(S.COMPLETED)
                summary = "accord confirmé par écrit : négociation terminée"
            if request.document_id:
                summary += " (confirmation écrite jointe au dossier)"
            await self._record("agreement", PROGRESS, summary, request.actor)
            await self._email(
                "negotiation_agreement", "agreement", offer_id=self._accepted_offer_id
            )
            if self._state == S.COMPLETED:
                await self._email("negotiation_completed", "completed")
        return self._state.value

    @confirm_agreement.validator
    def _validate_confirm_agreement(self, request: ConfirmAgreement) -> None:
        _raise(self._state_refusal({S.AGREEMENT_PENDING}, "de confirmer un accord"))

    @workflow.update(name=RECORD_INSTALMENT_UPDATE)
    async def record_instalment(self, payment: InstalmentPaid) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._instalment_refusal(payment))
            await workflow.execute_activity(
                io.RECORD_INSTALMENT,
                io.InstalmentPayment(self._id, payment.number, payment.actor, workflow.now()),
                start_to_close_timeout=SHORT,
                retry_policy=RETRY,
            )
            self._paid.add(payment.number)
            self._epoch += 1  # The plan's timers are counted again.
            done = len(self._paid) == len(self._due_dates)
            if done:
                self._set_state(S.COMPLETED)
            await self._record(
                f"instalment_paid:{payment.number}",
                PROGRESS,
                f"échéance n°{payment.number} payée"
                + (" : plan exécuté, négociation terminée" if done else ""),
                payment.actor,
            )
            if done:
                await self._email("negotiation_completed", "completed")
        return self._state.value

    @record_instalment.validator
    def _validate_record_instalment(self, payment: InstalmentPaid) -> None:
        _raise(self._instalment_refusal(payment))

    def _instalment_refusal(self, payment: InstalmentPaid) -> str | None:
        refusal = self._state_refusal({S.PLAN_RUNNING}, "d'enregistrer un paiement")
        if refusal:
            return refusal
        if not 1 <= payment.number <= len(self._due_dates):
            return f"L'échéance n°{payment.number} n'existe pas dans ce plan."
        if payment.number in self._paid:
            return f"L'échéance n°{payment.number} est déjà enregistrée comme payée."
        return None

    # ----- updates: ends -----------------------------------------------------------------------

    @workflow.update(name=ESCALATE_UPDATE)
    async def escalate(self, request: Escalate) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._escalation_refusal(request))
            route = EscalationRoute(request.route)
            await self._void_counter()
            self._route = route.value
            self._set_state(S.ESCALATED)
            await self._record(
                "escalated",
                PROGRESS,
                f"négociation terminée, orientée vers un recours : {ESCALATION_LABELS_FR[route]}",
                request.actor,
            )
            await self._email("negotiation_escalated", "escalated")
        return self._state.value

    @escalate.validator
    def _validate_escalate(self, request: Escalate) -> None:
        _raise(self._escalation_refusal(request))

    def _escalation_refusal(self, request: Escalate) -> str | None:
        if request.route not in EscalationRoute._value2member_map_:
            return f"Voie de recours inconnue : {request.route!r}."
        allowed = DECISION_STATES | {S.AWAITING_REPLY, S.SUSPENDED}
        return self._state_refusal(allowed, "d'orienter vers un recours")

    @workflow.update(name=END_NEGOTIATION_UPDATE)
    async def end_negotiation(self, request: EndNegotiation) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._end_refusal(request))
            outcome = EndOutcome(request.outcome)
            await self._void_counter()
            self._set_state(S(outcome.value))
            await self._record(
                "ended",
                PROGRESS,
                "négociation abandonnée"
                if outcome == EndOutcome.ABANDONED
                else "négociation terminée sans accord",
                request.actor,
            )
            await self._email("negotiation_closed", "closed")
        return self._state.value

    @end_negotiation.validator
    def _validate_end_negotiation(self, request: EndNegotiation) -> None:
        _raise(self._end_refusal(request))

    def _end_refusal(self, request: EndNegotiation) -> str | None:
        if request.outcome not in EndOutcome._value2member_map_:
            return f"Issue inconnue : {request.outcome!r}."
        return self._ended_refusal()

    async def _void_counter(self) -> None:
        if self._counter_offer_id is not None:
            await self._offer_status(self._counter_offer_id, LAPSED)
            self._counter_offer_id, self._decision_deadline = None, None

    # ----- query -------------------------------------------------------------------------------

    @workflow.query(name=NEGOTIATION_STATUS_QUERY)
    def status(self) -> NegotiationStatus:
        return NegotiationStatus(
            state=self._state.value,
            round=self._round,
            consent_id=self._consent_id,
            consent_given=self._consent_given,
            current_offer_id=self._offer_id,
            counter_offer_id=self._counter_offer_id,
            decision_deadline=self._decision_deadline,
            pending_information_reply_id=self._information_reply_id,
            next_deadline=self._next_deadline,
            next_deadline_label=self._next_deadline_label,
            unpaid_instalments=[
                n for n in range(1, len(self._due_dates) + 1) if n not in self._paid
            ],
        )

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
        if refusal:
            raise refused(refusal)

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

    async def _record(self, event: str, kind: str, summary: str, actor: str = "system") -> None:
        """The read model follows the workflow: state, round, next deadline, and (with a kind)
        one timeline entry for this event."""
        self._next_deadline, self._next_deadline_label = self._deadline()
        await workflow.execute_activity(
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
            ),
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )

    async def _load_offer(self, offer_id: str) -> payloads.OfferFacts:
        try:
            return await workflow.execute_activity(
                io.LOAD_OFFER,
                io.OfferRef(offer_id),
                result_type=payloads.OfferFacts,
                start_to_close_timeout=SHORT,
                retry_policy=RETRY,
            )
        except ActivityError as exc:
            raise refusal_of(exc) from None

    async def _offer_status(self, offer_id: str, status: str, **change: Any) -> None:
        await workflow.execute_activity(
            io.SET_OFFER_STATUS,
            io.OfferStatusChange(offer_id=offer_id, status=status, **change),
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )

    async def _creditor_message(
        self, kind: MessageKind, event: str, **ids: Any
    ) -> io.CreditorMessageSent:
        """ActivityError when refused (ConsentMissing, CreditorUnreachable): callers decide."""
        return await workflow.execute_activity(
            io.SEND_CREDITOR_MESSAGE,
            io.CreditorMessage(
                negotiation_id=self._id,
                kind=kind.value,
                idempotency_key=f"{workflow.info().workflow_id}:{event}",
                **ids,
            ),
            result_type=io.CreditorMessageSent,
            start_to_close_timeout=MESSAGE_TIMEOUT,
            retry_policy=RETRY,
        )

    async def _email(self, template: str, event: str, **ids: Any) -> None:
        """A progress email to the client; one that cannot be delivered becomes a task."""
        try:
            await workflow.execute_activity(
                io.SEND_NEGOTIATION_EMAIL,
                io.NegotiationEmail(
                    negotiation_id=self._id,
                    template=template,
                    idempotency_key=f"{workflow.info().workflow_id}:{event}",
                    **ids,
                ),
                start_to_close_timeout=EMAIL_TIMEOUT,
                retry_policy=RETRY,
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
            await workflow.execute_activity(
                io.SEND_CONSENT_RECEIPT,
                io.ConsentReceipt(
                    consent_id=consent_id,
                    idempotency_key=f"{workflow.info().workflow_id}:consent_receipt:{consent_id}",
                ),
                start_to_close_timeout=MESSAGE_TIMEOUT,
                retry_policy=RETRY,
            )
        except ActivityError:
            await self._record(
                f"receipt_failed:{consent_id}",
                TASK,
                "reçu de consentement non remis au client : le lui transmettre autrement",
            )


def _raise(refusal: str | None) -> None:
    """Validators refuse with a plain error: the update is rejected, nothing is recorded."""
    if refusal:
        raise ValueError(refusal)


def _reason(exc: ActivityError) -> str:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.message:
        return cause.message.rstrip(".")
    return "erreur d'envoi"
