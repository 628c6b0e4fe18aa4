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
- client emails that cannot be delivered become a task on the timeline, never a failure;
- what the web app wrote but could not tell (Temporal down) is found in the database: a consent
  given, re-read daily while one is awaited; a withdrawal, checked at every timer and whenever
  a message is refused for lack of consent.

This file holds the workflow's entry points (run, updates, validators, query); the waits of its
main loop are in negotiation_waits.py, its state, texts and shared helpers in negotiation_core.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import negotiation as io
    from domain.french_dates import french_date
    from domain.negotiation.sharing import (
        SHARE_CATEGORY_SHORT_FR,
        MessageKind,
        ShareCategory,
    )
    from domain.negotiation.states import (
        DECISION_STATES,
        ENDED_STATES,
        ESCALATION_LABELS_FR,
        REPLY_STATES,
        EndOutcome,
        EscalationRoute,
        OfferParty,
        ReplyKind,
    )
    from domain.negotiation.timing import end_of_day, noon, paris_date
    from workflows.negotiation_messages import (
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
    from workflows.plumbing import SHORT, refusal_of, refused, run

from workflows.negotiation_core import (
    ACCEPTED,
    ALREADY_DECIDED,
    COUNTER_ALREADY_PAST,
    COUNTER_NOT_FOUND,
    COUNTER_REQUIRED,
    COUNTERED,
    DECISION_TOO_LATE,
    DRAFT,
    EXPIRED,
    LAPSED,
    NOT_OUR_DRAFT,
    NOT_THE_COUNTER,
    NOT_THE_REQUEST,
    NOTHING_TO_REVOKE,
    OFFER_IN_THE_PAST,
    ONLY_CLIENT,
    PAID_ON_FUTURE,
    PAID_ON_INVALID,
    PROGRESS,
    REFUSED,
    SEND_IN_PROGRESS,
    SENT,
    TASK,
    WITHDRAWN,
    S,
    failure_reason,
    is_consent_missing,
    validator_refusal,
)
from workflows.negotiation_waits import NegotiationWaits


@workflow.defn(name=NEGOTIATION_WORKFLOW)
class CreditorNegotiationWorkflow(NegotiationWaits):
    @workflow.init
    def __init__(self, arg: NegotiationInput) -> None:
        super().__init__(arg)

    @workflow.run
    async def run(self, arg: NegotiationInput) -> str:
        facts = await run(io.LOAD_NEGOTIATION_FACTS, io.NegotiationRef(self._id), SHORT)
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
            elif self._state in (S.CONSENT_PENDING, S.SUSPENDED):
                await self._await_consent(epoch)
            await self._until_changed(epoch)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.value

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
        validator_refusal(self._ended_refusal())

    @workflow.update(name=CONSENT_DECIDED_UPDATE)
    async def consent_decided(self, decision: ConsentDecided) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._decision_refusal(decision))
            if decision.given:
                await self._consent_given_now(decision.consent_id, decision.actor)
            else:
                self._decided_consents.add(decision.consent_id)
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
        validator_refusal(self._decision_refusal(decision))

    def _decision_refusal(self, decision: ConsentDecided) -> str | None:
        if decision.consent_id in self._decided_consents:
            return ALREADY_DECIDED
        return self._ended_refusal()

    @workflow.update(name=CONSENT_REVOKED_UPDATE)
    async def consent_revoked(self, revocation: ConsentRevoked) -> str:
        await self._ready()
        self._check(self._revocation_refusal())
        # At once, before waiting for anything: the timers stop, nothing more is sent.
        self._suspend()
        self._revoking += 1
        try:
            async with self._lock:
                await self._revoked(revocation.consent_id, revocation.actor)
        finally:
            self._revoking -= 1
        return self._state.value

    @consent_revoked.validator
    def _validate_consent_revoked(self, revocation: ConsentRevoked) -> None:
        validator_refusal(self._revocation_refusal())

    def _revocation_refusal(self) -> str | None:
        return self._ended_refusal() or (None if self._consent_given else NOTHING_TO_REVOKE)

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
        validator_refusal(self._send_offer_refusal())

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
            if is_consent_missing(exc):
                await self._withdrawn()  # Unless it was withdrawn without our knowing.
            raise refusal_of(exc) from None
        now = workflow.now()
        previous = self._offer_id
        await self._offer_status(offer.offer_id, SENT, sent_at=now)
        if previous and self._offer_pending:  # Unanswered (no response): replaced.
            await self._offer_status(previous, WITHDRAWN)
        self._round, self._offer_id = offer.round, offer.offer_id
        self._offer_pending = True
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
        validator_refusal(self._reply_refusal(reply))

    def _reply_refusal(self, reply: RecordReply) -> str | None:
        if reply.kind not in ReplyKind._value2member_map_:
            return f"Type de réponse inconnu : {reply.kind!r}."
        if reply.kind == ReplyKind.COUNTER_OFFER and not reply.counter_offer_id:
            return COUNTER_REQUIRED
        return self._state_refusal(REPLY_STATES, "d'enregistrer une réponse du créancier")

    async def _accepted(self, reply: RecordReply) -> None:
        assert self._offer_id is not None
        await self._offer_status(self._offer_id, ACCEPTED)
        self._offer_pending = False
        self._accepted_offer_id, self._agreed_at = self._offer_id, workflow.now()
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
            self._offer_pending = False
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
            self._offer_pending = False
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
                    if is_consent_missing(exc):
                        await self._withdrawn()
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
        validator_refusal(self._information_refusal(request))

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
            suspended = False
            try:
                await self._creditor_message(kind, f"{kind.value}:{counter}", offer_id=counter)
                told = "le créancier en est informé"
                task = False
            except ActivityError as exc:
                # Refused because the consent was withdrawn without our knowing: suspended.
                suspended = is_consent_missing(exc) and await self._withdrawn()
                told = (
                    f"le créancier n'a pas pu en être informé ({failure_reason(exc)}) : le prévenir"
                )
                task = True
            if suspended:
                verb = "accepte" if decision.accepted else "refuse"
                summary = f"le client {verb} la contre-proposition, {told}"
            elif decision.accepted:
                self._accepted_offer_id, self._agreed_at = counter, now
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
        validator_refusal(self._client_decision_refusal(decision))

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
            schedule = await run(
                io.CREATE_SCHEDULE, io.ScheduleRequest(self._id, self._accepted_offer_id), SHORT
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
        validator_refusal(self._state_refusal({S.AGREEMENT_PENDING}, "de confirmer un accord"))

    @workflow.update(name=RECORD_INSTALMENT_UPDATE)
    async def record_instalment(self, payment: InstalmentPaid) -> str:
        await self._ready()
        async with self._lock:
            self._check(self._instalment_refusal(payment))
            paid_on = date.fromisoformat(payment.paid_on) if payment.paid_on else None
            paid_at = noon(paid_on) if paid_on else workflow.now()
            await run(
                io.RECORD_INSTALMENT,
                io.InstalmentPayment(self._id, payment.number, payment.actor, paid_at),
                SHORT,
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
                + (f" le {french_date(paid_at)}" if paid_on else "")
                + (" : plan exécuté, négociation terminée" if done else ""),
                payment.actor,
            )
            if done:
                await self._email("negotiation_completed", "completed")
        return self._state.value

    @record_instalment.validator
    def _validate_record_instalment(self, payment: InstalmentPaid) -> None:
        validator_refusal(self._instalment_refusal(payment))

    def _instalment_refusal(self, payment: InstalmentPaid) -> str | None:
        refusal = self._state_refusal({S.PLAN_RUNNING}, "d'enregistrer un paiement")
        if refusal:
            return refusal
        if not 1 <= payment.number <= len(self._due_dates):
            return f"L'échéance n°{payment.number} n'existe pas dans ce plan."
        if payment.number in self._paid:
            return f"L'échéance n°{payment.number} est déjà enregistrée comme payée."
        return self._paid_on_refusal(payment.paid_on)

    def _paid_on_refusal(self, paid_on: str | None) -> str | None:
        if paid_on is None:
            return None
        try:
            day = date.fromisoformat(paid_on)
        except ValueError:
            return PAID_ON_INVALID
        if day > paris_date(workflow.now()):
            return PAID_ON_FUTURE
        if self._agreed_at is not None and day < paris_date(self._agreed_at):
            return (
                "La date de paiement ne peut pas précéder l'accord, conclu le "
                f"{french_date(self._agreed_at)}."
            )
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
        validator_refusal(self._escalation_refusal(request))

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
        validator_refusal(self._end_refusal(request))

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
