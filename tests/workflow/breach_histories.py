"""The breach scenarios make_histories.py records (read its docstring before regenerating
anything): a suspicion confirmed and taken through every step, with an alert on the way and a
step refused; and a suspicion dismissed. They run like the data-subject request scenarios
(privacy_histories.run_privacy_scenario: own database, SMTP catcher and worker)."""

from __future__ import annotations

from datetime import timedelta

from make_histories import Saved
from privacy_histories import PrivacyRecording, PrivacyScenario
from support.breaches import (
    DPO,
    assess,
    close,
    inform,
    notify_cnil,
    raise_suspicion,
    scope_clients,
    start_breach,
)
from support.privacy import make_dpo
from support.stack import intake, make_dossier, make_staff, wait_for_messages
from temporalio.client import WorkflowUpdateFailedError

from domain.breach.rules import NotificationKind, RiskLevel
from workflows.breach_messages import (
    CONFIRM_BREACH_UPDATE,
    DISMISS_BREACH_UPDATE,
    ConfirmBreach,
    DismissBreach,
)


async def breach_every_step(p: PrivacyScenario) -> list[Saved]:
    make_dpo(p.settings)
    worker = make_staff(p.settings)
    for n in range(2):
        make_dossier(p.settings, worker, intake(email=f"personne{n}@example.org"))
    now = await p.env.get_current_time()
    row = raise_suspicion(p.settings, now, now)
    handle = await start_breach(p.client, p.settings, row)
    await wait_for_messages(p.settings, 1)  # the DPO hears of the suspicion
    await handle.execute_update(CONFIRM_BREACH_UPDATE, ConfirmBreach(now - timedelta(hours=1), DPO))
    await p.env.sleep(timedelta(hours=24))
    await wait_for_messages(p.settings, 2)  # the +24 h alert
    now = await p.env.get_current_time()
    await scope_clients(p.settings, handle, row.id, now)
    await assess(p.settings, handle, row.id, RiskLevel.HIGH, now)
    try:
        await notify_cnil(p.settings, handle, row.id, now, phase=NotificationKind.COMPLEMENTARY)
    except WorkflowUpdateFailedError:
        pass
    else:
        raise AssertionError("a complementary notification first should have been refused")
    await notify_cnil(p.settings, handle, row.id, now)
    await inform(p.settings, handle, row.id)
    await wait_for_messages(p.settings, 4)
    while True:
        try:
            await close(p.settings, handle, row.id)
            break
        except WorkflowUpdateFailedError:
            await p.env.sleep(timedelta(seconds=1))  # the emails are still leaving
    await handle.result()
    description = (
        "A suspicion confirmed, the +24 h alert, scoped, assessed high, a complementary "
        "notification refused then the initial one, two people informed, closed."
    )
    return [Saved("breach_every_step", description, await handle.fetch_history())]


async def breach_dismissed(p: PrivacyScenario) -> list[Saved]:
    make_dpo(p.settings)
    now = await p.env.get_current_time()
    row = raise_suspicion(p.settings, now, now)
    handle = await start_breach(p.client, p.settings, row)
    await handle.execute_update(DISMISS_BREACH_UPDATE, DismissBreach(DPO))
    await handle.result()
    description = "A suspicion the DPO dismissed."
    return [Saved("breach_dismissed", description, await handle.fetch_history())]


BREACH_SCENARIOS = [PrivacyRecording(breach_every_step), PrivacyRecording(breach_dismissed)]
