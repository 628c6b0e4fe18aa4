"""Erasure end to end on the time-skipping server, a real SQLite database and a real SMTP
server: past every legal obligation, nothing decryptable about the person remains (their data
key destroyed, their documents and emails gone, their address off their request), and a backup
taken before and restored after gets the erasure again; within the obligations, the answer says
what goes now and what is kept, why and until when, and only the emails go."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from support.negotiation import creditor_email, draft_offer, give_consent, seed_negotiations
from support.pii_scan import spellings
from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.stack import received, wait_for_messages
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.contracts.negotiation import CreditorMessage
from activities.creditor_messages import CreditorMessageActivities
from config.settings import Settings
from domain.dossier_stages import Stage
from domain.french_dates import french_date
from domain.negotiation.sharing import MessageKind, ShareCategory
from domain.privacy.request import Outcome, Right
from domain.retention import add_years
from models.client import Client as ClientRow
from models.database import session_scope
from models.document import Document
from models.dossier import Dossier
from models.outbox import OutboxEmail
from models.privacy_request import ErasureLedgerEntry, ErasureNotice, PrivacyRequest
from security.datakeys import ClientCipher, ClientErasedError
from services.audit import verify_audit_chain
from services.backups import backups_dir, restore_backup, take_backup
from services.privacy_requests.notes import write_note
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    RESPOND_UPDATE,
    DecideRight,
    SendResponse,
)

CLIENT_EMAIL = "client@example.org"
PERSONAL = ["Jeanne", "Dupont", CLIENT_EMAIL, "06 12 34 56 78", "12 rue des Lilas", "CPT-1-7731"]


def _closed(settings: Settings, dossier_id: str, closed_at: datetime) -> None:
    with session_scope(settings) as session:
        dossier = session.get(Dossier, dossier_id)
        assert dossier is not None
        dossier.stage, dossier.closed_at = Stage.CLOSED, closed_at
        session.add(dossier)


async def _erase(
    env: WorkflowEnvironment, client: Client, settings: Settings, client_id: str, outcome: Outcome
) -> str:
    """The DPO grants erasure and answers; the answer's text."""
    row = record_privacy_request(
        settings, make_dpo(settings), await env.get_current_time(), Right.ERASURE,
        client_id=client_id,
    )  # fmt: skip
    async with build_worker(client, settings):
        handle = await start_privacy_request(client, settings, row)
        reasons = None
        if outcome == Outcome.PARTIAL:
            with session_scope(settings) as session:
                request = session.get(PrivacyRequest, row.id)
                assert request is not None
                reasons = write_note(session, request, "Obligation légale.", "staff:1", settings)
        await handle.execute_update(
            DECIDE_UPDATE, DecideRight(Right.ERASURE.value, outcome.value, "staff:1", reasons)
        )
        await handle.execute_update(RESPOND_UPDATE, SendResponse("staff:1"))
        await handle.result()
    answers = [m for m in await wait_for_messages(settings, 1) if m.recipients == [CLIENT_EMAIL]]
    answer = answers[-1]
    return answer.text


async def test_past_every_obligation_nothing_decryptable_remains(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, client_email=CLIENT_EMAIL)
    negotiation = seed.negotiation_ids[0]
    give_consent(wf_settings, negotiation, [ShareCategory.IDENTITY, ShareCategory.DEBTS])
    offer_id = draft_offer(wf_settings, negotiation)
    await ActivityEnvironment().run(
        CreditorMessageActivities(wf_settings).send_creditor_message,
        CreditorMessage(negotiation, MessageKind.OFFER.value, "k:offer", offer_id),
    )
    now = await time_env.get_current_time()
    _closed(wf_settings, seed.dossier_id, now - timedelta(days=6 * 365))
    with session_scope(wf_settings) as session:
        paths = [
            wf_settings.documents_dir / d.stored_name
            for d in session.exec(select(Document).where(Document.client_id == seed.client_id))
        ]
    assert paths and all(path.exists() for path in paths)
    before = take_backup(wf_settings)

    text = await _erase(time_env, wf_client, wf_settings, seed.client_id, Outcome.FULFILLED)
    assert "Identité et coordonnées : effacées" in text
    assert "conservées" not in text
    # The creditor that received the data is asked to erase it too, with nothing of the person.
    [notice] = [m for m in received(wf_settings) if "effacement de données" in m.subject]
    assert notice.recipients == [creditor_email(1)]
    assert not any(value in notice.text for value in PERSONAL)
    with session_scope(wf_settings) as session:
        [sent] = session.exec(select(ErasureNotice)).all()
        assert sent.sent_at is not None

    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, seed.client_id)
        assert client is not None and client.wrapped_key is None and client.erased_at
        assert client.email_bidx is None and client.first_name_enc is None
        assert (
            session.exec(select(OutboxEmail).where(OutboxEmail.client_id == seed.client_id)).all()
            == []
        )
        assert (
            session.exec(select(Document).where(Document.client_id == seed.client_id)).all() == []
        )
        [request] = session.exec(select(PrivacyRequest)).all()
        assert request.email_enc is None and request.status == "answered"
        [entry] = session.exec(select(ErasureLedgerEntry)).all()
        assert entry.complete and entry.client_id == seed.client_id
    _nothing_of_the_person(wf_settings, seed.client_id, paths)

    # The backup taken before the erasure, restored after it: the erasure is applied again
    # before anything can read the restored data.
    report = restore_backup(wf_settings, backups_dir(wf_settings) / before.name)
    assert report.erasures_reapplied == 1
    _nothing_of_the_person(wf_settings, seed.client_id, paths)
    with session_scope(wf_settings) as session:
        assert len(session.exec(select(ErasureLedgerEntry)).all()) == 1
        assert verify_audit_chain(session).ok


def _nothing_of_the_person(settings: Settings, client_id: str, paths: list[Path]) -> None:
    with session_scope(settings) as session:
        client = session.get(ClientRow, client_id)
        assert client is not None and client.wrapped_key is None
        with pytest.raises(ClientErasedError):
            ClientCipher.for_client(client, settings)
        assert session.exec(select(Document).where(Document.client_id == client_id)).all() == []
        assert (
            session.exec(select(OutboxEmail).where(OutboxEmail.client_id == client_id)).all() == []
        )
    assert not any(path.exists() for path in paths)
    database = (settings.data_dir / "wf.db").read_bytes()
    for value in PERSONAL:
        for spelled in spellings(value):
            assert spelled.encode() not in database, value


async def test_within_the_obligations_the_answer_says_what_is_kept_and_until_when(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, client_email=CLIENT_EMAIL)
    now = await time_env.get_current_time()
    closed_at = now - timedelta(days=365)
    _closed(wf_settings, seed.dossier_id, closed_at)
    before = take_backup(wf_settings)

    text = await _erase(time_env, wf_client, wf_settings, seed.client_id, Outcome.PARTIAL)
    history_until = french_date(add_years(closed_at, 5))
    documents_until = french_date(add_years(closed_at, 3))
    assert (
        f"Historique des négociations et consentements : conservées jusqu'au {history_until}"
        in text
    )
    assert f"Pièces justificatives : conservées jusqu'au {documents_until}" in text
    assert "Courriels et échanges : effacées" in text and "Obligation légale." in text

    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, seed.client_id)
        assert client is not None and client.wrapped_key is not None
        assert client.marketing_emails is False
        # What is kept is only stored: restricted until its obligation ends.
        assert client.restricted_since is not None
        assert (
            session.exec(select(OutboxEmail).where(OutboxEmail.client_id == seed.client_id)).all()
            == []
        )
        assert session.exec(select(Document).where(Document.client_id == seed.client_id)).all()
        [entry] = session.exec(select(ErasureLedgerEntry)).all()
        assert not entry.complete
    # Restored from before: the emails go again, the withheld records stay readable.
    assert (
        restore_backup(wf_settings, backups_dir(wf_settings) / before.name).erasures_reapplied == 1
    )
    with session_scope(wf_settings) as session:
        client = session.get(ClientRow, seed.client_id)
        assert client is not None and client.wrapped_key is not None
        assert (
            session.exec(select(OutboxEmail).where(OutboxEmail.client_id == seed.client_id)).all()
            == []
        )
        assert session.exec(select(Document).where(Document.client_id == seed.client_id)).all()
