"""The negotiation scenarios make_histories.py records: a dossier through its negotiation phase,
and CreditorNegotiationWorkflows along each of their paths (read make_histories' docstring
before regenerating anything).

Each scenario gets its own database, SMTP catcher and worker on the shared time-skipping
server, a seeded dossier (support.negotiation) and returns the histories to save.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from make_histories import Saved, replay_settings
from sqlmodel import SQLModel
from support.analysis import settle_workflow
from support.db import in_db
from support.negotiation import (
    NegotiationSeed,
    creditor_email,
    draft_offer,
    give_consent,
    seed_negotiations,
)
from support.negotiation_driver import (
    OFFER_CATEGORIES,
    consent,
    consent_given,
    reaches,
    reply,
    revoke,
    send_offer,
    start_negotiation,
    status,
    today,
    update,
    wait_delivered,
)
from support.stack import free_port, smtp_catcher, wait_for_messages
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.dossier_stages import CreditorKind, Outcome, Stage
from domain.negotiation.consent_rules import ConsentMethod
from domain.negotiation.offer_terms import OfferTerms, ReplyTerms
from domain.negotiation.sharing import ShareCategory
from domain.negotiation.states import NegotiationState as S
from domain.negotiation.states import OfferType, ReplyKind
from domain.workflow_ids import dossier_workflow_id, negotiation_workflow_id
from gateway.start_intents import start_pending_intent
from models.database import engine_for, session_scope
from models.dossier import DossierCreditor
from models.staff import StaffUser
from security.codec import make_data_converter
from services.negotiations.consents import (
    REVOKED_BY_CLIENT,
    ConsentChoice,
    create_consent_request,
    decide_consent,
    revoke_consent,
)
from services.negotiations.replies import stage_reply
from services.negotiations.setup import open_negotiations
from services.negotiations.store import (
    end_reason,
    stage_consent_request,
    stage_end_reason,
    stage_offer,
)
from worker import build_worker
from workflows.dossier_messages import (
    CLOSE_UPDATE,
    RECORD_APPROVAL_UPDATE,
    STATUS_QUERY,
    SUBMIT_ANALYSIS_UPDATE,
    ApprovalRecord,
    CloseDossier,
    DossierStatus,
    SubmissionResult,
    SubmitAnalysis,
)
from workflows.negotiation_messages import (
    ADD_NEGOTIATION_UPDATE,
    CLIENT_DECISION_UPDATE,
    CONFIRM_AGREEMENT_UPDATE,
    CONSENT_DECIDED_UPDATE,
    CONSENT_REQUESTED_UPDATE,
    END_NEGOTIATION_UPDATE,
    ESCALATE_UPDATE,
    RECORD_INSTALMENT_UPDATE,
    RECORD_REPLY_UPDATE,
    SEND_INFORMATION_UPDATE,
    SEND_OFFER_UPDATE,
    AddNegotiation,
    ClientDecision,
    ConfirmAgreement,
    ConsentDecided,
    ConsentRequested,
    EndNegotiation,
    Escalate,
    InstalmentPaid,
    RecordReply,
    SendInformation,
    SendOffer,
)

CLIENT = "client@example.org"


@dataclass
class NegotiationScenario:
    env: WorkflowEnvironment
    client: Client
    settings: Settings
    seed: NegotiationSeed

    async def saved(self, handle: WorkflowHandle, name: str, description: str) -> Saved:
        """The history once the workflow rests; then it is stopped if it still runs, so that
        it cannot stall the scenarios after it on the shared time-skipping server."""
        await settle_workflow(self.client, handle)
        saved = Saved(name, description, await handle.fetch_history())
        with contextlib.suppress(RPCError):  # Already completed.
            await handle.terminate(reason="history recorded")
        return saved

    async def counter_offer(self, handle: WorkflowHandle, round: int, valid_days: int = 30) -> str:
        day = await today(self.env)
        counter = draft_offer(
            self.settings,
            self.seed.negotiation_ids[0],
            round=round,
            made_by="creditor",
            amount="1500.00",
            instalments=3,
            instalment_amount="500.00",
            valid_until=day + timedelta(days=valid_days),
            first_due_date=day + timedelta(days=25),
        )
        result = await reply(
            handle, self.settings, self.seed, "counter_offer", round=round, counter_offer_id=counter
        )
        assert result == S.COUNTER_OFFER
        return counter


async def _dossier_status(handle: WorkflowHandle) -> DossierStatus:
    result: DossierStatus = await handle.query(STATUS_QUERY, result_type=DossierStatus)
    return result


async def _dossier_until(handle: WorkflowHandle, check: Callable[[DossierStatus], bool]) -> None:
    for _ in range(400):
        if check(await _dossier_status(handle)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id}: {await _dossier_status(handle)}")


async def _refused(handle: WorkflowHandle, name: str, arg: object) -> None:
    try:
        await handle.execute_update(name, arg)
    except WorkflowUpdateFailedError:
        return
    raise AssertionError(f"update {name} was accepted")


# ----- scenarios ---------------------------------------------------------------------------------


async def dossier_negotiation_phase(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    assert await start_pending_intent(n.client, dossier_workflow_id(seed.dossier_id), settings)
    dossier = n.client.get_workflow_handle(dossier_workflow_id(seed.dossier_id))
    await _dossier_until(dossier, lambda s: s.stage == Stage.ANALYSIS)
    submitted = await dossier.execute_update(
        SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(seed.actor), result_type=SubmissionResult
    )
    approval = ApprovalRecord(seed.actor, "phone", submitted.submission)
    await dossier.execute_update(RECORD_APPROVAL_UPDATE, approval, result_type=str)
    await _dossier_until(dossier, lambda s: s.open_negotiations == 2)
    close = CloseDossier(outcome=Outcome.PARTIAL, actor=seed.actor)
    await _refused(dossier, CLOSE_UPDATE, close)
    with session_scope(settings) as session:
        session.add(
            DossierCreditor(
                dossier_id=seed.dossier_id, name="Télécom Exemple", kind=CreditorKind.TELECOM
            )
        )
        session.flush()
        ids = open_negotiations(session, seed.dossier_id, settings)
    add = AddNegotiation(negotiation_id=ids[-1], actor=seed.actor)
    assert await dossier.execute_update(ADD_NEGOTIATION_UPDATE, add, result_type=int) == 3
    seed = dataclasses.replace(seed, negotiation_ids=ids)
    children = [n.client.get_workflow_handle(negotiation_workflow_id(i)) for i in ids]
    first = children[0]
    await reaches(first, S.CONSENT_PENDING)
    await consent(first, settings, seed)
    await send_offer(
        first,
        n.env,
        settings,
        seed,
        offer_type="remission",
        amount="600.00",
        instalments=None,
        instalment_amount=None,
    )
    assert await reply(first, settings, seed, "accepted") == S.AGREEMENT_PENDING
    confirm = ConfirmAgreement(actor=seed.actor)
    assert await update(first, CONFIRM_AGREEMENT_UPDATE, confirm) == S.COMPLETED
    for child, outcome in ((children[1], "abandoned"), (children[2], "closed_unresolved")):
        await reaches(child, S.CONSENT_PENDING)
        await update(child, END_NEGOTIATION_UPDATE, EndNegotiation(outcome, seed.actor))
    for child in children:
        await child.result()
    await _dossier_until(dossier, lambda s: s.open_negotiations == 0)
    assert await dossier.execute_update(CLOSE_UPDATE, close, result_type=str) == Stage.CLOSED
    await wait_for_messages(settings, 12)
    return [
        await n.saved(
            dossier,
            "dossier_negotiation_phase",
            "Documents complete → analysis → submission → approval by phone → two negotiations "
            "opened as children; closure refused while they run; a third added; one completed "
            "(remission), one abandoned, one closed unresolved → closure.",
        ),
        await n.saved(
            first,
            "negotiation_remission_as_child",
            "A child negotiation: consent asked and given, remission offer sent, accepted, "
            "confirmed in writing → completed.",
        ),
    ]


async def negotiation_counter_offer_plan(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    handle = await start_negotiation(n.client, settings, seed)
    await consent(handle, settings, seed)
    await send_offer(handle, n.env, settings, seed, instalments=3)
    counter = await n.counter_offer(handle, round=1)
    await _refused(handle, CLIENT_DECISION_UPDATE, ClientDecision(counter, True, seed.actor))
    no = ClientDecision(counter, False, seed.client_actor)
    assert await update(handle, CLIENT_DECISION_UPDATE, no) == S.READY
    await send_offer(handle, n.env, settings, seed, round=2, amount="1350.00")
    counter = await n.counter_offer(handle, round=2)
    yes = ClientDecision(counter, True, seed.client_actor)
    assert await update(handle, CLIENT_DECISION_UPDATE, yes) == S.AGREEMENT_PENDING
    confirm = ConfirmAgreement(actor=seed.actor)
    assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
    await update(handle, RECORD_INSTALMENT_UPDATE, InstalmentPaid(1, seed.actor))
    # The second instalment (D+25 + 1 month) is paid late: one alert first. It was paid the
    # day before it is recorded; a payment dated tomorrow is refused.
    await n.env.sleep(timedelta(days=63))
    day = await today(n.env)
    tomorrow = InstalmentPaid(2, seed.actor, paid_on=(day + timedelta(days=1)).isoformat())
    await _refused(handle, RECORD_INSTALMENT_UPDATE, tomorrow)
    yesterday = InstalmentPaid(2, seed.actor, paid_on=(day - timedelta(days=1)).isoformat())
    await update(handle, RECORD_INSTALMENT_UPDATE, yesterday)
    await update(handle, RECORD_INSTALMENT_UPDATE, InstalmentPaid(3, seed.actor))
    assert await handle.result() == S.COMPLETED
    mail = await wait_delivered(settings, CLIENT, 8)
    assert "negotiation_instalment_missed" in mail, mail
    return [
        await n.saved(
            handle,
            "negotiation_counter_offer_plan",
            "Consent asked and given; offer; counter-offer refused by the client (a staff "
            "decision refused); second round; counter-offer accepted by the client; agreement; "
            "three instalments, one paid late after its alert (dated the day before; a date in "
            "the future refused) → completed.",
        )
    ]


async def negotiation_no_response_escalated(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    consent_given(settings, seed)
    handle = await start_negotiation(n.client, settings, seed)
    await reaches(handle, S.READY)
    await send_offer(handle, n.env, settings, seed, valid_days=90)
    for days in (15, 15, 15):
        await n.env.sleep(timedelta(days=days, hours=1))
    await reaches(handle, S.NO_RESPONSE)
    route = Escalate(route="ombudsman", actor=seed.actor)
    assert await update(handle, ESCALATE_UPDATE, route) == S.ESCALATED
    assert await handle.result() == S.ESCALATED
    return [
        await n.saved(
            handle,
            "negotiation_no_response_escalated",
            "Consent found at start; offer; follow-ups at D+15 and D+30; no response at D+45; "
            "escalated to the creditor's ombudsman.",
        )
    ]


async def negotiation_confirmation_followed_up(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    consent_given(settings, seed)
    handle = await start_negotiation(n.client, settings, seed)
    await reaches(handle, S.READY)
    await send_offer(handle, n.env, settings, seed)
    assert await reply(handle, settings, seed, "accepted") == S.AGREEMENT_PENDING
    for days in (15, 15, 15):
        await n.env.sleep(timedelta(days=days, hours=1))
    sent = await wait_delivered(settings, creditor_email(1), 3)
    assert sent.count("creditor_confirmation_request") == 2, sent
    confirm = ConfirmAgreement(actor=seed.actor)
    assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
    return [
        await n.saved(
            handle,
            "negotiation_confirmation_followed_up",
            "Consent found at start; offer accepted by the creditor; its written confirmation "
            "asked of the creditor at D+15 and D+30, overdue task at D+45; confirmed → plan.",
        )
    ]


async def negotiation_revoked_information_refused(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    handle = await start_negotiation(n.client, settings, seed)
    consent_id = await consent(handle, settings, seed)
    await send_offer(handle, n.env, settings, seed)
    await n.env.sleep(timedelta(days=5))
    assert await revoke(handle, settings, seed, consent_id) == S.SUSPENDED
    await n.env.sleep(timedelta(days=50))
    categories = [ShareCategory.IDENTITY, ShareCategory.DEBTS]
    # Asked again: refused by the client first, then given.
    for given in (False, True):
        asked = in_db(
            settings,
            create_consent_request,
            settings,
            negotiation_id=seed.negotiation_ids[0],
            categories=categories,
            document_ids=[],
            expires_at=None,
            actor=seed.actor,
        )
        await update(handle, CONSENT_REQUESTED_UPDATE, ConsentRequested(asked, seed.actor))
        in_db(
            settings,
            decide_consent,
            settings,
            asked,
            given=given,
            method=ConsentMethod.SIGNED_LINK,
            actor=seed.client_actor,
        )
        await update(handle, CONSENT_DECIDED_UPDATE, ConsentDecided(asked, given, seed.actor))
    await reaches(handle, S.READY)
    await send_offer(handle, n.env, settings, seed, round=2)
    # The creditor asks for the budget: the client is asked to extend the consent.
    extended = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=seed.negotiation_ids[0],
        categories=[*categories, ShareCategory.BUDGET],
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )
    state = await reply(
        handle,
        settings,
        seed,
        "information_requested",
        round=2,
        new_consent_id=extended,
        requested=[ShareCategory.BUDGET],
    )
    assert state == S.INFORMATION_REQUESTED
    in_db(
        settings,
        decide_consent,
        settings,
        extended,
        given=True,
        method=ConsentMethod.SIGNED_LINK,
        actor=seed.client_actor,
    )
    await update(handle, CONSENT_DECIDED_UPDATE, ConsentDecided(extended, True, seed.actor))
    pending = (await status(handle)).pending_information_reply_id
    assert pending is not None
    sent = await update(handle, SEND_INFORMATION_UPDATE, SendInformation(pending, seed.actor))
    assert sent == S.AWAITING_REPLY
    assert await reply(handle, settings, seed, "refused", round=2) == S.REFUSED
    end = EndNegotiation(outcome="closed_unresolved", actor=seed.actor)
    assert await update(handle, END_NEGOTIATION_UPDATE, end) == S.CLOSED_UNRESOLVED
    assert await handle.result() == S.CLOSED_UNRESOLVED
    return [
        await n.saved(
            handle,
            "negotiation_revoked_information_refused",
            "Offer; consent withdrawn at D+5 (suspended, mandate end, no follow-up); asked "
            "again: refused, then given → ready; second offer; information requested with an "
            "extended consent, given, information sent; refused; closed unresolved.",
        )
    ]


async def negotiation_expiry_lapse_broken(n: NegotiationScenario) -> list[Saved]:
    settings, seed = n.settings, n.seed
    give_consent(
        settings,
        seed.negotiation_ids[0],
        [ShareCategory.IDENTITY, ShareCategory.CONTACT, ShareCategory.DEBTS],
    )
    handle = await start_negotiation(n.client, settings, seed)
    await reaches(handle, S.READY)
    await send_offer(handle, n.env, settings, seed, valid_days=10)
    await n.env.sleep(timedelta(days=11))
    await reaches(handle, S.OFFER_EXPIRED)
    await n.counter_offer(handle, round=1)
    await n.env.sleep(timedelta(days=10, hours=1))
    await reaches(handle, S.OFFER_EXPIRED)
    await send_offer(handle, n.env, settings, seed, round=2, instalments=2, first_due_days=20)
    assert await reply(handle, settings, seed, "accepted", round=2) == S.AGREEMENT_PENDING
    confirm = ConfirmAgreement(actor=seed.actor)
    assert await update(handle, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
    await n.env.sleep(timedelta(days=26, hours=1))
    await n.env.sleep(timedelta(days=25))
    await reaches(handle, S.BROKEN)
    route = Escalate(route="banque_de_france", actor=seed.actor)
    assert await update(handle, ESCALATE_UPDATE, route) == S.ESCALATED
    assert await handle.result() == S.ESCALATED
    return [
        await n.saved(
            handle,
            "negotiation_expiry_lapse_broken",
            "Offer expired at its validity date; late counter-offer lapsed without the client's "
            "decision; second offer accepted; plan: instalment missed (alert), then broken at "
            "due + 30; escalated to the Banque de France.",
        )
    ]


async def negotiation_lost_notices(n: NegotiationScenario) -> list[Saved]:
    """The web app wrote each consent change but could not tell the workflow (Temporal down)."""
    settings, seed = n.settings, n.seed
    negotiation_id = seed.negotiation_ids[0]
    handle = await start_negotiation(n.client, settings, seed)
    await settle_workflow(n.client, handle)  # It has looked for a consent: none yet.
    await reaches(handle, S.CONSENT_PENDING)
    asked = in_db(
        settings,
        create_consent_request,
        settings,
        negotiation_id=negotiation_id,
        categories=list(OFFER_CATEGORIES),
        document_ids=[],
        expires_at=None,
        actor=seed.actor,
    )
    in_db(
        settings,
        decide_consent,
        settings,
        asked,
        given=True,
        method=ConsentMethod.SIGNED_LINK,
        actor=seed.client_actor,
    )
    await n.env.sleep(timedelta(days=1, hours=1))
    await reaches(handle, S.READY)
    await send_offer(handle, n.env, settings, seed)
    in_db(
        settings,
        revoke_consent,
        settings,
        asked,
        actor=seed.client_actor,
        channel=REVOKED_BY_CLIENT,
    )
    await n.env.sleep(timedelta(days=15, hours=1))
    await reaches(handle, S.SUSPENDED)
    give_consent(settings, negotiation_id, OFFER_CATEGORIES)
    await n.env.sleep(timedelta(days=2, hours=1))
    await reaches(handle, S.READY)
    end = EndNegotiation(outcome="abandoned", actor=seed.actor)
    assert await update(handle, END_NEGOTIATION_UPDATE, end) == S.ABANDONED
    assert await handle.result() == S.ABANDONED
    mail = await wait_delivered(settings, CLIENT, 5)
    assert mail.count("negotiation_suspended") == 1, mail
    return [
        await n.saved(
            handle,
            "negotiation_lost_notices",
            "Consent given but not notified: found by the daily re-read → ready; offer; "
            "consent withdrawn but not notified: found at the first follow-up (D+15) → "
            "suspended, mandate end, offer withdrawn, no follow-up; consent given again, not "
            "notified: found the next day → ready; abandoned.",
        )
    ]


@dataclass
class NegotiationRecording:
    scenario: Callable[[NegotiationScenario], Awaitable[list[Saved]]]
    creditors: int = 1
    # False: the dossier workflow approves the budget and opens the negotiations itself.
    approved: bool = True

    @property
    def name(self) -> str:
        return self.scenario.__name__


async def negotiation_staged_writes(n: NegotiationScenario) -> list[Saved]:
    """Every staff action staged as the pages stage it (domain/staged_writes.py), applied by the
    workflow once accepted (patch "staged-writes"); a write of nobody's is refused."""
    settings, seed = n.settings, n.seed
    negotiation_id = seed.negotiation_ids[0]
    staff = in_db(settings, lambda session: session.get(StaffUser, seed.staff_id))
    assert staff is not None
    handle = await start_negotiation(n.client, settings, seed)
    await reaches(handle, S.CONSENT_PENDING)
    choice = ConsentChoice([ShareCategory.IDENTITY, ShareCategory.DEBTS], [], None)
    asked = in_db(settings, stage_consent_request, settings, staff, negotiation_id, choice)
    request = ConsentRequested(asked.row_id, seed.actor, asked.staged_write_id)
    await update(handle, CONSENT_REQUESTED_UPDATE, request)
    in_db(
        settings,
        decide_consent,
        settings,
        asked.row_id,
        given=True,
        method=ConsentMethod.SIGNED_LINK,
        actor=seed.client_actor,
    )
    given = ConsentDecided(asked.row_id, True, seed.client_actor)
    assert await update(handle, CONSENT_DECIDED_UPDATE, given) == S.READY
    day = await today(n.env)
    terms = OfferTerms(
        offer_type=OfferType.PAYMENT_PLAN,
        amount=Decimal("1200.00"),
        balance_share=None,
        instalments=12,
        instalment_amount=Decimal("100.00"),
        first_due_date=day + timedelta(days=30),
        valid_until=day + timedelta(days=60),
    )
    offer = in_db(settings, stage_offer, settings, staff, negotiation_id, terms)
    sent = SendOffer(offer.row_id, seed.actor, offer.staged_write_id)
    assert await update(handle, SEND_OFFER_UPDATE, sent) == S.AWAITING_REPLY
    counter_terms = dataclasses.replace(
        terms, amount=Decimal("1500.00"), instalments=10, instalment_amount=Decimal("150.00")
    )
    creditor_reply = ReplyTerms(
        kind=ReplyKind.COUNTER_OFFER,
        received_on=day,
        channel="post",
        terms="Contre-proposition en dix mensualités.",
        requested_categories=(),
        counter_offer=counter_terms,
    )
    staged = in_db(settings, stage_reply, settings, staff, negotiation_id, creditor_reply, [])
    recorded = RecordReply(
        staged.reply_id,
        ReplyKind.COUNTER_OFFER.value,
        seed.actor,
        counter_offer_id=staged.counter_offer_id,
        staged_write_id=staged.staged_write_id,
    )
    assert await update(handle, RECORD_REPLY_UPDATE, recorded) == S.COUNTER_OFFER
    nobodys = EndNegotiation("abandoned", seed.actor, "0" * 32)
    await _refused(handle, END_NEGOTIATION_UPDATE, nobodys)
    reason = in_db(
        settings, stage_end_reason, settings, staff, negotiation_id, "Dette soldée par un tiers."
    )
    ended = EndNegotiation("abandoned", seed.actor, reason)
    assert await update(handle, END_NEGOTIATION_UPDATE, ended) == S.ABANDONED
    assert in_db(settings, end_reason, settings, negotiation_id) == "Dette soldée par un tiers."
    assert await handle.result() == S.ABANDONED
    return [
        await n.saved(
            handle,
            "negotiation_staged_writes",
            "Staged consent request applied with its update; consent given by the client; a "
            "staged offer applied once sent; a staged counter-offer reply applied after its "
            "checks; an end naming a write of nobody's refused; the staged reason applied with "
            "the end → abandoned.",
        )
    ]


NEGOTIATION_SCENARIOS = [
    NegotiationRecording(dossier_negotiation_phase, creditors=2, approved=False),
    NegotiationRecording(negotiation_counter_offer_plan),
    NegotiationRecording(negotiation_no_response_escalated),
    NegotiationRecording(negotiation_revoked_information_refused),
    NegotiationRecording(negotiation_expiry_lapse_broken),
    NegotiationRecording(negotiation_lost_notices),
    NegotiationRecording(negotiation_staged_writes),
    NegotiationRecording(negotiation_confirmation_followed_up),
]


async def run_negotiation_scenario(
    env: WorkflowEnvironment, recording: NegotiationRecording, data_dir: Path
) -> list[Saved]:
    port = free_port()
    settings = replay_settings(data_dir, smtp_port=port, task_queue=f"histories-{data_dir.name}")
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    client = Client(
        env.client.service_client,
        namespace=env.client.namespace,
        data_converter=make_data_converter(settings),
    )
    stage = Stage.NEGOTIATION if recording.approved else None
    seed = seed_negotiations(
        settings, creditors=recording.creditors, approved=recording.approved, stage=stage
    )
    with smtp_catcher(settings.mailbox_dir, port):
        async with build_worker(client, settings):
            return await recording.scenario(NegotiationScenario(env, client, settings, seed))
