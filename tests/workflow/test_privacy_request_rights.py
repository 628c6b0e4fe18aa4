"""Access and portability end to end: the DPO grants both, the workflow makes the files, the
client's answer email carries one single-use link each, and the links give the files once,
through the public pages (time-skipping server, real SQLite, real SMTP)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select
from support.negotiation import seed_negotiations
from support.privacy import make_dpo, record_privacy_request, start_privacy_request
from support.stack import wait_for_messages
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from domain.privacy.request import Outcome, Right
from models.database import session_scope
from models.privacy_request import PrivacyDownload
from web.app import create_app
from worker import build_worker
from workflows.privacy_request_messages import (
    DECIDE_UPDATE,
    RESPOND_UPDATE,
    DecideRight,
    SendResponse,
)

LINK = re.compile(r"https?://\S+/espace/mes-donnees/[^\s<>\"')]+")
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CLIENT_EMAIL = "client@example.org"


def _take(client: TestClient, url: str) -> tuple[int, bytes, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text
    [nonce] = NONCE.findall(page.text)
    taken = client.post(url, data={"nonce": nonce})
    return taken.status_code, taken.content, taken.headers.get("content-type", "")


async def test_access_and_portability_are_answered_with_files_given_once(
    time_env: WorkflowEnvironment, wf_client: Client, wf_settings: Settings
) -> None:
    seed = seed_negotiations(wf_settings, client_email=CLIENT_EMAIL)
    dpo = make_dpo(wf_settings)
    now = await time_env.get_current_time()
    row = record_privacy_request(
        wf_settings,
        dpo,
        now - timedelta(hours=2),
        Right.ACCESS,
        Right.PORTABILITY,
        client_id=seed.client_id,
    )
    async with build_worker(wf_client, wf_settings):
        handle = await start_privacy_request(wf_client, wf_settings, row)
        for right in (Right.ACCESS, Right.PORTABILITY):
            await handle.execute_update(
                DECIDE_UPDATE, DecideRight(right.value, Outcome.FULFILLED.value, "staff:1")
            )
        await handle.execute_update(RESPOND_UPDATE, SendResponse("staff:1"))
        await handle.result()
    [answer] = await wait_for_messages(wf_settings, 1)
    assert answer.recipients == [CLIENT_EMAIL]
    access_url, portability_url = LINK.findall(answer.text)
    assert "une seule fois" in answer.text

    with TestClient(create_app(wf_settings)) as client:
        status, content, kind = _take(client, access_url)
        assert (status, kind) == (200, "application/zip")
        archive = zipfile.ZipFile(io.BytesIO(content))
        data = json.loads(archive.read("donnees.json"))
        assert "Jeanne" in json.dumps(data, ensure_ascii=False)
        assert [n for n in archive.namelist() if n.startswith("pieces/")] == [
            "pieces/001-identity.pdf",
            "pieces/002-income.pdf",
        ]
        # Once only: the page and the button both say it is gone, and the file is shredded.
        again = client.get(access_url)
        assert again.status_code == 410 and "déjà été téléchargé" in again.text
        with session_scope(wf_settings) as session:
            downloads = session.exec(select(PrivacyDownload)).all()
            taken = [d for d in downloads if d.kind == "access"][0]
            assert taken.downloaded_at is not None
            assert not (wf_settings.documents_dir / taken.stored_name).exists()

        status, content, _ = _take(client, portability_url)
        archive = zipfile.ZipFile(io.BytesIO(content))
        portable = json.loads(archive.read("portabilite.json"))
        schema = json.loads(archive.read("schema.json"))
        assert set(portable) == set(schema["required"])
        [contact] = portable["coordonnees"]
        assert contact["email"] == CLIENT_EMAIL and contact["nom"] == "Dupont"
        assert {c["creancier"] for c in portable["creanciers"]} == {
            "Banque Exemple 1",
            "Banque Exemple 2",
        }
        assert "csv/coordonnees.csv" in archive.namelist()

        # A tampered link is refused and changes nothing.
        tampered = client.get(portability_url[:-3] + "abc")
        assert tampered.status_code == 400
