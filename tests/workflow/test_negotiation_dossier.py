"""The negotiation phase inside the dossier's life, on the time-skipping server: once the client
approves the strategy the DossierWorkflow opens one negotiation per creditor, each a
CreditorNegotiationWorkflow child, and refuses to close while any of them has not ended.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select
from support.analysis import finish_workflow
from support.negotiation import NegotiationSeed, creditor_email, seed_negotiations
from support.negotiation_driver import (
    consent,
    delivered,
    instalments,
    negotiation_row,
    own_test_server,
    reaches,
    refusal,
    reply,
    send_offer,
    timeline,
    update,
    wait_delivered,
)
from support.stack import wait_for_messages
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.dossier_lifecycle import (
    NEGOTIATION_ALREADY_RUNNING,
    NEGOTIATION_OF_ANOTHER_DOSSIER,
    NOT_NEGOTIATING,
    negotiations_open_refusal,
)
from domain.dossier_stages import CreditorKind, Outcome, Stage
from domain.negotiation.states import NegotiationState as S
from domain.workflow_ids import dossier_workflow_id, negotiation_workflow_id
from gateway.start_intents import start_pending_intent
from models.database import session_scope
from models.dossier import DossierCreditor, TimelineEvent
from models.negotiation import Negotiation
from services.negotiations.setup import open_negotiations
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
    CONFIRM_AGREEMENT_UPDATE,
    END_NEGOTIATION_UPDATE,
    RECORD_INSTALMENT_UPDATE,
    AddNegotiation,
    ConfirmAgreement,
    EndNegotiation,
    InstalmentPaid,
)


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """This module's own server (see own_test_server); wf_client connects to it."""
    async with own_test_server() as env:
        yield env


CLIENT = "client@example.org"


async def _dossier_status(handle: WorkflowHandle) -> DossierStatus:
    status: DossierStatus = await handle.query(STATUS_QUERY, result_type=DossierStatus)
    return status


async def _dossier_reaches(
    handle: WorkflowHandle, check: object, timeout: float = 20.0
) -> DossierStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await _dossier_status(handle)
        if check(status) or time.monotonic() > deadline:  # type: ignore[operator]
            assert check(status), status  # type: ignore[operator]
            return status
        await asyncio.sleep(0.05)


def _negotiation_ids(settings: Settings, dossier_id: str) -> list[str]:
    with session_scope(settings) as session:
        return list(
            session.exec(
                select(Negotiation.id)
                .where(Negotiation.dossier_id == dossier_id)
                .order_by(col(Negotiation.number))
            ).all()
        )


async def _to_negotiation(
    client: Client, settings: Settings, seed: NegotiationSeed, *, before_approval: object = None
) -> tuple[WorkflowHandle, NegotiationSeed]:
    """Dossier workflow: documents complete → analysis → submitted → approved by phone →
    negotiations opened. The seed comes back with the negotiation ids."""
    assert await start_pending_intent(client, dossier_workflow_id(seed.dossier_id), settings)
    handle = client.get_workflow_handle(dossier_workflow_id(seed.dossier_id))
    await _dossier_reaches(handle, lambda s: s.stage == Stage.ANALYSIS)
    submitted = await handle.execute_update(
        SUBMIT_ANALYSIS_UPDATE, SubmitAnalysis(actor=seed.actor), result_type=SubmissionResult
    )
    if before_approval is not None:
        await before_approval(handle)  # type: ignore[operator]
    approval = ApprovalRecord(actor=seed.actor, channel="phone", submission=submitted.submission)
    await handle.execute_update(RECORD_APPROVAL_UPDATE, approval, result_type=str)
    await _dossier_reaches(handle, lambda s: s.stage == Stage.NEGOTIATION)
    ids = _negotiation_ids(settings, seed.dossier_id)
    return handle, dataclasses.replace(seed, negotiation_ids=ids)


def _child(client: Client, negotiation_id: str) -> WorkflowHandle:
    return client.get_workflow_handle(negotiation_workflow_id(negotiation_id))


async def test_two_creditors_from_approval_to_closure(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=2, approved=False, stage=None)
    async with build_worker(wf_client, wf_settings):
        dossier, seed = await _to_negotiation(wf_client, wf_settings, seed)
        assert len(seed.negotiation_ids) == 2
        status = await _dossier_reaches(dossier, lambda s: s.open_negotiations == 2)
        assert status.stage == Stage.NEGOTIATION
        rows = [negotiation_row(wf_settings, n) for n in seed.negotiation_ids]
        assert [(r.number, r.debt_indexes) for r in rows] == [(1, "[0]"), (2, "[1]")]
        assert [r.reference for r in rows] == [f"{seed.reference}-C1", f"{seed.reference}-C2"]
        assert [r.creditor_id for r in rows] == seed.creditor_ids
        first, second = (_child(wf_client, n) for n in seed.negotiation_ids)
        for child in (first, second):
            await reaches(child, S.CONSENT_PENDING)

        # Nothing can close the dossier while a negotiation runs.
        close = CloseDossier(outcome=Outcome.RESOLVED, actor=seed.actor)
        assert await refusal(dossier, CLOSE_UPDATE, close) == negotiations_open_refusal(2)
        assert "2 négociations encore en cours" in negotiations_open_refusal(2)

        # Creditor 1: a payment plan in two instalments, paid.
        await consent(first, wf_settings, seed, 0)
        await send_offer(first, time_env, wf_settings, seed, 0, instalments=2)
        assert await reply(first, wf_settings, seed, "accepted", 0) == S.AGREEMENT_PENDING
        confirm = ConfirmAgreement(actor=seed.actor)
        assert await update(first, CONFIRM_AGREEMENT_UPDATE, confirm) == S.PLAN_RUNNING
        for number in (1, 2):
            await update(first, RECORD_INSTALMENT_UPDATE, InstalmentPaid(number, seed.actor))
        assert await first.result() == S.COMPLETED
        assert all(row.paid_at for row in instalments(wf_settings, seed.negotiation_ids[0]))
        # The other one still holds the dossier open.
        await _dossier_reaches(dossier, lambda s: s.open_negotiations == 1)
        assert await refusal(dossier, CLOSE_UPDATE, close) == negotiations_open_refusal(1)

        # Creditor 2: a remission, complete as soon as it is confirmed in writing.
        await consent(second, wf_settings, seed, 1)
        await send_offer(
            second,
            time_env,
            wf_settings,
            seed,
            1,
            offer_type="remission",
            amount="600.00",
            instalments=None,
            instalment_amount=None,
        )
        assert await reply(second, wf_settings, seed, "accepted", 1) == S.AGREEMENT_PENDING
        assert await update(second, CONFIRM_AGREEMENT_UPDATE, confirm) == S.COMPLETED
        assert await second.result() == S.COMPLETED
        assert instalments(wf_settings, seed.negotiation_ids[1]) == []

        await _dossier_reaches(dossier, lambda s: s.open_negotiations == 0)
        assert await update(dossier, CLOSE_UPDATE, close) == Stage.CLOSED

        for number in (1, 2):
            assert await wait_delivered(wf_settings, creditor_email(number), 1) == [
                "creditor_offer"
            ]
        client_mail = await wait_delivered(wf_settings, CLIENT, 13)
        assert client_mail[:2] == ["acknowledgement", "analysis_ready"]
        assert client_mail[-1] == "closure"
        for template in (
            "negotiation_consent_request",
            "negotiation_consent_receipt",
            "negotiation_offer_sent",
            "negotiation_agreement",
            "negotiation_completed",
        ):
            assert client_mail.count(template) == 2, (template, client_mail)
        for negotiation_id in seed.negotiation_ids:
            row = negotiation_row(wf_settings, negotiation_id)
            assert (row.state, row.round) == (S.COMPLETED, 1) and row.ended_at is not None
        first_events = [e.summary for e in timeline(wf_settings, seed.negotiation_ids[0])]
        assert all(summary.startswith("Créancier n°1 : ") for summary in first_events)
        assert any("offre n°1 envoyée (catégories : identité" in s for s in first_events)
        with session_scope(wf_settings) as session:
            dossier_events = session.exec(
                select(TimelineEvent.summary)
                .where(TimelineEvent.dossier_id == seed.dossier_id)
                .where(col(TimelineEvent.negotiation_id).is_(None))
            ).all()
        assert "Négociation avec 2 créanciers" in dossier_events
        await finish_workflow(wf_client, dossier)


async def test_a_creditor_added_during_the_negotiations_and_abandoned_ones_let_it_close(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, creditors=1, approved=False, stage=None)

    async def too_early(handle: WorkflowHandle) -> None:
        early = AddNegotiation(negotiation_id="0" * 32, actor=seed.actor)
        assert await refusal(handle, ADD_NEGOTIATION_UPDATE, early) == NOT_NEGOTIATING

    async with build_worker(wf_client, wf_settings):
        dossier, seed = await _to_negotiation(
            wf_client, wf_settings, seed, before_approval=too_early
        )
        [first_id] = seed.negotiation_ids
        unknown = AddNegotiation(negotiation_id="f" * 32, actor=seed.actor)
        assert await refusal(dossier, ADD_NEGOTIATION_UPDATE, unknown) == (
            NEGOTIATION_OF_ANOTHER_DOSSIER
        )
        # The web app writes the creditor and its negotiation, then tells the dossier.
        with session_scope(wf_settings) as session:
            session.add(
                DossierCreditor(
                    dossier_id=seed.dossier_id, name="Énergie Nouvelle", kind=CreditorKind.ENERGY
                )
            )
            session.flush()
            ids = open_negotiations(session, seed.dossier_id, wf_settings)
        added = ids[-1]
        assert ids == [first_id, added]
        new_row = negotiation_row(wf_settings, added)
        assert (new_row.number, new_row.creditor_id, new_row.debt_indexes) == (2, None, "[]")
        add = AddNegotiation(negotiation_id=added, actor=seed.actor)
        assert await dossier.execute_update(ADD_NEGOTIATION_UPDATE, add, result_type=int) == 2
        assert await refusal(dossier, ADD_NEGOTIATION_UPDATE, add) == NEGOTIATION_ALREADY_RUNNING
        assert (await _dossier_status(dossier)).open_negotiations == 2

        for negotiation_id, outcome in ((first_id, "abandoned"), (added, "closed_unresolved")):
            child = _child(wf_client, negotiation_id)
            await reaches(child, S.CONSENT_PENDING)
            end = EndNegotiation(outcome=outcome, actor=seed.actor)
            assert await update(child, END_NEGOTIATION_UPDATE, end) == outcome
            assert await child.result() == outcome
        await _dossier_reaches(dossier, lambda s: s.open_negotiations == 0)
        close = CloseDossier(outcome=Outcome.PARTIAL, actor=seed.actor)
        assert await update(dossier, CLOSE_UPDATE, close) == Stage.CLOSED
        mail = await wait_for_messages(wf_settings, 5)
        assert delivered(wf_settings, CLIENT).count("negotiation_closed") == 2, mail
        await finish_workflow(wf_client, dossier)
