"""Concurrent writers on one database: no "database is locked", nothing lost, chain intact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import func, select
from support.stack import intake, make_dossier, make_staff

from config.settings import Settings
from models.database import session_scope
from models.dossier import Dossier
from models.outbox import WorkflowStartIntent
from services.audit import verify_audit_chain

WRITERS = 8
DOSSIERS_EACH = 6


def test_parallel_intakes_all_commit(db_settings: Settings) -> None:
    staff = make_staff(db_settings)

    def write(writer: int) -> int:
        for number in range(DOSSIERS_EACH):
            make_dossier(db_settings, staff, intake(email=f"client{writer}.{number}@example.org"))
        return DOSSIERS_EACH

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        written = sum(pool.map(write, range(WRITERS)))

    with session_scope(db_settings) as session:
        dossiers = session.exec(select(func.count()).select_from(Dossier)).one()
        intents = session.exec(select(func.count()).select_from(WorkflowStartIntent)).one()
        references = session.exec(select(Dossier.reference)).all()
        report = verify_audit_chain(session)
    assert written == dossiers == intents == WRITERS * DOSSIERS_EACH
    assert len(set(references)) == len(references)
    assert report.ok, report.problems
