"""BreachWorkflow on the time-skipping server, with a real SQLite database and SMTP server: a
high-risk breach notified and the people informed on time; a late one that cannot be notified
without reasons; a no-risk one registered only; the alerts at their exact hours, across a
daylight-saving change."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from support.breaches import (
    assess,
    breach_events,
    breach_row,
    close,
    declare_breach,
    deliveries,
    event_kinds,
    inform,
    notify_cnil,
    scope_clients,
    start_breach,
)
from support.negotiation_driver import own_test_server
from support.privacy import make_dpo
from support.search_attributes import search_attributes
from support.stack import intake, make_dossier, make_staff, received, wait_for_messages
from support.webapp import audit_entries
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.breach.rules import LATE_WITHOUT_REASONS, NO_CNIL, NO_PEOPLE, RiskLevel
from domain.clock import as_utc
from domain.french_dates import PARIS
from models.breach import Breach
from models.client import Client as ClientRow
from models.database import session_scope
from models.staff import Role
from security.datakeys import ClientCipher
from services.breaches.letters import letter_file
from services.breaches.queries import other_channel
from worker import build_worker
from workflows.breach_messages import BREACH_STATUS_QUERY, BreachStatusView


@pytest.fixture(scope="module")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """This module's own server: the daylight-saving test moves its clock months ahead."""
    async with own_test_server() as env:
        yield env


def _client_without_email(settings: Settings) -> str:
    """A client known by post and phone only (their email never given)."""
    client_id = secrets.token_hex(16)
    wrapped, cipher = ClientCipher.new_client(client_id, settings)
    with session_scope(settings) as session:
        session.add(
            ClientRow(
                id=client_id,
                wrapped_key=wrapped,
                first_name_enc=cipher.encrypt("client", "first_name", client_id, "Odile"),
                last_name_enc=cipher.encrypt("client", "last_name", client_id, "Sanscourriel"),
                phone_enc=cipher.encrypt("client", "phone", client_id, "+33612345678"),
                address_enc=cipher.encrypt(
                    "client", "address", client_id, "4 rue des Postes\n13001 Marseille"
                ),
                departement="13",
            )
        )
    return client_id


def _clients(settings: Settings, count: int) -> None:
    worker = make_staff(settings)
    for n in range(count):
        make_dossier(settings, worker, intake(email=f"personne{n}@example.org"))


async def _refusal(call: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await call  # type: ignore[misc]
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    return cause.message


async def test_high_risk_breach_notified_and_people_informed_on_time(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    dpo = make_dpo(wf_settings)
    make_staff(wf_settings, "direction@cravelynos.example", Role.ADMIN, name="Direction")
    _clients(wf_settings, 3)
    by_post = _client_without_email(wf_settings)
    now = await time_env.get_current_time()
    row = declare_breach(wf_settings, now - timedelta(hours=2), now)
    async with build_worker(wf_client, wf_settings):
        handle = await start_breach(wf_client, wf_settings, row)
        assert (await search_attributes(wf_client, handle))[0] == "breach:open"
        assert await scope_clients(wf_settings, handle, row.id, now) == 4
        await assess(wf_settings, handle, row.id, RiskLevel.HIGH, now)
        assert await notify_cnil(wf_settings, handle, row.id, now) == 1
        assert await inform(wf_settings, handle, row.id) == 4
        messages = await wait_for_messages(wf_settings, 3)
        assert sorted(r for m in messages for r in m.recipients) == [
            f"personne{n}@example.org" for n in range(3)
        ]
        text = messages[0].text
        assert "Ce que vous pouvez faire" in text.replace(
            "CE QUE VOUS POUVEZ FAIRE", "Ce que vous pouvez faire"
        )
        assert "dpo@cravelynos.example" in text
        assert await close(wf_settings, handle, row.id) == "closed"
        await handle.result()
        status = await handle.query(BREACH_STATUS_QUERY, result_type=BreachStatusView)
        assert status.steps == {
            "scope": True,
            "assess": True,
            "notify": True,
            "inform": True,
            "close": True,
        }
        assert (await search_attributes(wf_client, handle)) == ("breach:closed", None)
    final = breach_row(wf_settings, row.id)
    assert final.status == "closed" and final.notifications == 1
    assert final.first_notified_at is not None and final.informed_at is not None
    assert deliveries(wf_settings, row.id) == {"sent": 3, "no_email": 1}
    informed = [e for e in breach_events(wf_settings, row.id) if e.kind == "informed"]
    assert json.loads(informed[0].detail) == {"emailed": 3, "no_email": 1, "refused": 0}
    assert event_kinds(wf_settings, row.id) == [
        "declared",
        "scoped",
        "assessed",
        "notified",
        "informing",
        "informed",
        "closed",
    ]
    # Done within the day: no alert went to anyone.
    assert len(received(wf_settings)) == 3
    # The one without an address is listed for a letter (reading it is audited).
    with session_scope(wf_settings) as session:
        breach = session.get(Breach, row.id)
        assert breach is not None
        (person,) = other_channel(session, breach, wf_settings, f"staff:{dpo.id}")
        assert (person.name, person.phone) == ("Odile Sanscourriel", "+33612345678")
        name, pdf = letter_file(session, dpo, row.id, person.affected_id, wf_settings)
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    reads = audit_entries(wf_settings, "client.read")
    assert {e.object_id for e in reads if e.reason.startswith("breach.")} == {by_post}


async def test_a_late_notification_needs_its_reasons(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    make_dpo(wf_settings)
    _clients(wf_settings, 1)
    now = await time_env.get_current_time()
    # Learnt 80 hours ago, declared only now: overdue from the start.
    row = declare_breach(wf_settings, now - timedelta(hours=80), now)
    async with build_worker(wf_client, wf_settings):
        handle = await start_breach(wf_client, wf_settings, row)
        await wait_for_messages(wf_settings, 1)
        assert (await search_attributes(wf_client, handle))[0] == "breach:overdue"
        # Only the overdue alert: the +24 h... alerts passed unsent are not sent late.
        (alert,) = received(wf_settings)
        assert "délai de 72 heures dépassé" in alert.subject
        await scope_clients(wf_settings, handle, row.id, now)
        await assess(wf_settings, handle, row.id, RiskLevel.RISK, now)
        refusal = await _refusal(notify_cnil(wf_settings, handle, row.id, now))
        assert refusal == LATE_WITHOUT_REASONS
        assert breach_row(wf_settings, row.id).notifications == 0
        number = await notify_cnil(
            wf_settings, handle, row.id, now, delay_reasons="Découverte lors d'un audit annuel."
        )
        assert number == 1
        (notified,) = [e for e in breach_events(wf_settings, row.id) if e.kind == "notified"]
        assert '"late": 1' in notified.detail
        assert await close(wf_settings, handle, row.id) == "closed"
        await handle.result()


async def test_a_breach_without_risk_is_registered_only(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    make_dpo(wf_settings)
    _clients(wf_settings, 2)
    now = await time_env.get_current_time()
    row = declare_breach(wf_settings, now - timedelta(minutes=5), now)
    async with build_worker(wf_client, wf_settings):
        handle = await start_breach(wf_client, wf_settings, row)
        await scope_clients(wf_settings, handle, row.id, now)
        await assess(wf_settings, handle, row.id, RiskLevel.NONE, now)
        assert await _refusal(notify_cnil(wf_settings, handle, row.id, now)) == NO_CNIL
        assert await _refusal(inform(wf_settings, handle, row.id)) == NO_PEOPLE
        status = await handle.query(BREACH_STATUS_QUERY, result_type=BreachStatusView)
        assert status.steps["notify"] is None and status.steps["inform"] is None
        # Nothing left that the deadline is for: no deadline to sort on.
        assert (await search_attributes(wf_client, handle)) == ("breach:open", None)
        assert await close(wf_settings, handle, row.id) == "closed"
        await handle.result()
    final = breach_row(wf_settings, row.id)
    assert final.status == "closed" and final.notifications == 0
    assert deliveries(wf_settings, row.id) == {"pending": 2}
    assert received(wf_settings) == []


async def test_alerts_at_exact_hours_across_a_daylight_saving_change(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    make_dpo(wf_settings)
    make_staff(wf_settings, "direction@cravelynos.example", Role.ADMIN, name="Direction")
    # Paris moves from UTC+1 to UTC+2 at 01:00 UTC on 28 March 2027.
    aware_at = datetime(2027, 3, 27, 9, 30, tzinfo=UTC)
    now = await time_env.get_current_time()
    assert now < aware_at
    await time_env.sleep(aware_at - now + timedelta(minutes=1))
    now = await time_env.get_current_time()
    row = declare_breach(wf_settings, aware_at, now)
    expected = {
        "alert-24h": aware_at + timedelta(hours=24),
        "alert-48h": aware_at + timedelta(hours=48),
        "alert-60h": aware_at + timedelta(hours=60),
        "alert-70h": aware_at + timedelta(hours=70),
        "overdue": aware_at + timedelta(hours=72),
    }
    async with build_worker(wf_client, wf_settings):
        handle = await start_breach(wf_client, wf_settings, row)
        _, deadline = await search_attributes(wf_client, handle)
        assert deadline == aware_at + timedelta(hours=72)
        await time_env.sleep(timedelta(hours=71, minutes=58))
        assert "overdue" not in event_kinds(wf_settings, row.id)
        await time_env.sleep(timedelta(minutes=5))
        await wait_for_messages(wf_settings, 10)
        sent = {e.kind: as_utc(e.at) for e in breach_events(wf_settings, row.id)}
        for key, moment in expected.items():
            assert abs(sent[key] - moment) < timedelta(seconds=5), key
        # 72 hours of elapsed time, which the wall clock in Paris shows as 73.
        local = expected["overdue"].astimezone(PARIS)
        assert (local.day, local.hour, local.minute) == (30, 11, 30)
        mails = received(wf_settings)
        assert {tuple(m.recipients) for m in mails} == {
            ("dpo@cravelynos.example",),
            ("direction@cravelynos.example",),
        }
        assert "30 mars 2027 à 11 h 30" in mails[0].text
        assert (await search_attributes(wf_client, handle))[0] == "breach:overdue"
        await scope_clients(wf_settings, handle, row.id, await time_env.get_current_time())
        await assess(wf_settings, handle, row.id, RiskLevel.NONE, await time_env.get_current_time())
        assert await close(wf_settings, handle, row.id) == "closed"
        await handle.result()
