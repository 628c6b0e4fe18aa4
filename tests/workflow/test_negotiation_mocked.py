"""CreditorNegotiationWorkflow's state machine against fake activities (same names, canned
results, every call recorded) on the time-skipping server: no database, no SMTP, no PDF.

The real activities are covered by test_negotiation_workflow.py and its neighbours; these check
the workflow's own transitions, timers and refusals quickly. Each test ends its workflow
(finish_workflow): one left waiting for a worker stalls the shared server.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from support.analysis import finish_workflow
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.contracts import dossier as dossier_io
from activities.contracts import negotiation as io
from config.settings import Settings
from domain.negotiation.refusals import NOT_OUR_DRAFT, NOTHING_TO_REVOKE, ONLY_CLIENT, not_now
from domain.negotiation.states import NegotiationState as S
from domain.negotiation.states import OfferStatus
from domain.workflow_ids import negotiation_workflow_id
from workflows.negotiation import CreditorNegotiationWorkflow
from workflows.negotiation_messages import (
    CLIENT_DECISION_UPDATE,
    CONFIRM_AGREEMENT_UPDATE,
    CONSENT_DECIDED_UPDATE,
    CONSENT_REVOKED_UPDATE,
    END_NEGOTIATION_UPDATE,
    NEGOTIATION_STATUS_QUERY,
    NEGOTIATION_WORKFLOW,
    RECORD_INSTALMENT_UPDATE,
    RECORD_REPLY_UPDATE,
    SEND_OFFER_UPDATE,
    ClientDecision,
    ConfirmAgreement,
    ConsentDecided,
    ConsentRevoked,
    EndNegotiation,
    InstalmentPaid,
    NegotiationInput,
    NegotiationStatus,
    RecordReply,
    SendOffer,
)
from workflows.plumbing import TRANSITION_REFUSED

STAFF = "staff:1"
CLIENT = "client:1"


@pytest.fixture
async def today(time_env: WorkflowEnvironment) -> date:
    """The test server's day: earlier tests of the session may have skipped years ahead."""
    return (await time_env.get_current_time()).date()


def _offer(offer_id: str, today: date, made_by: str = "us", round_number: int = 1) -> io.OfferFacts:
    valid_until = today + timedelta(days=60)
    return io.OfferFacts(
        offer_id, round_number, made_by, "payment_plan", "draft", valid_until.isoformat(), 2
    )


@dataclass
class FakeNegotiationActivities:
    """Canned answers; `calls` lists (activity name, detail) in the order the workflow asked."""

    today: date
    consent_id: str | None = "c1"
    offers: dict[str, io.OfferFacts] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def _called(self, name: str, detail: str = "") -> None:
        self.calls.append((name, detail))

    @activity.defn(name=io.LOAD_NEGOTIATION_FACTS.name)
    async def load_negotiation_facts(self, ref: io.NegotiationRef) -> io.NegotiationFacts:
        self._called(io.LOAD_NEGOTIATION_FACTS.name)
        return io.NegotiationFacts(
            follow_up_days=[7],
            no_response_days=14,
            counter_offer_decision_days=5,
            instalment_grace_days=5,
            instalment_broken_after_days=30,
            consent_id=self.consent_id,
        )

    @activity.defn(name=io.RECORD_NEGOTIATION_PROGRESS.name)
    async def record_negotiation_progress(self, record: io.NegotiationProgress) -> None:
        self._called(io.RECORD_NEGOTIATION_PROGRESS.name, record.state)

    @activity.defn(name=io.SEND_CREDITOR_MESSAGE.name)
    async def send_creditor_message(self, message: io.CreditorMessage) -> io.CreditorMessageSent:
        self._called(io.SEND_CREDITOR_MESSAGE.name, message.kind)
        return io.CreditorMessageSent(
            message_id=f"<{message.idempotency_key}>", channel="email", categories=["identity"]
        )

    @activity.defn(name=io.SEND_NEGOTIATION_EMAIL.name)
    async def send_negotiation_email(self, email: io.NegotiationEmail) -> dossier_io.EmailOutcome:
        self._called(io.SEND_NEGOTIATION_EMAIL.name, email.template)
        return dossier_io.EmailOutcome(message_id=f"<{email.idempotency_key}>", sent_now=True)

    @activity.defn(name=io.SEND_CONSENT_RECEIPT.name)
    async def send_consent_receipt(self, receipt: io.ConsentReceipt) -> dossier_io.EmailOutcome:
        self._called(io.SEND_CONSENT_RECEIPT.name, receipt.consent_id)
        return dossier_io.EmailOutcome(message_id=f"<{receipt.idempotency_key}>", sent_now=True)

    @activity.defn(name=io.LOAD_OFFER.name)
    async def load_offer(self, ref: io.OfferRef) -> io.OfferFacts:
        self._called(io.LOAD_OFFER.name, ref.offer_id)
        return self.offers[ref.offer_id]

    @activity.defn(name=io.SET_OFFER_STATUS.name)
    async def set_offer_status(self, change: io.OfferStatusChange) -> None:
        self._called(io.SET_OFFER_STATUS.name, f"{change.offer_id}:{change.status}")
        self.offers[change.offer_id].status = change.status

    @activity.defn(name=io.CREATE_SCHEDULE.name)
    async def create_schedule(self, request: io.ScheduleRequest) -> io.RepaymentSchedule:
        self._called(io.CREATE_SCHEDULE.name, request.offer_id)
        first = self.today + timedelta(days=30)
        return io.RepaymentSchedule([first.isoformat(), (first + timedelta(days=30)).isoformat()])

    @activity.defn(name=io.RECORD_INSTALMENT.name)
    async def record_instalment(self, payment: io.InstalmentPayment) -> None:
        self._called(io.RECORD_INSTALMENT.name, str(payment.number))

    def functions(self) -> list[Callable[..., Any]]:
        return [
            self.load_negotiation_facts,
            self.record_negotiation_progress,
            self.send_creditor_message,
            self.send_negotiation_email,
            self.send_consent_receipt,
            self.load_offer,
            self.set_offer_status,
            self.create_schedule,
            self.record_instalment,
        ]

    def details(self, name: str) -> list[str]:
        return [detail for called, detail in self.calls if called == name]


def _worker(client: Client, settings: Settings, fakes: FakeNegotiationActivities) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[CreditorNegotiationWorkflow],
        activities=fakes.functions(),
    )


async def _start(client: Client, settings: Settings) -> WorkflowHandle:
    negotiation_id = uuid.uuid4().hex
    return await client.start_workflow(
        NEGOTIATION_WORKFLOW,
        NegotiationInput(negotiation_id=negotiation_id, dossier_id="d1"),
        id=negotiation_workflow_id(negotiation_id),
        task_queue=settings.task_queue,
        result_type=str,
    )


async def _reaches(handle: WorkflowHandle, state: S, timeout: float = 20.0) -> NegotiationStatus:
    deadline = time.monotonic() + timeout
    while True:
        status: NegotiationStatus = await handle.query(
            NEGOTIATION_STATUS_QUERY, result_type=NegotiationStatus
        )
        if status.state == state or time.monotonic() > deadline:
            assert status.state == state, status
            return status
        await asyncio.sleep(0.05)


async def _update(handle: WorkflowHandle, name: str, arg: object) -> str:
    result: str = await handle.execute_update(name, arg, result_type=str)
    return result


async def _refusal(handle: WorkflowHandle, name: str, arg: object) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(name, arg)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError), cause
    return cause


async def test_an_offer_is_followed_up_then_accepted_late_and_its_plan_paid(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings, today: date
) -> None:
    fakes = FakeNegotiationActivities(today, offers={"o1": _offer("o1", today)})
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _reaches(handle, S.READY)
        assert await _update(handle, SEND_OFFER_UPDATE, SendOffer("o1", STAFF)) == S.AWAITING_REPLY
        status = await _reaches(handle, S.AWAITING_REPLY)
        assert (status.round, status.current_offer_id) == (1, "o1")
        assert status.next_deadline_label == "Relance n°1 du créancier"

        await time_env.sleep(timedelta(days=8))
        status = await _reaches(handle, S.AWAITING_REPLY)
        assert status.next_deadline_label == "Sans réponse du créancier : suite à décider"
        await time_env.sleep(timedelta(days=7))
        await _reaches(handle, S.NO_RESPONSE)

        # A late acceptance still counts.
        accepted = RecordReply("r1", "accepted", STAFF)
        assert await _update(handle, RECORD_REPLY_UPDATE, accepted) == S.AGREEMENT_PENDING
        assert await _update(handle, CONFIRM_AGREEMENT_UPDATE, ConfirmAgreement(STAFF)) == (
            S.PLAN_RUNNING
        )
        status = await _reaches(handle, S.PLAN_RUNNING)
        assert status.unpaid_instalments == [1, 2]
        assert status.next_deadline_label == "Échéance n°1 du plan"
        await _update(handle, RECORD_INSTALMENT_UPDATE, InstalmentPaid(2, STAFF))
        last = InstalmentPaid(1, STAFF)
        assert await _update(handle, RECORD_INSTALMENT_UPDATE, last) == S.COMPLETED
        assert await handle.result() == S.COMPLETED

    assert fakes.details(io.SEND_CREDITOR_MESSAGE.name) == ["offer", "follow_up"]
    assert fakes.details(io.SET_OFFER_STATUS.name) == ["o1:sent", "o1:accepted"]
    assert fakes.details(io.SEND_NEGOTIATION_EMAIL.name) == [
        "negotiation_offer_sent",
        "negotiation_no_response",
        "negotiation_agreement",
        "negotiation_completed",
    ]
    assert fakes.details(io.RECORD_INSTALMENT.name) == ["2", "1"]
    assert fakes.details(io.RECORD_NEGOTIATION_PROGRESS.name)[-1] == S.COMPLETED


async def test_requests_out_of_turn_are_refused_with_the_reason(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings, today: date
) -> None:
    fakes = FakeNegotiationActivities(
        today, consent_id=None, offers={"theirs": _offer("theirs", today, made_by="creditor")}
    )
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _reaches(handle, S.CONSENT_PENDING)
        # Validators: rejected before anything is recorded.
        refused = await _refusal(handle, SEND_OFFER_UPDATE, SendOffer("theirs", STAFF))
        assert refused.message == not_now("d'envoyer une offre", S.CONSENT_PENDING)
        refused = await _refusal(handle, CONSENT_REVOKED_UPDATE, ConsentRevoked("c1", STAFF))
        assert refused.message == NOTHING_TO_REVOKE
        refused = await _refusal(
            handle, CLIENT_DECISION_UPDATE, ClientDecision("theirs", True, STAFF)
        )
        assert refused.message == ONLY_CLIENT

        given = ConsentDecided("c2", True, CLIENT)
        assert await _update(handle, CONSENT_DECIDED_UPDATE, given) == S.READY
        # Handler: the offer is read first, then refused; the negotiation carries on.
        refused = await _refusal(handle, SEND_OFFER_UPDATE, SendOffer("theirs", STAFF))
        assert (refused.message, refused.type) == (NOT_OUR_DRAFT, TRANSITION_REFUSED)
        await _reaches(handle, S.READY)

        ended = EndNegotiation("abandoned", STAFF)
        assert await _update(handle, END_NEGOTIATION_UPDATE, ended) == S.ABANDONED
        assert await handle.result() == S.ABANDONED

    assert fakes.details(io.SEND_CONSENT_RECEIPT.name) == ["c2"]
    assert fakes.details(io.LOAD_OFFER.name) == ["theirs"]
    assert fakes.details(io.SEND_CREDITOR_MESSAGE.name) == []
    assert fakes.details(io.SEND_NEGOTIATION_EMAIL.name) == ["negotiation_closed"]


async def test_a_withdrawn_consent_suspends_at_once_and_voids_the_offer(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings, today: date
) -> None:
    fakes = FakeNegotiationActivities(today, offers={"o1": _offer("o1", today)})
    async with _worker(wf_client, wf_settings, fakes):
        handle = await _start(wf_client, wf_settings)
        await _reaches(handle, S.READY)
        await _update(handle, SEND_OFFER_UPDATE, SendOffer("o1", STAFF))
        withdrawn = ConsentRevoked("c1", CLIENT)
        assert await _update(handle, CONSENT_REVOKED_UPDATE, withdrawn) == S.SUSPENDED
        status = await _reaches(handle, S.SUSPENDED)
        assert status.consent_given is False
        # No reply timer runs; the wait is on the client, and says so.
        assert status.next_deadline is not None
        assert (status.next_deadline_label or "").startswith("Client : nouveau consentement")
        # No follow-up while suspended: the reply timers stopped.
        await time_env.sleep(timedelta(days=8))
        await _reaches(handle, S.SUSPENDED)
        await finish_workflow(wf_client, handle)

    assert fakes.offers["o1"].status == OfferStatus.WITHDRAWN
    assert fakes.details(io.SEND_CREDITOR_MESSAGE.name) == ["offer", "mandate_end"]
    assert fakes.details(io.SEND_NEGOTIATION_EMAIL.name) == [
        "negotiation_offer_sent",
        "negotiation_suspended",
    ]
