"""The dossier list answers right at 100,000 dossiers and decrypts only the rows it shows.

The bulk rows carry keys nobody can unwrap: reading any of them beyond the page would fail.
How fast it answers is measured by `make bench` (bench/list_latency.py), against a static file
in the same run: a wall-clock limit here failed whenever the machine was busy.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from support.webapp import Staff, seed_dossier

from config.settings import Settings
from domain.clock import utcnow
from domain.dossier_stages import Stage
from models.client import Client
from models.database import session_scope
from models.dossier import Dossier
from models.staff import StaffUser
from services.dossiers.queries import DossierPage, list_dossiers

BULK = 100_000
BATCH = 10_000


def bulk_insert(settings: Settings, staff: Staff) -> None:
    start = utcnow() - timedelta(days=400)
    assignees = [staff.case_worker.id, staff.colleague.id, staff.other_team.id]
    stages = [Stage.INTAKE, Stage.AWAITING_DOCUMENTS, Stage.DOCUMENTS_COMPLETE, Stage.CLOSED]
    with session_scope(settings) as session:
        for offset in range(0, BULK, BATCH):
            clients, dossiers = [], []
            for n in range(offset, offset + BATCH):
                client_id = f"c{n:031d}"
                assignee = assignees[n % 3]
                clients.append(
                    {
                        "id": client_id,
                        "wrapped_key": "unknown-key.AAAA",
                        "first_name_enc": "v1.x",
                        "last_name_enc": "v1.x",
                        "email_bidx": secrets.token_hex(32),
                        "last_name_bidx": secrets.token_hex(32),
                        "departement": "75",
                        "preferred_channel": "EMAIL",
                        "created_at": start,
                    }
                )
                dossiers.append(
                    {
                        "id": f"d{n:031d}",
                        "reference": f"CRV-2024-{n:06d}",
                        "client_id": client_id,
                        "assignee_id": assignee,
                        "team": "lyon" if assignee == staff.other_team.id else "paris",
                        "stage": stages[n % 4].name,
                        "created_at": start + timedelta(seconds=n),
                        "updated_at": start,
                        "legal_hold": False,
                    }
                )
            session.execute(insert(Client), clients)
            session.execute(insert(Dossier), dossiers)


def listed(settings: Settings, viewer: StaffUser, **kwargs: Any) -> DossierPage:
    with session_scope(settings) as session:
        return list_dossiers(session, viewer, settings=settings, **kwargs)


def test_list_at_scale(staff: Staff, web_settings: Settings) -> None:
    bulk_insert(web_settings, staff)
    newest = [seed_dossier(web_settings, staff.case_worker, last_name=f"Nom{i}") for i in range(3)]

    page = listed(web_settings, staff.case_worker, per_page=3)
    assert page.total == BULK * 2 // 3 + 3 + 1  # paris team: 2 of 3 bulk rows, rounded up
    assert [i.id for i in page.items] == [d.id for d in reversed(newest)]

    page = listed(web_settings, staff.dpo, q="jeanne.dupont@exemple.fr")
    assert page.total == 3

    page = listed(web_settings, staff.supervisor, q="nom1")
    assert [i.client_name for i in page.items] == ["Jeanne Nom1"]

    page = listed(web_settings, staff.case_worker, stage="intake", per_page=3)
    assert [i.id for i in page.items] == [d.id for d in reversed(newest)]

    page = listed(web_settings, staff.dpo, q=f"crv-{utcnow().year}-")
    assert [i.reference for i in page.items] == [d.reference for d in reversed(newest)]
