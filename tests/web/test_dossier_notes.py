"""Notes and call logs on the dossier page: written by whoever may change the dossier,
encrypted under the client's key, shown in the timeline, in the access package, unreadable once
the client is erased; a refused form keeps what was typed and writes nothing."""

from __future__ import annotations

import html
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import SQLModel, select
from support.webapp import Staff, audit_entries, count, seed_dossier, sign_in, token_for
from temporalio.testing import ActivityEnvironment

from activities.contracts.dossier import DossierRef
from activities.retention import RetentionActivities
from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_notes import CALL_IN_FUTURE, NOTE_MISSING, CallDirection, CallInput
from domain.dossier_stages import Stage
from domain.french_dates import PARIS
from domain.staff_notifications import NotificationKind
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier, DossierCreditor
from models.dossier_note import DossierNote, StaffNotification
from models.staff import StaffUser
from security.datakeys import ClientCipher
from services.dossiers.notes import CLIENT_ERASED, DOSSIER_CLOSED, ERASED_TEXT, add_call
from services.privacy_requests.subject_data import Decrypter, collect_rows
from services.staff_notifications import notify_assignee

NOTE = "Le client rappellera lundi : son employeur doit lui envoyer l'attestation."
SUMMARY = "Échéancier accepté oralement\nconfirmation écrite à suivre"


def _notes(settings: Settings) -> list[DossierNote]:
    with session_scope(settings) as session:
        return list(session.exec(select(DossierNote)).all())


def _creditor(settings: Settings, dossier_id: str) -> DossierCreditor:
    with session_scope(settings) as session:
        return session.exec(
            select(DossierCreditor).where(DossierCreditor.dossier_id == dossier_id)
        ).first()  # type: ignore[return-value]


def _minutes_from_now(delta: timedelta) -> str:
    return (utcnow() + delta).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def test_a_note_and_a_call_are_encrypted_shown_in_the_timeline_and_audited(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.colleague)  # same team: may write on it
    page = html.unescape(client.get(f"/dossiers/{dossier.id}").text)
    assert "Ajouter une note" in page and "Consigner un appel" in page

    done = client.post(
        f"/dossiers/{dossier.id}/notes",
        data={"csrf_token": token, "text": NOTE},
        follow_redirects=False,
    )
    assert done.status_code == 303
    creditor = _creditor(web_settings, dossier.id)
    call = client.post(
        f"/dossiers/{dossier.id}/calls",
        data={
            "csrf_token": token,
            "direction": "outbound",
            "party": f"creditor:{creditor.id}",
            "called_at": _minutes_from_now(-timedelta(hours=1)),
            "duration_minutes": "12",
            "summary": SUMMARY,
        },
        follow_redirects=False,
    )
    assert call.status_code == 303

    note_row, call_row = sorted(_notes(web_settings), key=lambda row: row.kind, reverse=True)
    assert (note_row.kind, call_row.kind) == ("note", "call")
    # At rest: ciphertext only, bound to its row, readable under the client's key.
    for row, text in ((note_row, NOTE), (call_row, SUMMARY)):
        assert (
            row.text_enc and "attestation" not in row.text_enc and "Échéancier" not in row.text_enc
        )
        with session_scope(web_settings) as session:
            owner = session.get(Client, row.client_id)
            assert owner is not None
            cipher = ClientCipher.for_client(owner, web_settings)
        assert cipher.decrypt("dossier_note", "text", row.id, row.text_enc) == text
    assert (call_row.call_direction, call_row.call_creditor_id, call_row.duration_minutes) == (
        "outbound",
        creditor.id,
        12,
    )

    page = html.unescape(client.get(f"/dossiers/{dossier.id}").text)
    timeline = page[page.index('id="h-timeline"') :]
    assert NOTE in timeline and "Bruno Petit" in timeline
    assert "Appel sortant · Banque Exemple" in timeline and "12 minutes" in timeline
    assert "Échéancier accepté oralement\nconfirmation écrite à suivre" in timeline
    writes = audit_entries(web_settings, "dossier_note.write")
    assert [e.object_id for e in writes] == [note_row.id, call_row.id]
    [read] = audit_entries(web_settings, "dossier_note.read")
    assert read.actor == f"staff:{staff.colleague.id}" and read.object_id == dossier.id
    assert NOTE not in str(read.detail) and NOTE not in str(writes[0].detail)

    # The API's timeline gives them too, to those who may read the dossier.
    headers = {"Authorization": f"Bearer {token_for(client, staff.supervisor)}"}
    entries = client.get(f"/api/v1/dossiers/{dossier.id}/timeline", headers=headers).json()
    assert {e["note_kind"] for e in entries} >= {"note", "call"}


def test_another_teams_dossier_is_refused_and_nothing_is_written(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.other_team)
    refused = client.post(f"/dossiers/{dossier.id}/notes", data={"csrf_token": token, "text": NOTE})
    assert refused.status_code == 403
    blank = client.post(f"/dossiers/{dossier.id}/notes", data={"csrf_token": token, "text": ""})
    assert blank.status_code == 403  # told it may not write before being told what is missing
    assert count(web_settings, DossierNote) == 0
    assert audit_entries(web_settings, "access.denied")


def test_bad_input_keeps_the_text_names_the_field_and_writes_nothing(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.case_worker)
    url = f"/dossiers/{dossier.id}"

    empty = client.post(f"{url}/notes", data={"csrf_token": token, "text": "   "})
    assert empty.status_code == 422
    assert NOTE_MISSING in html.unescape(empty.text)

    too_long = "Très long. " * 500  # 5,500 characters
    refused = client.post(f"{url}/notes", data={"csrf_token": token, "text": too_long})
    page = html.unescape(refused.text)
    assert refused.status_code == 422
    assert "5000 caractères au maximum." in page and too_long.strip() in page
    assert 'aria-invalid="true"' in page and "La note n'a pas été ajoutée" in page

    future = client.post(
        f"{url}/calls",
        data={
            "csrf_token": token,
            "direction": "inbound",
            "party": "client",
            "called_at": _minutes_from_now(timedelta(hours=2)),
            "duration_minutes": "abc",
            "summary": SUMMARY,
        },
    )
    page = html.unescape(future.text)
    assert future.status_code == 422
    assert CALL_IN_FUTURE in page and "Durée en minutes : un nombre entier" in page
    assert SUMMARY in page and "L'appel n'a pas été consigné" in page

    # A creditor of another dossier is not someone this dossier's call was with.
    other = seed_dossier(web_settings, staff.case_worker, email="autre@exemple.fr")
    stranger = _creditor(web_settings, other.id)
    wrong = client.post(
        f"{url}/calls",
        data={
            "csrf_token": token,
            "direction": "inbound",
            "party": f"creditor:{stranger.id}",
            "called_at": _minutes_from_now(-timedelta(minutes=5)),
            "duration_minutes": "",
            "summary": SUMMARY,
        },
    )
    assert wrong.status_code == 422
    assert "Choisissez avec qui a eu lieu l'appel" in html.unescape(wrong.text)
    assert count(web_settings, DossierNote) == 0


def test_a_closed_dossier_takes_no_note_and_an_erased_clients_notes_show_as_erased(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    token = sign_in(client, staff.case_worker)
    url = f"/dossiers/{dossier.id}"
    added = client.post(f"{url}/notes", data={"csrf_token": token, "text": NOTE})
    assert added.status_code == 200 and "Note ajoutée" in html.unescape(added.text)

    # The access package gives the note in clear; the staff's inbox is not the person's.
    with session_scope(web_settings) as session:
        client_row = session.get(Client, dossier.client_id)
        rows = collect_rows(session, dossier.client_id)
        [row] = rows.rows["dossier_note"]
        table = SQLModel.metadata.tables["dossier_note"]
        values = Decrypter(session, web_settings, client_row).values(table, row)
    assert {v.column: v.value for v in values}["text_enc"] == NOTE
    assert "staff_notification" not in rows.rows

    with session_scope(web_settings) as session:
        row = session.get(Client, dossier.client_id)
        assert row is not None
        row.wrapped_key = None  # what an erasure does: the key is destroyed
        session.add(row)
    page = html.unescape(client.get(url).text)
    assert ERASED_TEXT in page and NOTE not in page and "Ajouter une note" not in page
    refused = client.post(f"{url}/notes", data={"csrf_token": token, "text": "Encore"})
    assert refused.status_code == 422 and CLIENT_ERASED in html.unescape(refused.text)

    closed = seed_dossier(web_settings, staff.case_worker, email="clos@exemple.fr")
    with session_scope(web_settings) as session:
        dossier_row = session.get(Dossier, closed.id)
        assert dossier_row is not None
        dossier_row.stage = Stage.CLOSED
        session.add(dossier_row)
    refused = client.post(
        f"/dossiers/{closed.id}/notes", data={"csrf_token": token, "text": "Après coup"}
    )
    page = html.unescape(refused.text)
    assert refused.status_code == 422 and DOSSIER_CLOSED in page and 'id="action-error"' in page
    assert count(web_settings, DossierNote) == 1


def test_retention_deletes_the_notes_and_notifications_with_the_dossier(
    staff: Staff, web_settings: Settings
) -> None:
    dossier = seed_dossier(web_settings, staff.case_worker)
    creditor = _creditor(web_settings, dossier.id)
    call = CallInput(
        direction=CallDirection.OUTBOUND,
        party=f"creditor:{creditor.id}",
        called_at=utcnow(),
        summary=SUMMARY,
    )
    with session_scope(web_settings) as session:
        author = session.get(StaffUser, staff.colleague.id)
        assert author is not None
        add_call(session, web_settings, author, dossier.id, call)
        notify_assignee(
            session,
            web_settings,
            dossier_id=dossier.id,
            kind=NotificationKind.DOCUMENT_RECEIVED,
            source_key="retention-test",
        )
    report = ActivityEnvironment().run(
        RetentionActivities(web_settings).anonymise_dossier, DossierRef(dossier.id)
    )
    assert report.rows_deleted["dossier_note"] == 1
    assert report.rows_deleted["staff_notification"] == 1
    assert count(web_settings, DossierNote) == 0 and count(web_settings, StaffNotification) == 0
