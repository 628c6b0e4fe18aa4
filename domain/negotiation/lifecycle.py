"""One creditor negotiation as its workflow keeps it (`CreditorNegotiationState`), and the
transitions every step goes through: pure, no Temporal.

Every state change bumps `epoch`; the workflow's waits end as soon as it moves, so a withdrawal
(or any reply) stops the timers at once. While a withdrawal is being handled (`revoking`), a step
that was already running may only end the negotiation, never move it out of SUSPENDED.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from domain.negotiation.states import ENDED_STATES, NegotiationState


@dataclass(frozen=True)
class NegotiationDelays:
    """From the settings, read once when the negotiation starts (days)."""

    follow_up_days: tuple[int, ...]
    no_response_days: int
    counter_offer_decision_days: int
    instalment_grace_days: int
    instalment_broken_after_days: int


@dataclass
class CreditorNegotiationState:
    negotiation_id: str
    dossier_id: str
    state: NegotiationState = NegotiationState.CONSENT_PENDING
    # Bumped on every state change (and payment): the waits end when it moves.
    epoch: int = 0
    # The facts read at the start (delays, consent) are known: handlers may run.
    started: bool = False
    delays: NegotiationDelays | None = None
    round: int = 0
    consent_id: str | None = None
    consent_given: bool = False
    decided_consents: set[str] = field(default_factory=set)
    # Withdrawals being handled: other steps may then only end the negotiation.
    revoking: int = 0
    # A message to the creditor is being sent (from before its first await).
    sending: bool = False
    offer_id: str | None = None
    # Our current offer is out, awaiting the creditor's answer (its row says "sent").
    offer_pending: bool = False
    offer_expires_at: datetime | None = None
    accepted_offer_id: str | None = None
    # When the creditor (or the client, on a counter-offer) accepted: no payment before it.
    agreed_at: datetime | None = None
    counter_offer_id: str | None = None
    decision_deadline: datetime | None = None
    information_reply_id: str | None = None
    # The current reply wait: its number (idempotency keys) and when its timers started.
    wait: int = 0
    wait_started_at: datetime | None = None
    due_dates: list[date] = field(default_factory=list)
    paid: set[int] = field(default_factory=set)
    missed_alerted: set[int] = field(default_factory=set)
    route: str | None = None
    next_deadline: datetime | None = None
    next_deadline_label: str | None = None
    # When the negotiation entered its current state (as last recorded): the waits that are
    # somebody's to end are counted from it.
    state_since: datetime | None = None
    recorded_state: NegotiationState | None = None

    @property
    def ended(self) -> bool:
        return self.state in ENDED_STATES

    @property
    def unpaid_instalments(self) -> list[int]:
        return [n for n in range(1, len(self.due_dates) + 1) if n not in self.paid]

    def move_to(self, state: NegotiationState) -> None:
        # While a withdrawal is being handled, a step that was running may only end it.
        if self.revoking and state not in ENDED_STATES:
            return
        self.state = state
        self.epoch += 1

    def is_current(self, epoch: int) -> bool:
        """Nothing moved since `epoch` was read, and no withdrawal is being handled."""
        return self.epoch == epoch and not self.revoking

    def suspend(self) -> None:
        """A withdrawn consent: at once, whatever else is running."""
        self.state = NegotiationState.SUSPENDED
        self.epoch += 1
        self.consent_given = False

    def give_consent(self, consent_id: str) -> None:
        """A consent given governs sharing from now on; waiting for it (or suspended), the
        negotiation is ready."""
        self.decided_consents.add(consent_id)
        self.consent_id, self.consent_given = consent_id, True
        if self.state in (NegotiationState.CONSENT_PENDING, NegotiationState.SUSPENDED):
            self.move_to(NegotiationState.READY)

    def offer_sent(self, offer_id: str, round_number: int, expires_at: datetime) -> None:
        self.round, self.offer_id = round_number, offer_id
        self.offer_pending = True
        self.offer_expires_at = expires_at
        self.accepted_offer_id = None
        self.move_to(NegotiationState.OFFER_SENT)

    def start_reply_wait(self, start: datetime) -> None:
        """Our message is out: the follow-ups and the "no response" count from `start`."""
        self.wait += 1
        self.wait_started_at = start
        self.move_to(NegotiationState.AWAITING_REPLY)

    def agreed(self, offer_id: str, at: datetime) -> None:
        """The creditor accepted our offer, or the client the creditor's counter-offer."""
        self.accepted_offer_id, self.agreed_at = offer_id, at
        self.move_to(NegotiationState.AGREEMENT_PENDING)

    def plan_confirmed(self, due_dates: list[date]) -> None:
        """The written confirmation arrived: the plan runs, or there is nothing left to pay."""
        self.due_dates = due_dates
        self.paid, self.missed_alerted = set(), set()
        self.move_to(NegotiationState.PLAN_RUNNING if due_dates else NegotiationState.COMPLETED)

    def instalment_paid(self, number: int) -> bool:
        """True when it was the last one: the plan is executed, the negotiation completed."""
        self.paid.add(number)
        self.epoch += 1  # The plan's timers are counted again.
        done = len(self.paid) == len(self.due_dates)
        if done:
            self.move_to(NegotiationState.COMPLETED)
        return done

    def counter_offer_cleared(self) -> None:
        """No counter-offer awaits the client's decision any more."""
        self.counter_offer_id, self.decision_deadline = None, None
