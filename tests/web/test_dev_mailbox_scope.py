"""The dev mailbox shows each staff member the emails of the dossiers they may open, no more:
it holds clients' details and their live signed links."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from support.stack import free_port, smtp_catcher
from support.webapp import Staff, seed_dossier, sign_in
from temporalio.testing import ActivityEnvironment

from activities.client_email import ClientEmailActivities
from activities.contracts.dossier import ClientEmail
from config.settings import Settings
from dev.mail_catcher import list_messages
from models.staff import StaffUser


async def _acknowledge(settings: Settings, actor: StaffUser, **overrides: str) -> str:
    dossier = seed_dossier(settings, actor, **overrides)
    request = ClientEmail(dossier.id, "acknowledgement", f"{dossier.workflow_id}:acknowledgement")
    with smtp_catcher(settings.mailbox_dir, settings.smtp_port):
        await ActivityEnvironment().run(ClientEmailActivities(settings).send_client_email, request)
    return dossier.reference


@pytest.fixture
async def two_teams(web_settings: Settings, staff: Staff) -> tuple[str, str]:
    settings = web_settings.model_copy(update={"smtp_port": free_port()})
    paris = await _acknowledge(settings, staff.case_worker)
    lyon = await _acknowledge(settings, staff.other_team, email="lea.lyon@exemple.fr")
    assert len(list_messages(settings)) == 2
    return paris, lyon


def test_each_team_sees_its_own_clients_emails_only(
    client: TestClient, staff: Staff, web_settings: Settings, two_teams: tuple[str, str]
) -> None:
    paris, lyon = two_teams
    messages = {m.subject: m.id for m in list_messages(web_settings)}
    paris_id = next(i for s, i in messages.items() if paris in s)
    lyon_id = next(i for s, i in messages.items() if lyon in s)

    sign_in(client, staff.case_worker)
    page = client.get("/dev/mailbox").text
    assert paris in page and lyon not in page
    assert client.get(f"/dev/mailbox/{paris_id}").status_code == 200
    assert client.get(f"/dev/mailbox/{lyon_id}").status_code == 404
    assert client.get(f"/dev/mailbox/{lyon_id}/html").status_code == 404

    client.cookies.clear()
    sign_in(client, staff.dpo)
    page = client.get("/dev/mailbox").text
    assert paris in page and lyon in page


def test_roles_without_personal_data_see_no_mailbox(
    client: TestClient, staff: Staff, two_teams: tuple[str, str]
) -> None:
    sign_in(client, staff.admin)
    assert "/dev/mailbox" not in client.get("/allowances").text  # not offered in the menu
    refused = client.get("/dev/mailbox")
    assert refused.status_code == 403
