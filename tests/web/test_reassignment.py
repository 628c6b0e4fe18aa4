"""Reassignment: only a supervisor, only to an active case worker of the same team, only
dossiers of the team; everything checked before anything changes; each change audited with the
old and new assignee, and the new assignee told by a real email (no client data in it)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from support.stack import free_port, received, smtp_catcher
from support.webapp import Staff, audit_entries, count, offline, seed_dossier, sign_in

from activities.staff_notifications import deliver_staff_emails
from config.settings import Settings
from models.database import session_scope
from models.dossier import Dossier, TimelineEvent
from models.outbox import EmailStatus, OutboxEmail
from models.staff import StaffUser


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return offline(settings, smtp_port=free_port())


@pytest.fixture
def mailbox(web_settings: Settings) -> Iterator[None]:
    with smtp_catcher(web_settings.mailbox_dir, web_settings.smtp_port):
        yield


def assignee_of(settings: Settings, dossier: Dossier) -> int:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        return row.assignee_id


def test_the_supervisor_reassigns_from_the_dossier_page(
    client: TestClient, staff: Staff, web_settings: Settings, mailbox: None
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    csrf = sign_in(client, staff.supervisor)
    page = client.get(f"/dossiers/{dossier.id}").text
    assert "Réattribuer le dossier" in page and "Version imprimable" in page
    done = client.post(
        f"/dossiers/{dossier.id}/reattribuer",
        data={"assignee": str(staff.colleague.id), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/dossiers/{dossier.id}"
    assert assignee_of(web_settings, dossier) == staff.colleague.id
    after = client.get(f"/dossiers/{dossier.id}").text
    assert "1 dossier confié à Bruno Petit." in after
    assert "Dossier confié à Bruno Petit" in after  # the timeline
    [entry] = audit_entries(web_settings, "dossier.reassign")
    assert entry.actor == f"staff:{staff.supervisor.id}" and entry.object_id == dossier.id
    assert json.loads(entry.detail) == {
        "from_assignee_id": staff.case_worker.id,
        "to_assignee_id": staff.colleague.id,
    }
    [message] = received(web_settings)
    assert message.recipients == [staff.colleague.email]
    assert message.subject == f"Dossier {dossier.reference} : il vous est confié"
    assert f"{web_settings.public_base_url.rstrip('/')}/dossiers/{dossier.id}" in message.text
    assert "Chloé Durand vous a confié le dossier" in message.text
    for personal in ("Jeanne", "Dupont", "jeanne.dupont", "06 12", "Lilas"):
        assert personal not in message.text and personal not in (message.html or "")
    with session_scope(web_settings) as session:
        [row] = session.exec(select(OutboxEmail).where(OutboxEmail.dossier_id == dossier.id)).all()
        assert row.status == EmailStatus.SENT and row.template == "dossier_assigned"


def test_a_case_worker_may_not_reassign(
    client: TestClient, staff: Staff, web_settings: Settings, mailbox: None
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    csrf = sign_in(client, staff.case_worker)
    assert "Réattribuer le dossier" not in client.get(f"/dossiers/{dossier.id}").text
    refused = client.post(
        f"/dossiers/{dossier.id}/reattribuer",
        data={"assignee": str(staff.colleague.id), "csrf_token": csrf},
    )
    assert refused.status_code == 403
    assert "Seul un superviseur" in refused.text
    assert assignee_of(web_settings, dossier) == staff.case_worker.id
    assert audit_entries(web_settings, "dossier.reassign") == []
    assert audit_entries(web_settings, "access.denied")
    bulk = client.post(
        "/travail/equipe/reattribuer",
        data={"dossier": [dossier.id], "assignee": str(staff.colleague.id), "csrf_token": csrf},
    )
    assert bulk.status_code == 403
    assert received(web_settings) == [] and count(web_settings, OutboxEmail) == 0


def test_another_teams_dossier_or_case_worker_changes_nothing(
    client: TestClient, staff: Staff, web_settings: Settings, mailbox: None
) -> None:
    ours = seed_dossier(web_settings, staff.case_worker)
    theirs = seed_dossier(
        web_settings, staff.other_team, email="autre@exemple.fr", last_name="Lyon"
    )
    csrf = sign_in(client, staff.supervisor)
    # Our dossier and Lyon's in one batch: refused as a whole.
    mixed = client.post(
        "/travail/equipe/reattribuer",
        data={
            "dossier": [ours.id, theirs.id],
            "assignee": str(staff.colleague.id),
            "csrf_token": csrf,
        },
    )
    assert mixed.status_code == 403
    # To a case worker of another team (or an unknown, or no one): the form again, with why.
    for assignee in (str(staff.other_team.id), "999999", "", "abc", str(staff.dpo.id)):
        wrong = client.post(
            f"/dossiers/{ours.id}/reattribuer",
            data={"assignee": assignee, "csrf_token": csrf},
        )
        assert wrong.status_code == 422, assignee
        assert "Choisissez un conseiller actif de votre équipe." in wrong.text
    with session_scope(web_settings) as session:
        inactive = session.get(StaffUser, staff.colleague.id)
        assert inactive is not None
        inactive.active = False
        session.add(inactive)
    assert (
        client.post(
            f"/dossiers/{ours.id}/reattribuer",
            data={"assignee": str(staff.colleague.id), "csrf_token": csrf},
        ).status_code
        == 422
    )
    assert assignee_of(web_settings, ours) == staff.case_worker.id
    assert assignee_of(web_settings, theirs) == staff.other_team.id
    assert audit_entries(web_settings, "dossier.reassign") == []
    assert count(web_settings, OutboxEmail) == 0 and received(web_settings) == []
    with session_scope(web_settings) as session:
        kinds = select(TimelineEvent.kind)
        assert "reassigned" not in session.exec(kinds).all()


def test_bulk_reassignment_from_the_workload_view(
    client: TestClient, staff: Staff, web_settings: Settings, mailbox: None
) -> None:
    first = seed_dossier(web_settings, staff.case_worker)
    second = seed_dossier(web_settings, staff.case_worker, email="marc@exemple.fr")
    csrf = sign_in(client, staff.supervisor)
    view = client.get("/travail/equipe", params={"conseiller": str(staff.case_worker.id)})
    assert f'value="{first.id}"' in view.text and f'value="{second.id}"' in view.text
    # Nothing ticked: the form again, its summary naming the field, the choice kept.
    empty = client.post(
        "/travail/equipe/reattribuer",
        data={
            "assignee": str(staff.colleague.id),
            "conseiller": str(staff.case_worker.id),
            "csrf_token": csrf,
        },
    )
    assert empty.status_code == 422
    assert 'id="error-summary"' in empty.text
    assert "Dossiers : Cochez au moins un dossier à réattribuer." in empty.text
    assert f'<option value="{staff.colleague.id}" selected>' in empty.text
    done = client.post(
        "/travail/equipe/reattribuer",
        data={
            "dossier": [first.id, second.id],
            "assignee": str(staff.colleague.id),
            "conseiller": str(staff.case_worker.id),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/travail/equipe?conseiller={staff.case_worker.id}"
    assert "2 dossiers confiés à Bruno Petit." in client.get(done.headers["location"]).text
    assert assignee_of(web_settings, first) == assignee_of(web_settings, second)
    assert assignee_of(web_settings, first) == staff.colleague.id
    entries = audit_entries(web_settings, "dossier.reassign")
    assert sorted(e.object_id for e in entries) == sorted([first.id, second.id])
    messages = received(web_settings)
    assert sorted(m.subject for m in messages) == sorted(
        f"Dossier {d.reference} : il vous est confié" for d in (first, second)
    )
    # Again: nothing to change, nothing sent.
    again = client.post(
        "/travail/equipe/reattribuer",
        data={"dossier": [first.id], "assignee": str(staff.colleague.id), "csrf_token": csrf},
    )
    assert "1 dossier était déjà confié à Bruno Petit" in again.text
    assert len(received(web_settings)) == 2
    assert len(audit_entries(web_settings, "dossier.reassign")) == 2


def test_an_unreachable_mail_server_is_said_and_the_change_kept(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    csrf = sign_in(client, staff.supervisor)
    page = client.post(
        f"/dossiers/{dossier.id}/reattribuer",
        data={"assignee": str(staff.colleague.id), "csrf_token": csrf},
    )
    assert page.status_code == 200
    assert "pas pu partir pour " + dossier.reference in page.text
    assert assignee_of(web_settings, dossier) == staff.colleague.id
    # The worker's delivery rounds take the message over once the mail server is back.
    with smtp_catcher(web_settings.mailbox_dir, web_settings.smtp_port):
        assert asyncio.run(deliver_staff_emails(web_settings)) == 1
        assert asyncio.run(deliver_staff_emails(web_settings)) == 0
    [message] = received(web_settings)
    assert message.recipients == [staff.colleague.email]
    assert dossier.reference in message.subject
