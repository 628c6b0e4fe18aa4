"""What the CreditorNegotiationWorkflow's main loop waits for: the reply timers (follow-ups, no
response, offer expiry), the client's decision deadline, the repayment plan's alerts, and, while
consent is awaited or withdrawn, a daily look at the database; and how a consent found given or
withdrawn there is handled (the same way as the web app's updates).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.contracts import negotiation as io
    from domain.negotiation.sharing import MessageKind
    from domain.negotiation.states import ENDED_STATES
    from workflows.plumbing import SHORT, run_local

from workflows.negotiation_core import (
    CONSENT_RECHECK,
    EXPIRED,
    FOLLOW_UP,
    LAPSED,
    MISSED,
    OFFER_EXPIRY,
    PROGRESS,
    TASK,
    WITHDRAWN,
    NegotiationCore,
    S,
    failure_reason,
    is_consent_missing,
)


class NegotiationWaits(NegotiationCore):
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
                if not self._current(epoch) or await self._withdrawn():
                    return
                if event == FOLLOW_UP:
                    await self._follow_up(wait, number)
                elif event == OFFER_EXPIRY:
                    await self._offer_expired(wait)
                else:
                    await self._no_response(wait)

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
            if is_consent_missing(exc) and await self._withdrawn():
                return
            kind = TASK
            summary = (
                f"relance n°{number} non envoyée ({failure_reason(exc)}) : relancer le créancier "
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
        self._offer_pending = False
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
            if await self._withdrawn():
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
                if not self._current(epoch) or number in self._paid or await self._withdrawn():
                    return
                if kind == MISSED:
                    self._missed_alerted.add(number)
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

    # ----- what the database says about consent (notices the web app could not send) -----------

    async def _await_consent(self, epoch: int) -> None:
        """Waiting for a consent (pending, or suspended after a withdrawal): re-read it daily.

        The web app records the client's decision first, then tells the workflow; if Temporal
        was unavailable at that moment, the consent given is found here within a day. A local
        activity: a day costs a timer and a marker in the history, nothing more.
        """
        while await self._until(workflow.now() + CONSENT_RECHECK, epoch):
            async with self._lock:
                if not self._current(epoch):
                    return
                given = (await self._consent_facts()).consent_id
                if given and given not in self._decided_consents:
                    await self._consent_given_now(given, "system")
                    return

    async def _withdrawn(self) -> bool:
        """Whether the consent we act on was withdrawn without the workflow being told (the
        notice was lost); if so, handled exactly as the consent_revoked update would have been.

        Called with the lock held, at each timer of a waiting state and when a message to the
        creditor is refused for lack of consent. True when the negotiation is now suspended.
        """
        if not self._consent_given or self._consent_id is None or self._state in ENDED_STATES:
            return False
        given = (await self._consent_facts()).consent_id
        if given == self._consent_id:
            return False
        if given is not None:  # A newer consent (an extension) governs now.
            if given not in self._decided_consents:
                await self._consent_given_now(given, "system")
            self._consent_id = given
            return False
        withdrawn = self._consent_id
        self._suspend()
        self._revoking += 1
        try:
            await self._revoked(withdrawn, "system")
        finally:
            self._revoking -= 1
        return True

    async def _consent_facts(self) -> io.NegotiationFacts:
        return await run_local(io.LOAD_NEGOTIATION_FACTS, io.NegotiationRef(self._id), SHORT)

    async def _consent_given_now(self, consent_id: str, actor: str) -> None:
        """A consent given (told by the web app, or found in the database): it governs sharing
        from now on; waiting for it (or suspended), the negotiation is ready; a receipt."""
        self._decided_consents.add(consent_id)
        self._consent_id, self._consent_given = consent_id, True
        if self._state in (S.CONSENT_PENDING, S.SUSPENDED):
            self._set_state(S.READY)
        await self._record(
            f"consent_given:{consent_id}",
            PROGRESS,
            "consentement donné par le client"
            + (
                " : les informations demandées peuvent être envoyées"
                if self._state == S.INFORMATION_REQUESTED
                else ""
            ),
            actor,
        )
        await self._consent_receipt(consent_id)

    def _suspend(self) -> None:
        self._state = S.SUSPENDED
        self._epoch += 1
        self._consent_given = False

    async def _revoked(self, key: str, actor: str) -> None:
        """After a withdrawal (update, or found in the database): the record, the offers it
        voids, the creditor told the mandate ended, the client emailed. Keyed by the consent:
        once per withdrawal whichever way it was learnt."""
        ended = self._state in ENDED_STATES  # Ended by a step that was running meanwhile.
        await self._record(
            f"consent_revoked:{key}",
            PROGRESS,
            "consentement retiré"
            + ("" if ended else " : négociation suspendue, plus rien n'est envoyé au créancier"),
            actor,
        )
        # Our offer awaiting an answer, and the client's pending decision, are void.
        if self._offer_pending and self._offer_id is not None:
            await self._offer_status(self._offer_id, WITHDRAWN)
            self._offer_pending = False
        if self._counter_offer_id is not None:
            await self._offer_status(self._counter_offer_id, WITHDRAWN)
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
                f"fin du mandat non notifiée ({failure_reason(exc)}) : prévenir le créancier",
            )
        if not ended:
            await self._email("negotiation_suspended", f"suspended:{key}")
