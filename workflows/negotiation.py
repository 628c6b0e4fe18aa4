"""CreditorNegotiationWorkflow: one negotiation with one creditor, child of the dossier.

Consent gate (nothing leaves without a given consent; the sending activity re-checks it in the
database), offer rounds, the creditor's replies, the client's decision on a counter-offer, reply
timers and follow-ups, offer expiry, agreement and repayment plan; a withdrawn consent
suspends it at once.

How it stays correct:
- every state change goes through CreditorNegotiationState.move_to, which bumps its epoch; every
  wait of the main loop ends as soon as the epoch moves, so a revocation (or any reply) stops
  the timers at once;
- every step that changes state runs under `_lock`, and re-checks the state once it holds it;
- a consent withdrawal takes effect before it waits for the lock: what was running finishes
  its sending (the activity re-checks consent before each SMTP attempt), but cannot move the
  negotiation out of SUSPENDED except to end it;
- client emails that cannot be delivered become a task on the timeline, never a failure;
- what the web app wrote but could not tell (Temporal down) is found in the database: a consent
  given, re-read daily while one is awaited; a withdrawal, checked at every timer and whenever
  a message is refused for lack of consent.

This file is the orchestration; the state, its transitions, the refusal rules, the timetables
and the timeline's wording are in domain/negotiation/ (lifecycle, refusals, timetable, timeline).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import negotiation as io
    from domain.french_dates import french_date
    from domain.french_text import counted
    from domain.negotiation.lifecycle import CreditorNegotiationState, NegotiationDelays
    from domain.negotiation.refusals import (
        agreement_refusal,
        client_decision_refusal,
        consent_decision_refusal,
        counter_offer_refusal,
        draft_refusal,
        end_refusal,
        ended_refusal,
        escalation_refusal,
        information_refusal,
        instalment_refusal,
        offer_round_refusal,
        reply_refusal,
        revocation_refusal,
        send_offer_refusal,
    )
    from domain.negotiation.sharing import MessageKind
    from domain.negotiation.states import (
        ESCALATION_LABELS_FR,
        EndOutcome,
        EscalationRoute,
        NegotiationState,
        OfferStatus,
        ReplyKind,
    )
    from domain.negotiation.timeline import (
        EntryKind,
        email_label,
        failure_reason,
        offer_sent_summary,
        operator_stage,
    )
    from domain.negotiation.timetable import (
        PlanEvent,
        ReplyEvent,
        confirmation_events,
        counter_offer_deadline,
        next_deadline,
        next_plan_alert,
        reply_events,
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
    from workflows.plumbing import (
        EMAIL,
        RENDERING,
        SHORT,
        apply_staged_write,
        business_refusal,
        publish_search_attributes,
        refusal_of,
        refuse_if,
        reject_if,
        run,
        run_local,
        wait_until,
    )

S = NegotiationState
# Every wait shows who it is on and until when; an agreement awaiting the creditor's written
# confirmation is followed up (histories recorded before it replay without).
EVERY_WAIT_PATCH = "every-wait-has-a-deadline"
# The confirmation's follow-ups are messages to the creditor, as an offer's are (before it,
# tasks for the case worker).
CONFIRMATION_REQUEST_PATCH = "confirmation-follow-up-to-the-creditor"
# The client's acceptance of a counter-offer is receipted by email (histories recorded before it
# replay without).
ACCEPTANCE_RECEIPT_PATCH = "counter-offer-acceptance-receipt"
TASK, PROGRESS = EntryKind.TASK, EntryKind.PROGRESS
# While waiting for the client's consent (or suspended), the database is re-read this often: a
# decision the web app recorded but could not tell the workflow (Temporal down) is not lost.
CONSENT_RECHECK = timedelta(days=1)


def is_consent_missing(exc: ActivityError) -> bool:
    """The creditor message was refused because no consent covers it (now)."""
    cause = business_refusal(exc)
    return cause is not None and cause.type == io.CONSENT_MISSING


def why_not_sent(exc: ActivityError) -> str:
    cause = business_refusal(exc)
    return failure_reason(cause.message if cause is not None else None)


def delays_of(facts: io.NegotiationFacts) -> NegotiationDelays:
    return NegotiationDelays(
        follow_up_days=tuple(facts.follow_up_days),
        no_response_days=facts.no_response_days,
        counter_offer_decision_days=facts.counter_offer_decision_days,
        instalment_grace_days=facts.instalment_grace_days,
        instalment_broken_after_days=facts.instalment_broken_after_days,
    )


@workflow.defn(name=NEGOTIATION_WORKFLOW)
class CreditorNegotiationWorkflow:
    @workflow.init
    def __init__(self, arg: NegotiationInput) -> None:
        self._negotiation = CreditorNegotiationState(arg.negotiation_id, arg.dossier_id)
        self._lock = asyncio.Lock()
        # What the search attributes say now (upserted only when it changes).
        self._published: tuple[str, datetime | None] | None = None

    @workflow.run
    async def run(self, arg: NegotiationInput) -> str:
        negotiation = self._negotiation
        facts = await run(
            io.LOAD_NEGOTIATION_FACTS, io.NegotiationRef(negotiation.negotiation_id), SHORT
        )
        async with self._lock:
            negotiation.delays = delays_of(facts)
            if facts.consent_id:
                negotiation.give_consent(facts.consent_id)
            await self._record(
                "opened",
                PROGRESS,
                "négociation ouverte"
                + (
                    " : consentement déjà donné, offre à préparer"
                    if negotiation.consent_given
                    else " : consentement du client à demander"
                ),
            )
            negotiation.started = True
        while not negotiation.ended:
            epoch = negotiation.epoch
            if negotiation.state == S.AWAITING_REPLY:
                await self._await_reply(epoch)
            elif negotiation.state == S.COUNTER_OFFER:
                await self._await_decision(epoch)
            elif negotiation.state == S.PLAN_RUNNING:
                await self._await_plan(epoch)
            elif negotiation.state in (S.CONSENT_PENDING, S.SUSPENDED):
                await self._await_consent(epoch)
            elif negotiation.state == S.AGREEMENT_PENDING and workflow.patched(EVERY_WAIT_PATCH):
                await self._await_confirmation(epoch)
            await self._until_changed(epoch)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return negotiation.state.value

    # ----- waits of the main loop ----------------------------------------------------------------

    async def _until(self, moment: datetime, epoch: int) -> bool:
        """Wait until `moment`; False as soon as anything changed the negotiation's state."""
        negotiation = self._negotiation
        await wait_until(moment, lambda: negotiation.epoch != epoch)
        return negotiation.epoch == epoch

    async def _until_changed(self, epoch: int) -> None:
        await workflow.wait_condition(lambda: self._negotiation.epoch != epoch)

    async def _await_reply(self, epoch: int) -> None:
        negotiation = self._negotiation
        wait = negotiation.wait
        for moment, event, number in reply_events(negotiation):
            if not await self._until(moment, epoch):
                return
            async with self._lock:
                if not negotiation.is_current(epoch) or await self._withdrawn():
                    return
                if event == ReplyEvent.FOLLOW_UP:
                    await self._follow_up(wait, number)
                elif event == ReplyEvent.OFFER_EXPIRY:
                    await self._offer_expired(wait)
                else:
                    await self._no_response(wait)

    async def _follow_up(self, wait: int, number: int) -> None:
        await self._chase_creditor(
            MessageKind.FOLLOW_UP,
            f"follow_up:{wait}:{number}",
            number,
            self._negotiation.offer_id,
            sent=f"relance n°{number} envoyée au créancier",
            not_sent=f"relance n°{number} non envoyée ({{why}}) : relancer le créancier "
            "autrement ou mettre fin à la négociation",
        )

    async def _chase_creditor(
        self,
        kind: MessageKind,
        key: str,
        number: int,
        offer_id: str | None,
        *,
        sent: str,
        not_sent: str,
    ) -> None:
        """Follow-up `number` to the creditor, recorded under `key`: progress when it left, a
        task saying why (`not_sent` with {why}) when it could not; nothing once the consent
        turns out withdrawn (the negotiation is suspended instead)."""
        try:
            await self._creditor_message(kind, key, offer_id=offer_id, follow_up=number)
            entry, summary = PROGRESS, sent
        except ActivityError as exc:
            if is_consent_missing(exc) and await self._withdrawn():
                return
            entry, summary = TASK, not_sent.format(why=why_not_sent(exc))
        await self._record(key, entry, summary)

    async def _no_response(self, wait: int) -> None:
        self._negotiation.move_to(S.NO_RESPONSE)
        await self._record(
            f"no_response:{wait}",
            TASK,
            "aucune réponse du créancier : nouvelle offre, saisine du médiateur ou fin de la "
            "négociation à décider",
        )
        await self._email(
            "negotiation_no_response", f"no_response:{wait}", offer_id=self._negotiation.offer_id
        )

    async def _offer_expired(self, wait: int) -> None:
        negotiation = self._negotiation
        offer_id = negotiation.offer_id
        assert offer_id is not None
        await self._offer_status(offer_id, OfferStatus.EXPIRED)
        negotiation.offer_pending = False
        negotiation.move_to(S.OFFER_EXPIRED)
        await self._record(
            f"offer_expired:{wait}",
            TASK,
            f"l'offre n°{negotiation.round} est arrivée à expiration sans réponse : nouvelle offre "
            "ou autre suite à décider",
        )
        await self._email(
            "negotiation_offer_expired", f"offer_expired:{offer_id}", offer_id=offer_id
        )

    async def _await_confirmation(self, epoch: int) -> None:
        """An agreement the creditor has not confirmed in writing yet: the creditor is asked
        for it on the reply wait's days, then the case worker told that it is overdue."""
        negotiation = self._negotiation
        for moment, event, number in confirmation_events(negotiation):
            if not await self._until(moment, epoch):
                return
            async with self._lock:
                if not negotiation.is_current(epoch):
                    return
                key = f"confirmation:{negotiation.round}:{event}:{number}"
                if event != ReplyEvent.FOLLOW_UP:
                    summary = (
                        "confirmation écrite de l'accord toujours pas reçue : relancer le "
                        "créancier par un autre moyen, ou mettre fin à la négociation"
                    )
                    await self._record(key, TASK, summary)
                elif workflow.patched(CONFIRMATION_REQUEST_PATCH):
                    await self._chase_creditor(
                        MessageKind.CONFIRMATION_REQUEST,
                        key,
                        number,
                        negotiation.accepted_offer_id,
                        sent=f"relance n°{number} envoyée au créancier : confirmation écrite de "
                        "l'accord demandée",
                        not_sent=f"relance n°{number} pour la confirmation écrite de l'accord "
                        "non envoyée ({why}) : relancer le créancier autrement",
                    )
                else:
                    summary = (
                        "confirmation écrite de l'accord pas encore reçue : relancer le créancier "
                        f"(relance n°{number})"
                    )
                    await self._record(key, TASK, summary)

    async def _await_decision(self, epoch: int) -> None:
        negotiation = self._negotiation
        assert negotiation.decision_deadline is not None
        if not await self._until(negotiation.decision_deadline, epoch):
            return
        async with self._lock:
            if not negotiation.is_current(epoch) or negotiation.counter_offer_id is None:
                return
            if await self._withdrawn():
                return
            counter = negotiation.counter_offer_id
            await self._offer_status(counter, OfferStatus.LAPSED)
            negotiation.counter_offer_cleared()
            negotiation.move_to(S.OFFER_EXPIRED)
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
        negotiation = self._negotiation
        while True:
            alert = next_plan_alert(negotiation)
            if alert is None:
                return
            moment, event, number = alert
            if not await self._until(moment, epoch):
                return
            async with self._lock:
                if (
                    not negotiation.is_current(epoch)
                    or number in negotiation.paid
                    or await self._withdrawn()
                ):
                    return
                if event == PlanEvent.MISSED:
                    negotiation.missed_alerted.add(number)
                    await self._record(
                        f"instalment_missed:{number}",
                        TASK,
                        f"échéance n°{number} non payée après le délai de grâce : contacter le "
                        "client",
                        missed_instalment=number,
                    )
                    await self._email(
                        "negotiation_instalment_missed",
                        f"instalment_missed:{number}",
                        instalment_number=number,
                    )
                else:
                    negotiation.move_to(S.BROKEN)
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

    # ----- consent: what the web app says, and what the database says -----------------------------

    @workflow.update(name=CONSENT_REQUESTED_UPDATE)
    async def consent_requested(self, request: ConsentRequested) -> str:
        await self._ready()
        async with self._lock:
            refuse_if(ended_refusal(self._negotiation))
            await self._apply(request.staged_write_id)
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
        return self._negotiation.state.value

    @consent_requested.validator
    def _validate_consent_requested(self, request: ConsentRequested) -> None:
        reject_if(ended_refusal(self._negotiation))

    @workflow.update(name=CONSENT_DECIDED_UPDATE)
    async def consent_decided(self, decision: ConsentDecided) -> str:
        await self._ready()
        async with self._lock:
            refuse_if(consent_decision_refusal(self._negotiation, decision.consent_id))
            await self._apply(decision.staged_write_id)
            if decision.given:
                await self._consent_given_now(decision.consent_id, decision.actor)
            else:
                self._negotiation.decided_consents.add(decision.consent_id)
                await self._record(
                    f"consent_refused:{decision.consent_id}",
                    TASK,
                    "le client a refusé le partage : relancer ou abandonner",
                    decision.actor,
                )
                await self._consent_receipt(decision.consent_id)
        return self._negotiation.state.value

    @consent_decided.validator
    def _validate_consent_decided(self, decision: ConsentDecided) -> None:
        reject_if(consent_decision_refusal(self._negotiation, decision.consent_id))

    @workflow.update(name=CONSENT_REVOKED_UPDATE)
    async def consent_revoked(self, revocation: ConsentRevoked) -> str:
        negotiation = self._negotiation
        await self._ready()
        refuse_if(revocation_refusal(negotiation))
        # At once, before waiting for anything: the timers stop, nothing more is sent.
        negotiation.suspend()
        negotiation.revoking += 1
        try:
            async with self._lock:
                await self._revoked(revocation.consent_id, revocation.actor)
        finally:
            negotiation.revoking -= 1
        return negotiation.state.value

    @consent_revoked.validator
    def _validate_consent_revoked(self, revocation: ConsentRevoked) -> None:
        reject_if(revocation_refusal(self._negotiation))

    async def _await_consent(self, epoch: int) -> None:
        """Waiting for a consent (pending, or suspended after a withdrawal): re-read it daily.

        The web app records the client's decision first, then tells the workflow; if Temporal
        was unavailable at that moment, the consent given is found here within a day. A local
        activity: a day costs a timer and a marker in the history, nothing more.
        """
        negotiation = self._negotiation
        while await self._until(workflow.now() + CONSENT_RECHECK, epoch):
            async with self._lock:
                if not negotiation.is_current(epoch):
                    return
                given = (await self._consent_facts()).consent_id
                if given and given not in negotiation.decided_consents:
                    await self._consent_given_now(given, "system")
                    return

    async def _withdrawn(self) -> bool:
        """Whether the consent we act on was withdrawn without the workflow being told (the
        notice was lost); if so, handled exactly as the consent_revoked update would have been.

        Called with the lock held, at each timer of a waiting state and when a message to the
        creditor is refused for lack of consent. True when the negotiation is now suspended.
        """
        negotiation = self._negotiation
        if not negotiation.consent_given or negotiation.consent_id is None or negotiation.ended:
            return False
        given = (await self._consent_facts()).consent_id
        if given == negotiation.consent_id:
            return False
        if given is not None:  # A newer consent (an extension) governs now.
            if given not in negotiation.decided_consents:
                await self._consent_given_now(given, "system")
            negotiation.consent_id = given
            return False
        withdrawn = negotiation.consent_id
        negotiation.suspend()
        negotiation.revoking += 1
        try:
            await self._revoked(withdrawn, "system")
        finally:
            negotiation.revoking -= 1
        return True

    async def _consent_facts(self) -> io.NegotiationFacts:
        ref = io.NegotiationRef(self._negotiation.negotiation_id)
        return await run_local(io.LOAD_NEGOTIATION_FACTS, ref, SHORT)

    async def _consent_given_now(self, consent_id: str, actor: str) -> None:
        """A consent given (told by the web app, or found in the database): it governs sharing
        from now on; waiting for it (or suspended), the negotiation is ready; a receipt."""
        negotiation = self._negotiation
        negotiation.give_consent(consent_id)
        await self._record(
            f"consent_given:{consent_id}",
            PROGRESS,
            "consentement donné par le client"
            + (
                " : les informations demandées peuvent être envoyées"
                if negotiation.state == S.INFORMATION_REQUESTED
                else ""
            ),
            actor,
        )
        await self._consent_receipt(consent_id)

    async def _revoked(self, key: str, actor: str) -> None:
        """After a withdrawal (update, or found in the database): the record, the offers it
        voids, the creditor told the mandate ended, the client emailed. Keyed by the consent:
        once per withdrawal whichever way it was learnt."""
        negotiation = self._negotiation
        ended = negotiation.ended  # Ended by a step that was running meanwhile.
        await self._record(
            f"consent_revoked:{key}",
            PROGRESS,
            "consentement retiré"
            + ("" if ended else " : négociation suspendue, plus rien n'est envoyé au créancier"),
            actor,
        )
        # Our offer awaiting an answer, and the client's pending decision, are void.
        if negotiation.offer_pending and negotiation.offer_id is not None:
            await self._offer_status(negotiation.offer_id, OfferStatus.WITHDRAWN)
            negotiation.offer_pending = False
        if negotiation.counter_offer_id is not None:
            await self._offer_status(negotiation.counter_offer_id, OfferStatus.WITHDRAWN)
            negotiation.counter_offer_cleared()
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
                f"fin du mandat non notifiée ({why_not_sent(exc)}) : prévenir le créancier",
            )
        if not ended:
            await self._email("negotiation_suspended", f"suspended:{key}")

    # ----- offers and replies ---------------------------------------------------------------------

    @workflow.update(name=SEND_OFFER_UPDATE)
    async def send_offer(self, request: SendOffer) -> str:
        negotiation = self._negotiation
        await self._ready()
        # Set before the first await: a second send accepted at the same time sees it.
        refuse_if(send_offer_refusal(negotiation))
        negotiation.sending = True
        try:
            async with self._lock:
                refuse_if(offer_round_refusal(negotiation))
                await self._send_offer(request)
        finally:
            negotiation.sending = False
        return negotiation.state.value

    @send_offer.validator
    def _validate_send_offer(self, request: SendOffer) -> None:
        reject_if(send_offer_refusal(self._negotiation))

    async def _send_offer(self, request: SendOffer) -> None:
        negotiation = self._negotiation
        offer = await self._load_offer(request.offer_id)
        today = paris_date(workflow.now())
        refuse_if(
            draft_refusal(
                negotiation,
                offer.made_by,
                offer.status,
                offer.round,
                offer.valid_until_date,
                today,
            )
        )
        try:
            sent = await self._creditor_message(
                MessageKind.OFFER, f"offer:{offer.offer_id}", offer_id=offer.offer_id
            )
        except ActivityError as exc:  # No consent, creditor unreachable: nothing changed.
            if is_consent_missing(exc):
                await self._withdrawn()  # Unless it was withdrawn without our knowing.
            raise refusal_of(exc) from None
        await self._apply(request.staged_write_id)
        now = workflow.now()
        previous = negotiation.offer_id
        await self._offer_status(offer.offer_id, OfferStatus.SENT, sent_at=now)
        if previous and negotiation.offer_pending:  # Unanswered (no response): replaced.
            await self._offer_status(previous, OfferStatus.WITHDRAWN)
        negotiation.offer_sent(offer.offer_id, offer.round, end_of_day(offer.valid_until_date))
        await self._record(
            f"offer_sent:{offer.offer_id}",
            PROGRESS,
            offer_sent_summary(offer.round, sent.categories),
            request.actor,
        )
        await self._email(
            "negotiation_offer_sent", f"offer_sent:{offer.offer_id}", offer_id=offer.offer_id
        )
        await self._start_reply_wait(now)

    async def _start_reply_wait(self, start: datetime) -> None:
        self._negotiation.start_reply_wait(start)
        await self._record(f"awaiting_reply:{self._negotiation.wait}", None, "")

    @workflow.update(name=RECORD_REPLY_UPDATE)
    async def record_reply(self, reply: RecordReply) -> str:
        await self._ready()
        async with self._lock:
            refuse_if(self._reply_refusal(reply))
            kind = ReplyKind(reply.kind)
            if kind != ReplyKind.COUNTER_OFFER:  # A counter-offer is checked first.
                await self._apply(reply.staged_write_id)
            if kind == ReplyKind.ACCEPTED:
                await self._accepted(reply)
            elif kind == ReplyKind.COUNTER_OFFER:
                await self._countered(reply)
            elif kind == ReplyKind.INFORMATION_REQUESTED:
                await self._information_requested(reply)
            else:
                await self._refused_by_creditor(reply)
        return self._negotiation.state.value

    @record_reply.validator
    def _validate_record_reply(self, reply: RecordReply) -> None:
        reject_if(self._reply_refusal(reply))

    def _reply_refusal(self, reply: RecordReply) -> str | None:
        return reply_refusal(self._negotiation, reply.kind, reply.counter_offer_id)

    async def _accepted(self, reply: RecordReply) -> None:
        negotiation = self._negotiation
        assert negotiation.offer_id is not None
        await self._offer_status(negotiation.offer_id, OfferStatus.ACCEPTED)
        negotiation.offer_pending = False
        negotiation.agreed(negotiation.offer_id, workflow.now())
        await self._record(
            f"reply:{reply.reply_id}",
            TASK,
            f"le créancier accepte l'offre n°{negotiation.round} : obtenir la confirmation écrite",
            reply.actor,
        )

    async def _countered(self, reply: RecordReply) -> None:
        negotiation = self._negotiation
        assert negotiation.delays is not None and reply.counter_offer_id is not None
        counter = await self._load_offer(reply.counter_offer_id)
        now = workflow.now()
        deadline = counter_offer_deadline(now, negotiation.delays, counter.valid_until_date)
        refuse_if(counter_offer_refusal(counter.made_by, counter.status, deadline, now))
        await self._apply(reply.staged_write_id)
        if negotiation.offer_id is not None:
            await self._offer_status(negotiation.offer_id, OfferStatus.COUNTERED)
            negotiation.offer_pending = False
        await self._offer_status(counter.offer_id, OfferStatus.SENT, decision_deadline=deadline)
        negotiation.counter_offer_id, negotiation.decision_deadline = counter.offer_id, deadline
        negotiation.move_to(S.COUNTER_OFFER)
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
        self._negotiation.information_reply_id = reply.reply_id
        self._negotiation.move_to(S.INFORMATION_REQUESTED)
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
        negotiation = self._negotiation
        if negotiation.offer_id is not None:
            await self._offer_status(negotiation.offer_id, OfferStatus.REFUSED)
            negotiation.offer_pending = False
        negotiation.move_to(S.REFUSED)
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
        negotiation = self._negotiation
        await self._ready()
        refuse_if(information_refusal(negotiation, request.reply_id))
        negotiation.sending = True
        try:
            async with self._lock:
                refuse_if(information_refusal(negotiation, request.reply_id, sending=False))
                try:
                    await self._creditor_message(
                        MessageKind.INFORMATION,
                        f"information:{request.reply_id}",
                        reply_id=request.reply_id,
                        offer_id=negotiation.offer_id,
                    )
                except ActivityError as exc:
                    if is_consent_missing(exc):
                        await self._withdrawn()
                    raise refusal_of(exc) from None
                negotiation.information_reply_id = None
                await self._record(
                    f"information_sent:{request.reply_id}",
                    PROGRESS,
                    "informations demandées envoyées au créancier",
                    request.actor,
                )
                await self._start_reply_wait(workflow.now())
        finally:
            negotiation.sending = False
        return negotiation.state.value

    @send_information.validator
    def _validate_send_information(self, request: SendInformation) -> None:
        reject_if(information_refusal(self._negotiation, request.reply_id))

    @workflow.update(name=CLIENT_DECISION_UPDATE)
    async def client_decision(self, decision: ClientDecision) -> str:
        negotiation = self._negotiation
        await self._ready()
        async with self._lock:
            refuse_if(self._client_decision_refusal(decision))
            counter = decision.offer_id
            now = workflow.now()
            choice = OfferStatus.ACCEPTED if decision.accepted else OfferStatus.REFUSED
            await self._offer_status(counter, choice, client_decision=choice, decided_at=now)
            negotiation.counter_offer_cleared()
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
                    f"le créancier n'a pas pu en être informé ({why_not_sent(exc)}) : le prévenir"
                )
                task = True
            if suspended:
                verb = "accepte" if decision.accepted else "refuse"
                summary = f"le client {verb} la contre-proposition, {told}"
            elif decision.accepted:
                negotiation.agreed(counter, now)
                summary = (
                    f"le client accepte la contre-proposition, {told} ; obtenir la "
                    "confirmation écrite"
                )
                task = True
            else:
                negotiation.move_to(S.READY)
                summary = f"le client refuse la contre-proposition, {told}"
            await self._record(
                f"client_decision:{counter}", TASK if task else PROGRESS, summary, decision.actor
            )
            if decision.accepted and workflow.patched(ACCEPTANCE_RECEIPT_PATCH):
                # Keyed by the offer: a decision is taken once, so is its receipt.
                await self._email(
                    "negotiation_counter_accepted", f"counter_accepted:{counter}", offer_id=counter
                )
        return negotiation.state.value

    @client_decision.validator
    def _validate_client_decision(self, decision: ClientDecision) -> None:
        reject_if(self._client_decision_refusal(decision))

    def _client_decision_refusal(self, decision: ClientDecision) -> str | None:
        return client_decision_refusal(
            self._negotiation, decision.actor, decision.offer_id, workflow.now()
        )

    # ----- agreement and plan ---------------------------------------------------------------------

    @workflow.update(name=CONFIRM_AGREEMENT_UPDATE)
    async def confirm_agreement(self, request: ConfirmAgreement) -> str:
        negotiation = self._negotiation
        await self._ready()
        async with self._lock:
            refuse_if(agreement_refusal(negotiation))
            await self._apply(request.staged_write_id)
            offer_id = negotiation.accepted_offer_id
            assert offer_id is not None
            schedule = await run(
                io.CREATE_SCHEDULE,
                io.ScheduleRequest(negotiation.negotiation_id, offer_id),
                SHORT,
            )
            negotiation.plan_confirmed(schedule.dates)
            if negotiation.due_dates:
                summary = (
                    "accord confirmé par écrit : plan de "
                    f"{counted(len(negotiation.due_dates), 'échéance')} en cours"
                )
            else:
                summary = "accord confirmé par écrit : négociation terminée"
            if request.document_id:
                summary += " (confirmation écrite jointe au dossier)"
            await self._record("agreement", PROGRESS, summary, request.actor)
            await self._email("negotiation_agreement", "agreement", offer_id=offer_id)
            if negotiation.state == S.COMPLETED:
                await self._email("negotiation_completed", "completed")
        return negotiation.state.value

    @confirm_agreement.validator
    def _validate_confirm_agreement(self, request: ConfirmAgreement) -> None:
        reject_if(agreement_refusal(self._negotiation))

    @workflow.update(name=RECORD_INSTALMENT_UPDATE)
    async def record_instalment(self, payment: InstalmentPaid) -> str:
        negotiation = self._negotiation
        await self._ready()
        async with self._lock:
            refuse_if(self._instalment_refusal(payment))
            paid_on = date.fromisoformat(payment.paid_on) if payment.paid_on else None
            paid_at = noon(paid_on) if paid_on else workflow.now()
            await run(
                io.RECORD_INSTALMENT,
                io.InstalmentPayment(
                    negotiation.negotiation_id, payment.number, payment.actor, paid_at
                ),
                SHORT,
            )
            done = negotiation.instalment_paid(payment.number)
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
        return negotiation.state.value

    @record_instalment.validator
    def _validate_record_instalment(self, payment: InstalmentPaid) -> None:
        reject_if(self._instalment_refusal(payment))

    def _instalment_refusal(self, payment: InstalmentPaid) -> str | None:
        return instalment_refusal(
            self._negotiation, payment.number, payment.paid_on, workflow.now()
        )

    # ----- ends -----------------------------------------------------------------------------------

    @workflow.update(name=ESCALATE_UPDATE)
    async def escalate(self, request: Escalate) -> str:
        negotiation = self._negotiation
        await self._ready()
        async with self._lock:
            refuse_if(escalation_refusal(negotiation, request.route))
            route = EscalationRoute(request.route)
            await self._void_counter()
            negotiation.route = route.value
            negotiation.move_to(S.ESCALATED)
            await self._record(
                "escalated",
                PROGRESS,
                f"négociation terminée, orientée vers un recours : {ESCALATION_LABELS_FR[route]}",
                request.actor,
            )
            await self._email("negotiation_escalated", "escalated")
        return negotiation.state.value

    @escalate.validator
    def _validate_escalate(self, request: Escalate) -> None:
        reject_if(escalation_refusal(self._negotiation, request.route))

    @workflow.update(name=END_NEGOTIATION_UPDATE)
    async def end_negotiation(self, request: EndNegotiation) -> str:
        negotiation = self._negotiation
        await self._ready()
        async with self._lock:
            refuse_if(end_refusal(negotiation, request.outcome))
            await self._apply(request.staged_write_id)
            outcome = EndOutcome(request.outcome)
            await self._void_counter()
            negotiation.move_to(S(outcome.value))
            await self._record(
                "ended",
                PROGRESS,
                "négociation abandonnée"
                if outcome == EndOutcome.ABANDONED
                else "négociation terminée sans accord",
                request.actor,
            )
            await self._email("negotiation_closed", "closed")
        return negotiation.state.value

    @end_negotiation.validator
    def _validate_end_negotiation(self, request: EndNegotiation) -> None:
        reject_if(end_refusal(self._negotiation, request.outcome))

    async def _void_counter(self) -> None:
        counter = self._negotiation.counter_offer_id
        if counter is not None:
            await self._offer_status(counter, OfferStatus.LAPSED)
            self._negotiation.counter_offer_cleared()

    # ----- query ----------------------------------------------------------------------------------

    @workflow.query(name=NEGOTIATION_STATUS_QUERY)
    def status(self) -> NegotiationStatus:
        negotiation = self._negotiation
        return NegotiationStatus(
            state=negotiation.state.value,
            round=negotiation.round,
            consent_id=negotiation.consent_id,
            consent_given=negotiation.consent_given,
            current_offer_id=negotiation.offer_id,
            counter_offer_id=negotiation.counter_offer_id,
            decision_deadline=negotiation.decision_deadline,
            pending_information_reply_id=negotiation.information_reply_id,
            next_deadline=negotiation.next_deadline,
            next_deadline_label=negotiation.next_deadline_label,
            unpaid_instalments=negotiation.unpaid_instalments,
        )

    # ----- the read model and the activities every step uses --------------------------------------

    async def _ready(self) -> None:
        """Handlers wait for the facts (delays, consent) read when the negotiation starts."""
        await workflow.wait_condition(lambda: self._negotiation.started)

    async def _record(
        self,
        event: str,
        kind: EntryKind | None,
        summary: str,
        actor: str = "system",
        missed_instalment: int = 0,
    ) -> None:
        """The read model follows the workflow: state, round, next deadline, and (with a kind)
        one timeline entry for this event; the search attributes too."""
        negotiation = self._negotiation
        # Histories from before this patch replay with the deadlines they showed then.
        every_wait = workflow.patched(EVERY_WAIT_PATCH)
        if every_wait and negotiation.recorded_state != negotiation.state:
            negotiation.state_since, negotiation.recorded_state = workflow.now(), negotiation.state
        negotiation.next_deadline, negotiation.next_deadline_label = next_deadline(
            negotiation, workflow.now(), every_wait=every_wait
        )
        self._publish()
        await run(
            io.RECORD_NEGOTIATION_PROGRESS,
            io.NegotiationProgress(
                negotiation_id=negotiation.negotiation_id,
                event_key=f"{workflow.info().workflow_id}:{event}" if kind else "",
                state=negotiation.state.value,
                event_kind=kind or "",
                summary=summary,
                next_deadline=negotiation.next_deadline,
                next_deadline_label=negotiation.next_deadline_label,
                actor=actor,
                ended=negotiation.ended,
                escalation_route=negotiation.route,
                round=negotiation.round,
                missed_instalment=missed_instalment,
                missed_alerted_at=workflow.now() if missed_instalment else None,
            ),
            SHORT,
        )

    def _publish(self) -> None:
        """CravelynosStage "negotiation:<state>" and CravelynosNextDeadline, for operators."""
        negotiation = self._negotiation
        published = (negotiation.state.value, negotiation.next_deadline)
        if published == self._published:
            return
        self._published = published
        publish_search_attributes(operator_stage(negotiation.state), negotiation.next_deadline)

    async def _apply(self, staged_write_id: str | None) -> None:
        """The rows the web app staged for this update become data, now it is accepted."""
        negotiation = self._negotiation
        await apply_staged_write(
            staged_write_id, negotiation.dossier_id, negotiation.negotiation_id
        )

    async def _load_offer(self, offer_id: str) -> io.OfferFacts:
        try:
            return await run(io.LOAD_OFFER, io.OfferRef(offer_id), SHORT)
        except ActivityError as exc:
            raise refusal_of(exc) from None

    async def _offer_status(self, offer_id: str, status: OfferStatus, **change: Any) -> None:
        change_record = io.OfferStatusChange(offer_id=offer_id, status=status, **change)
        await run(io.SET_OFFER_STATUS, change_record, SHORT)

    async def _creditor_message(
        self, kind: MessageKind, event: str, **ids: Any
    ) -> io.CreditorMessageSent:
        """ActivityError when refused (ConsentMissing, CreditorUnreachable): callers decide."""
        message = io.CreditorMessage(
            negotiation_id=self._negotiation.negotiation_id,
            kind=kind.value,
            idempotency_key=f"{workflow.info().workflow_id}:{event}",
            **ids,
        )
        return await run(io.SEND_CREDITOR_MESSAGE, message, RENDERING)

    async def _email(self, template: str, event: str, **ids: Any) -> None:
        """A progress email to the client; one that cannot be delivered becomes a task."""
        email = io.NegotiationEmail(
            negotiation_id=self._negotiation.negotiation_id,
            template=template,
            idempotency_key=f"{workflow.info().workflow_id}:{event}",
            **ids,
        )
        try:
            await run(io.SEND_NEGOTIATION_EMAIL, email, EMAIL)
        except ActivityError as exc:
            await self._record(
                f"email_failed:{event}",
                TASK,
                f"courriel au client non remis ({email_label(template)}, {why_not_sent(exc)}) : "
                "le prévenir par un autre moyen",
            )

    async def _consent_receipt(self, consent_id: str) -> None:
        receipt = io.ConsentReceipt(
            consent_id=consent_id,
            idempotency_key=f"{workflow.info().workflow_id}:consent_receipt:{consent_id}",
        )
        try:
            await run(io.SEND_CONSENT_RECEIPT, receipt, RENDERING)
        except ActivityError:
            await self._record(
                f"receipt_failed:{consent_id}",
                TASK,
                "reçu de consentement non remis au client : le lui transmettre autrement",
            )
