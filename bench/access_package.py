"""Part 3: the access package of a client with many emails and audit entries, beside a plain
SELECT dump of the same rows in the same run.

A fresh SQLite database gets one client (intake through the app's own code), N emails queued
through the outbox (encrypted as the app encrypts them) and N audit entries about the client
(through the audit chain). Then, taking turns round by round: the package as the person gets it
(every row decrypted, third parties masked, JSON, CSV, HTML, PDF, ZIP), its parts timed apart,
and the baseline: the same email and audit rows read by one SELECT each and written as JSON,
without decryption.
"""

from __future__ import annotations

import io
import json
import statistics
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

from bench.console import say
from config.loading import dev_settings
from config.settings import Settings
from domain.clock import utcnow
from domain.intake import DossierCreate
from domain.privacy.intake import PrivacyRequestIn
from domain.privacy.request import Channel, Right
from models.client import Client
from models.database import engine_for, session_scope
from models.privacy_request import PrivacyRequest
from models.staff import Role
from rendering.email import RenderedEmail
from services.audit import append_audit
from services.dossiers.intake import create_dossier
from services.email_outbox import queue_email
from services.privacy_requests.access_package import build_access_package
from services.privacy_requests.package_files import package_zip, render_html
from services.privacy_requests.records import create_request
from services.staff_accounts import create_staff_user

CLIENT_EMAIL = "grand.volume@example.org"


@dataclass(frozen=True)
class AccessPackageResult:
    emails: int
    audit_rows: int
    rounds: int
    package_ms: float
    collect_ms: float
    html_ms: float
    zip_ms: float
    select_dump_ms: float
    zip_bytes: int
    rows_in_package: int

    @property
    def ratio(self) -> float:
        return self.package_ms / self.select_dump_ms


def _fill(settings: Settings, emails: int, audit_rows: int) -> str:
    """The client's request id, once their emails and audit entries are written."""
    SQLModel.metadata.create_all(engine_for(settings.database_url))
    with session_scope(settings) as session:
        worker = create_staff_user(
            session,
            email="bench.conseil@cravelynos.example",
            display_name="Banc d'essai",
            role=Role.CASE_WORKER,
            team="paris",
            password="bench-password-not-secret",
        )
        dpo = create_staff_user(
            session,
            email="bench.dpo@cravelynos.example",
            display_name="DPO",
            role=Role.DPO,
            team="paris",
            password="bench-password-not-secret",
        )
        dossier = create_dossier(
            session,
            DossierCreate(
                first_name="Gaëlle",
                last_name="Volume",
                email=CLIENT_EMAIL,
                phone="06 11 22 33 44",
                address="3 place des Essais\n69001 Lyon",
                departement="69",
                creditors=[{"name": "Banque Exemple", "kind": "bank"}],
                expected_documents=["identity"],
            ),
            worker,
            settings,
        )
        client = session.get(Client, dossier.client_id)
        assert client is not None
        for number in range(emails):
            body = f"Bonjour, voici le point n° {number} sur votre dossier {dossier.reference}."
            queue_email(
                session,
                settings,
                key=f"bench:{number}",
                client=client,
                dossier_id=dossier.id,
                template="document_reminder",
                rendered=RenderedEmail(CLIENT_EMAIL, f"Point n° {number}", body, f"<p>{body}</p>"),
            )
        for number in range(audit_rows):
            append_audit(
                session, f"staff:{worker.id}", "client.read", "client", client.id,
                reason=f"consultation n° {number}",
            )  # fmt: skip
        request = create_request(
            session,
            PrivacyRequestIn(
                right=Right.ACCESS,
                client_id=client.id,
                channel=Channel.EMAIL,
                received_at=utcnow() - timedelta(hours=1),
            ),
            dpo,
            settings,
            utcnow(),
        )
        return request.id


def _select_dump(settings: Settings, client_id: str) -> int:
    """The same rows, read plainly and written as JSON: what any export costs at least."""
    with engine_for(settings.database_url).connect() as connection:
        mails = connection.execute(
            text("SELECT * FROM email_outbox WHERE client_id = :c"), {"c": client_id}
        ).mappings()
        audit = connection.execute(
            text("SELECT * FROM audit_entry WHERE object_id = :c"), {"c": client_id}
        ).mappings()
        dumped = json.dumps([dict(r) for r in mails] + [dict(r) for r in audit], default=str)
    return len(dumped)


def measure_access_package(emails: int, audit_rows: int, rounds: int) -> AccessPackageResult:
    with tempfile.TemporaryDirectory(prefix="cravelynos-bench-access-") as tmp:
        settings = dev_settings(Path(tmp), database_url=f"sqlite:///{Path(tmp) / 'access.db'}")
        say(f"access package: writing {emails:,} emails and {audit_rows:,} audit entries…")
        request_id = _fill(settings, emails, audit_rows)
        with session_scope(settings) as session:
            request = session.get(PrivacyRequest, request_id)
            assert request is not None and request.client_id is not None
            client_id = request.client_id
        package_s, collect_s, html_s, zip_s, dump_s = [], [], [], [], []
        size = rows = 0
        for number in range(rounds + 1):
            began = time.perf_counter()
            _select_dump(settings, client_id)
            dumped = time.perf_counter() - began
            began = time.perf_counter()
            with session_scope(settings) as session:
                request = session.get(PrivacyRequest, request_id)
                assert request is not None
                package = build_access_package(session, settings, request, utcnow())
            collected = time.perf_counter()
            render_html(package)
            rendered = time.perf_counter()
            archive = package_zip(package)
            done = time.perf_counter()
            if number == 0:
                continue  # warm-up: caches, template compilation
            dump_s.append(dumped)
            collect_s.append(collected - began)
            html_s.append(rendered - collected)
            zip_s.append(done - rendered)
            package_s.append((collected - began) + (done - rendered))
            size, rows = len(archive), package.row_count()
            zipfile.ZipFile(io.BytesIO(archive)).testzip()
            say(f"access package: round {number}/{rounds} in {package_s[-1]:.1f} s")
    return AccessPackageResult(
        emails=emails,
        audit_rows=audit_rows,
        rounds=rounds,
        package_ms=_median_ms(package_s),
        collect_ms=_median_ms(collect_s),
        html_ms=_median_ms(html_s),
        zip_ms=_median_ms(zip_s),
        select_dump_ms=_median_ms(dump_s),
        zip_bytes=size,
        rows_in_package=rows,
    )


def _median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000
