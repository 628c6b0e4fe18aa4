""" "Mon travail": the signed-in case worker's dossiers that wait on them, overdue first then by
deadline, sortable, an overdue-only filter, every view audited; the supervisor's team workload."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import col, select
from support.webapp import Staff, audit_entries, make_team, seed_dossier, sign_in

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from domain.dossier_timeline import REMINDER_DUE_LABEL, TASK_LABEL
from domain.french_dates import french_date
from domain.negotiation.states import NegotiationState
from models.database import session_scope
from models.dossier import Dossier, DossierCreditor
from models.negotiation import Negotiation
from models.staff import StaffUser
from services.dossiers.intake import new_id
from services.dossiers.work import my_work, team_workload

ROW = re.compile(r"<tr[^>]*>\s*<td class=\"nowrap\"><a href=\"/dossiers/([0-9a-z]+)\">", re.S)


def put(
    settings: Settings,
    dossier: Dossier,
    stage: Stage,
    deadline: datetime | None = None,
    label: str | None = None,
    created: datetime | None = None,
) -> None:
    with session_scope(settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage, row.next_deadline, row.next_deadline_label = stage, deadline, label
        if stage == Stage.CLOSED:
            row.closed_at = utcnow()
        if created is not None:
            row.created_at = created
        session.add(row)


def negotiate(
    settings: Settings, dossier: Dossier, *states: tuple[NegotiationState, datetime | None]
) -> None:
    """Negotiation rows for the dossier's creditors, in these states and with these deadlines."""
    with session_scope(settings) as session:
        creditors = session.exec(
            select(DossierCreditor)
            .where(DossierCreditor.dossier_id == dossier.id)
            .order_by(col(DossierCreditor.id))
        ).all()
        for number, ((state, deadline), creditor) in enumerate(
            zip(states, creditors, strict=False), start=1
        ):
            assert creditor.id is not None
            session.add(
                Negotiation(
                    id=new_id(),
                    dossier_id=dossier.id,
                    dossier_creditor_id=creditor.id,
                    number=number,
                    reference=f"{dossier.reference}-C{number}",
                    state=state.value,
                    next_deadline=deadline,
                    next_deadline_label=f"Échéance {state.value}",
                )
            )


def person(settings: Settings, actor: StaffUser, first: str, last: str) -> Dossier:
    email = f"{first}.{last}@exemple.fr".lower()
    return seed_dossier(settings, actor, first_name=first, last_name=last, email=email)


def seed_work(settings: Settings, staff: Staff) -> dict[str, Dossier]:
    """The case worker's dossiers in every situation, and a colleague's."""
    now = utcnow()
    d = {
        "analysis": person(settings, staff.case_worker, "Marc", "Lefèvre"),
        "documents": person(settings, staff.case_worker, "Paul", "Moreau"),
        "task": person(settings, staff.case_worker, "Inès", "Bernard"),
        "reminder": person(settings, staff.case_worker, "Lina", "Girard"),
        "ready": person(settings, staff.case_worker, "Zoé", "Antoine"),
        "counter": person(settings, staff.case_worker, "Yves", "Carré"),
        "closed": person(settings, staff.case_worker, "Léa", "Roche"),
        "colleague": person(settings, staff.colleague, "Noé", "Faure"),
    }
    put(settings, d["analysis"], Stage.ANALYSIS, created=now - timedelta(days=9))
    put(settings, d["documents"], Stage.AWAITING_DOCUMENTS, now - timedelta(days=3), "Pièces")
    put(settings, d["task"], Stage.AWAITING_APPROVAL, now - timedelta(days=2), TASK_LABEL)
    put(
        settings,
        d["reminder"],
        Stage.AWAITING_APPROVAL,
        now - timedelta(days=1),
        REMINDER_DUE_LABEL,
    )
    put(settings, d["ready"], Stage.NEGOTIATION, now + timedelta(days=1), "Créancier n°1")
    # The reply awaited from creditor 1 is sooner, but the case worker's own wait is creditor 2's.
    negotiate(
        settings,
        d["ready"],
        (NegotiationState.AWAITING_REPLY, now + timedelta(days=1)),
        (NegotiationState.READY, now + timedelta(days=5)),
    )
    put(settings, d["counter"], Stage.NEGOTIATION, now + timedelta(days=2), "Créancier n°1")
    negotiate(settings, d["counter"], (NegotiationState.COUNTER_OFFER, now + timedelta(days=2)))
    put(settings, d["closed"], Stage.CLOSED)
    put(settings, d["colleague"], Stage.ANALYSIS)
    return d


def shown(html: str) -> list[str]:
    return ROW.findall(html)


def test_the_case_worker_sees_what_waits_on_them_overdue_first(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    d = seed_work(web_settings, staff)
    sign_in(client, staff.case_worker)
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"] == "/travail"
    page = client.get("/travail")
    assert page.status_code == 200
    assert '<a href="/travail" aria-current="page">Mon travail</a>' in page.text
    # Overdue (the client to call), then the nearest deadline, then none.
    assert shown(page.text) == [d["task"].id, d["ready"].id, d["analysis"].id]
    assert "3 dossiers à traiter · 1 en retard" in page.text
    task_row = page.text.split(f'href="/dossiers/{d["task"].id}"')[1].split("</tr>")[0]
    assert "En retard" in task_row and "Contacter le client" in task_row
    ready_row = page.text.split(f'href="/dossiers/{d["ready"].id}"')[1].split("</tr>")[0]
    # The deadline of the negotiation waiting on the case worker, in the app's French format.
    five_days = french_date(utcnow() + timedelta(days=5))
    assert "Créancier n°2 : Prête : offre à préparer" in ready_row and five_days in ready_row
    assert "En retard" not in ready_row
    [entry] = audit_entries(web_settings, "dossier.work_list")
    assert entry.actor == f"staff:{staff.case_worker.id}"
    assert json.loads(entry.detail)["dossier_ids"] == [
        d["task"].id,
        d["ready"].id,
        d["analysis"].id,
    ]


def test_sort_links_and_the_overdue_filter(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    d = seed_work(web_settings, staff)
    sign_in(client, staff.case_worker)
    by_client = client.get("/travail", params={"tri": "client"}).text
    # As the column reads: Inès Bernard, Marc Lefèvre, Zoé Antoine.
    assert shown(by_client) == [d["task"].id, d["analysis"].id, d["ready"].id]
    current = '<th scope="col" aria-sort="ascending"><a href="/travail?tri=client&amp;ordre=desc">'
    assert current + "Client" in by_client
    assert 'aria-sort="none"><a href="/travail">Échéance' in by_client
    descending = client.get("/travail", params={"tri": "client", "ordre": "desc"}).text
    assert shown(descending) == [d["ready"].id, d["analysis"].id, d["task"].id]
    assert 'aria-sort="descending"' in descending
    by_created = client.get("/travail", params={"tri": "creation"}).text
    assert shown(by_created)[0] == d["analysis"].id
    late = client.get("/travail", params={"retard": "1"}).text
    assert shown(late) == [d["task"].id]
    assert 'name="retard" value="1" checked' in late
    # The sort links keep the filter.
    assert "/travail?tri=reference&amp;retard=1" in late
    [*_, entry] = audit_entries(web_settings, "dossier.work_list")
    assert (
        json.loads(entry.detail)["dossier_ids"] == [d["task"].id]
        and json.loads(entry.detail)["overdue_only"]
    )


def test_unreadable_parameters_are_ignored_with_a_message(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    d = seed_work(web_settings, staff)
    sign_in(client, staff.case_worker)
    page = client.get(
        "/travail", params={"tri": "<script>", "ordre": "sideways", "retard": "peut-être"}
    )
    assert page.status_code == 200
    assert "Tri inconnu" in page.text and "Ordre de tri inconnu" in page.text
    assert "« En retard uniquement » illisible" in page.text
    assert shown(page.text) == [d["task"].id, d["ready"].id, d["analysis"].id]
    assert "<script>" not in page.text


def test_nothing_to_do_and_roles_without_dossiers(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.colleague)
    assert "Aucun dossier n'attend d'action de votre part" in client.get("/travail").text
    client.cookies.clear()
    sign_in(client, staff.ops)
    assert client.get("/travail").status_code == 403
    assert "Mon travail" not in client.get("/creanciers").text


def test_the_supervisor_sees_the_team_workload(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    d = seed_work(web_settings, staff)
    person(web_settings, staff.other_team, "Ana", "Lopez")
    sign_in(client, staff.supervisor)
    page = client.get("/travail/equipe")
    assert page.status_code == 200
    alice = page.text.split("Alice Martin")[1].split("</tr>")[0]
    # Open: analysis, documents, task, reminder, ready, counter (the closed one is not).
    assert "<td>6</td>" in alice
    # The deadlines of the documents, the task and the reminder passed.
    assert "3 en retard" in alice
    assert french_date(utcnow() - timedelta(days=3)) in alice
    bruno = page.text.split("Bruno Petit")[1].split("</tr>")[0]
    assert "<td>1</td>" in bruno
    assert "Driss" not in page.text  # another team
    # One member's dossiers, to reassign.
    listing = client.get("/travail/equipe", params={"conseiller": str(staff.colleague.id)})
    assert f'value="{d["colleague"].id}"' in listing.text
    assert f'value="{d["analysis"].id}"' not in listing.text
    other = client.get("/travail/equipe", params={"conseiller": str(staff.other_team.id)})
    assert "pas un membre actif de votre équipe" in other.text
    assert client.get("/travail/equipe", params={"conseiller": "abc"}).status_code == 200


def test_a_case_worker_has_no_team_view(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.case_worker)
    assert client.get("/travail/equipe").status_code == 403
    [entry] = audit_entries(web_settings, "access.denied")
    assert entry.object_type == "team"


def test_the_queries_run_on_sqlite_and_postgresql(db_settings: Settings) -> None:
    staff = make_team(db_settings)
    d = seed_work(db_settings, staff)
    with session_scope(db_settings) as session:
        work = my_work(session, staff.case_worker, utcnow(), settings=db_settings)
        loads = {load.name: load for load in team_workload(session, staff.supervisor, utcnow())}
    assert [item.dossier.id for item in work.items] == [
        d["task"].id,
        d["ready"].id,
        d["analysis"].id,
    ]
    assert (loads["Alice Martin"].open_dossiers, loads["Alice Martin"].overdue) == (6, 3)
    assert loads["Bruno Petit"].open_dossiers == 1 and loads["Bruno Petit"].oldest_deadline is None
