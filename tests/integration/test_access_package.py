"""The access package (GDPR Art. 15) of a client whose dossier went through negotiation: every
personal column of the schema is in it (or named in its dictionary with why it is not given),
their documents decrypted, the creditors by name, the accesses by role, and nobody else's data.
The rows are written by the app's own code: intake, documents, budget, consent, offer, a message
to the creditor through a real SMTP server, a reply, a schedule, a note, a request."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

from support.negotiation import (
    creditor_email,
    draft_offer,
    give_consent,
    record_reply_row,
    seed_negotiations,
)
from support.privacy import make_dpo
from support.stack import TINY_PDF, smtp_catcher
from temporalio.testing import ActivityEnvironment

from activities.contracts.negotiation import CreditorMessage, ScheduleRequest
from activities.creditor_messages import CreditorMessageActivities
from activities.negotiation_records import NegotiationRecordActivities
from config.settings import Settings
from domain.clock import utcnow
from domain.contact_fields import normalise_phone
from domain.dossier_notes import CallDirection, CallInput
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.rectification import RectifiableField, RectificationIn
from domain.privacy.request import Channel, Right
from domain.staged_writes import StagedWriteKind
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from models.staff import StaffUser
from services.audit import audit_client_data_read
from services.dossiers.notes import add_call
from services.dossiers.timeline import add_timeline_event
from services.dossiers.updates import stage_dossier_text
from services.privacy_requests.access_package import build_access_package
from services.privacy_requests.identity import store_identity_document
from services.privacy_requests.notes import write_note
from services.privacy_requests.package_files import package_zip
from services.privacy_requests.records import create_request
from services.privacy_requests.rectification import rectify
from services.privacy_requests.subject_data import personal_columns, subject_tables

CREDITOR_STAFF = "m.bernard@banque-exemple-1.example"
CREDITOR_PHONE = "01 44 55 66 77"
CLIENT_EMAIL = "client@example.org"


async def _rich_client(settings: Settings) -> tuple[str, str]:
    """A client with a row in every table that can hold their data; (client id, request id)."""
    seed = seed_negotiations(settings)
    negotiation = seed.negotiation_ids[0]
    identity_doc, _ = seed.document_ids
    categories = [ShareCategory.IDENTITY, ShareCategory.DEBTS, ShareCategory.DOCUMENTS]
    give_consent(settings, negotiation, categories, [identity_doc])
    offer_id = draft_offer(settings, negotiation)
    with smtp_catcher(settings.mailbox_dir, settings.smtp_port):
        await ActivityEnvironment().run(
            CreditorMessageActivities(settings).send_creditor_message,
            CreditorMessage(
                negotiation, MessageKind.OFFER.value, f"negotiation:{negotiation}:o1", offer_id
            ),
        )
    record_reply_row(
        settings,
        negotiation,
        "accepted",
        terms=f"Accord. Votre contact : {CREDITOR_STAFF}, {CREDITOR_PHONE}.",
    )
    ActivityEnvironment().run(
        NegotiationRecordActivities(settings).create_schedule,
        ScheduleRequest(negotiation, offer_id),
    )
    dpo = make_dpo(settings)
    with session_scope(settings) as session:
        staff = session.get(StaffUser, seed.staff_id)
        assert staff is not None
        stage_dossier_text(
            session, settings, staff, seed.dossier_id, StagedWriteKind.CLOSURE_NOTE, "Plan signé."
        )
        add_timeline_event(session, seed.dossier_id, "note-1", "note", "Appel du client", "system")
        add_call(
            session,
            settings,
            staff,
            seed.dossier_id,
            CallInput(
                direction=CallDirection.INBOUND,
                party="client",
                called_at=utcnow() - timedelta(minutes=30),
                duration_minutes=10,
                summary="Le client confirme son nouveau numéro.",
            ),
        )
        audit_client_data_read(session, f"staff:{staff.id}", seed.client_id, "appel du client")
        actor = session.get(StaffUser, dpo.id)
        assert actor is not None
        request = create_request(
            session,
            PrivacyRequestIn(
                right=Right.ACCESS,
                client_id=seed.client_id,
                channel=Channel.EMAIL,
                received_at=utcnow() - timedelta(hours=1),
            ),
            actor,
            settings,
            utcnow(),
        )
        write_note(session, request, "Identité vérifiée par téléphone.", "staff:1", settings)
        store_identity_document(session, settings, actor, request.id, "cni.pdf", TINY_PDF, utcnow())
        correction_request = create_request(
            session,
            PrivacyRequestIn(
                right=Right.RECTIFICATION,
                client_id=seed.client_id,
                channel=Channel.LETTER,
                received_at=utcnow() - timedelta(hours=1),
            ),
            actor,
            settings,
            utcnow(),
        )
        rectify(
            session,
            settings,
            actor,
            correction_request.id,
            RectificationIn(
                field=RectifiableField.PHONE,
                new_value="07 11 22 33 44",
                justification="Nouveau numéro.",
            ),
            utcnow(),
        )
        return seed.client_id, request.id


def _package(settings: Settings, request_id: str) -> zipfile.ZipFile:
    with session_scope(settings) as session:
        request = session.get(PrivacyRequest, request_id)
        assert request is not None
        package = build_access_package(session, settings, request, utcnow())
    return zipfile.ZipFile(io.BytesIO(package_zip(package)))


async def test_every_personal_column_is_in_the_package_and_no_third_party(
    mail_settings: Settings,
) -> None:
    _, request_id = await _rich_client(mail_settings)
    archive = _package(mail_settings, request_id)
    content = json.loads(archive.read("donnees.json"))
    dictionary = {(line["table"], line["column"]): line for line in content["dictionnaire"]}

    # Every personal column of every table that can hold the person's data: in the dictionary,
    # and its value in the data unless the dictionary says why not.
    expected = {
        (table.name, column.name)
        for table in subject_tables()
        for column in personal_columns(table)
    }
    assert expected - set(dictionary) == set(), "personal columns missing from the package"
    given: set[tuple[str, str]] = set()
    for tables in content["donnees"].values():
        for table, rows in tables.items():
            for row in rows:
                given |= {(table, column) for column in row if column != "ligne"}
    withheld = {key for key, line in dictionary.items() if not line["given"]}
    assert expected - withheld - given == set()
    assert all(dictionary[key]["note"] for key in withheld)

    text = json.dumps(content, ensure_ascii=False)
    # Decrypted, not ciphertext: the client's own details and what the company wrote.
    for clear in ("Jeanne", "Dupont", CLIENT_EMAIL, "12 rue des Lilas", "CPT-1-7731", "Plan",
                  normalise_phone("07 11 22 33 44"), "Nouveau numéro."):  # fmt: skip
        assert clear in text, clear
    assert "[illisible" not in text
    # Nobody else's data: the creditor's staff member and the creditor's address are masked.
    for third_party in (CREDITOR_STAFF, CREDITOR_PHONE, creditor_email(1)):
        assert third_party not in text, third_party
        for name in archive.namelist():
            if name.endswith((".csv", ".html", ".json", ".txt")):
                assert third_party not in archive.read(name).decode(), (name, third_party)
    assert "[adresse d'un tiers masquée]" in text

    # The creditor by name with what it received; the accesses with staff by role only.
    [shared] = content["destinataires"]
    assert shared["creditor"] == "Banque Exemple 1"
    assert "Justificatifs" not in shared["categories"]
    accesses = list(csv.DictReader(io.StringIO(archive.read("acces.csv").decode())))
    assert {"Conseiller", "Délégué à la protection des données"} <= {a["qui"] for a in accesses}
    assert "Claire Martin" not in archive.read("acces.csv").decode()
    # The documents, decrypted; one CSV per category; a readable HTML and a PDF.
    assert [n for n in archive.namelist() if n.startswith("pieces/")] == [
        "pieces/001-identity.pdf",
        "pieces/002-income.pdf",
    ]
    assert archive.read("pieces/001-identity.pdf") == TINY_PDF
    assert {"csv/account.csv", "csv/financial.csv", "csv/negotiation_history.csv"} <= set(
        archive.namelist()
    )
    html = archive.read("document.html").decode()
    assert "CNIL" in html and "Banque Exemple 1" in html and "Durée de conservation" in html
    assert archive.read("document.pdf").startswith(b"%PDF")
