"""Part 2's data: a SQLite database at the latest schema holding N dossiers, built once and cached.

Every client is written the way `create_dossier` writes one: a data key of their own wrapped by
the master key ring, each personal field AES-GCM encrypted under it (bound to table, column and
row id), keyed blind indexes for email and last name, and the search index's tokens (the same
words services/dossiers/search_index.py writes at intake). Rows go in with SQLAlchemy Core
executemany, in batches, one transaction per batch. Not written: audit entries and workflow
intents (the list neither reads nor scans them).

The cache lives in bench/.cache/<key>/ (cravelynos.db and the dev-secrets.json its ciphertexts
need). The key holds the schema head revision and a digest of the migrations, so a new schema
rebuilds it (and the older cache of the same size is then removed); runs copy it and never write
to it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bench.console import say
from config.loading import dev_settings
from config.settings import Settings
from domain.clock import utcnow
from domain.contact_fields import ContactChannel
from domain.dossier_stages import CreditorKind, DocumentKind, Outcome, Stage
from models.client import Client
from models.database import engine_for
from models.dossier import Dossier, DossierCreditor, ExpectedDocument, TimelineEvent
from models.migrate import MIGRATIONS_DIR, head_revision, upgrade_database
from models.search_token import ClientSearchToken
from models.staff import Role, StaffUser
from security.blind_index import BlindIndexer, blind_index
from security.datakeys import ClientCipher
from security.passwords import hash_password
from services.dossiers.intake import EMAIL_INDEX, LAST_NAME_INDEX
from services.dossiers.search_index import (
    CREDITOR_KIND,
    ClientDetails,
    client_tokens,
    creditor_tokens,
)

# Bump when what this module writes changes, so caches built by an older version are dropped.
FILL_VERSION = 3
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
DATABASE_FILE = "cravelynos.db"
MANIFEST_FILE = "manifest.json"
BATCH = 5_000
SEED = 20_261_126
SPAN_DAYS = 3 * 365

TEAMS = ("paris", "lyon", "marseille", "lille")
CASE_WORKERS_PER_TEAM = 5
VIEWER_EMAIL = "conseillere.liste@cravelynos.example"
VIEWER_PASSWORD = "banc d'essai, compte de démonstration"

FIRST_NAMES = (
    "Jeanne", "Louis", "Camille", "Hugo", "Inès", "Nathan", "Léa", "Karim", "Chloé", "Lucas",
    "Manon", "Gabriel", "Sarah", "Jules", "Emma", "Mohamed", "Zoé", "Arthur", "Lina", "Paul",
    "Yasmine", "Théo", "Juliette", "Adam", "Élise", "Nicolas", "Aïcha", "Thomas", "Margaux",
    "Antoine",
)  # fmt: skip
LAST_NAMES = (
    "Dupont", "Moreau", "Lefèvre", "Garnier", "Benali", "Nguyen", "Roux", "Faure", "Martin",
    "Bernard", "Petit", "Durand", "Leroy", "Girard", "Bonnet", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Mercier", "Blanc", "Guerin", "Boyer", "Chevalier", "Diallo", "Perrin",
    "Morel", "Henry", "Da Silva",
)  # fmt: skip
STREETS = ("rue des Lilas", "avenue Jean Jaurès", "boulevard Voltaire", "place de la Mairie")
DEPARTEMENTS = ("75", "69", "13", "59", "33", "31", "44", "67", "2A", "974")
CREDITORS = (
    ("Banque Exemple", CreditorKind.BANK),
    ("Crédit Facile", CreditorKind.CREDIT_COMPANY),
    ("Office HLM Exemple", CreditorKind.LANDLORD),
    ("Énergie Exemple", CreditorKind.ENERGY),
    ("Télécom Exemple", CreditorKind.TELECOM),
    ("Recouvrement Exemple", CreditorKind.COLLECTION_AGENCY),
)
DOCUMENT_KINDS = tuple(kind for kind in DocumentKind if kind != DocumentKind.OTHER)


@dataclass(frozen=True)
class FilledDatabase:
    """A data directory holding the database and the dev secrets its ciphertexts need."""

    data_dir: Path
    dossiers: int
    # Seconds the fill took when it ran in this process; None when the cache was reused.
    filled_in_seconds: float | None

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_FILE


def cache_key(dossiers: int) -> str:
    digest = hashlib.sha256(f"fill-v{FILL_VERSION}".encode())
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"sqlite-rev{head_revision()}-{digest.hexdigest()[:12]}-{dossiers}"


def filled_database(dossiers: int) -> FilledDatabase:
    """The cached database for `dossiers`, built first if missing (or built for another schema)."""
    key = cache_key(dossiers)
    target = CACHE_DIR / key
    if (target / MANIFEST_FILE).is_file():
        say(f"fill: reusing {target}")
        return FilledDatabase(target, dossiers, None)
    # Left behind by an interrupted build of this key, if any.
    for leftover in CACHE_DIR.glob(f".building-{key}-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    building = CACHE_DIR / f".building-{key}-{os.getpid()}"
    settings = dev_settings(
        data_dir=building,
        database_url=f"sqlite:///{(building / DATABASE_FILE).as_posix()}",
    )
    say(f"fill: building {dossiers:,} dossiers into {target} (cached for later runs)")
    began = time.perf_counter()
    upgrade_database(settings)
    engine = engine_for(settings.database_url)
    try:
        with engine.connect() as connection:
            fill(connection, settings, dossiers)
    finally:
        engine.dispose()
        engine_for.cache_clear()
    _checkpoint(building / DATABASE_FILE)
    seconds = time.perf_counter() - began
    manifest = {"dossiers": dossiers, "fill_version": FILL_VERSION, "seconds": round(seconds, 1)}
    (building / MANIFEST_FILE).write_text(json.dumps(manifest))
    shutil.rmtree(target, ignore_errors=True)
    os.replace(building, target)
    for stale in CACHE_DIR.glob(f"sqlite-*-{dossiers}"):
        if stale != target:
            shutil.rmtree(stale, ignore_errors=True)
    say(f"fill: {dossiers:,} dossiers in {seconds:.1f} s")
    return FilledDatabase(target, dossiers, seconds)


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file, so the cache is one self-contained file."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def fill(connection: Connection, settings: Settings, dossiers: int) -> None:
    rng = random.Random(SEED)
    with connection.begin():
        teams = _insert_staff(connection)
    now = utcnow().replace(microsecond=0)
    # Oldest first, so references count up through each year as they do in production.
    created = sorted(
        now - timedelta(seconds=rng.uniform(0, SPAN_DAYS * 86400)) for _ in range(dossiers)
    )
    rows = DossierRows(settings, rng, teams, now)
    for start in range(0, dossiers, BATCH):
        batch = rows.batch(created[start : start + BATCH])
        with connection.begin():
            for table, values in batch.items():
                if values:
                    connection.execute(insert(table), values)
        if (start // BATCH) % 4 == 3:
            say(f"fill: {start + len(created[start : start + BATCH]):,} / {dossiers:,}")


def _insert_staff(connection: Connection) -> dict[str, list[int]]:
    """Case workers and a supervisor per team, a DPO; team -> case worker ids (viewer first)."""
    password_hash = hash_password(VIEWER_PASSWORD)
    people: list[dict[str, Any]] = []
    for team in TEAMS:
        for number in range(CASE_WORKERS_PER_TEAM):
            email = (
                VIEWER_EMAIL
                if (team, number) == (TEAMS[0], 0)
                else f"{team}.{number}@cravelynos.example"
            )
            people.append(_staff(email, f"Conseiller {team} {number + 1}", Role.CASE_WORKER, team))
        people.append(
            _staff(f"{team}.sup@cravelynos.example", f"Superviseur {team}", Role.SUPERVISOR, team)
        )
    people.append(
        _staff("dpo@cravelynos.example", "Déléguée à la protection", Role.DPO, "conformite")
    )
    teams: dict[str, list[int]] = {team: [] for team in TEAMS}
    for person in people:
        person["password_hash"] = password_hash
        inserted = connection.execute(insert(StaffUser).values(**person)).inserted_primary_key
        if person["role"] == Role.CASE_WORKER and inserted is not None:
            teams[person["team"]].append(int(inserted[0]))
    return teams


def _staff(email: str, name: str, role: Role, team: str) -> dict[str, Any]:
    return {"email": email, "display_name": name, "role": role, "team": team, "active": True}


def _stage(age_days: float, rng: random.Random) -> Stage:
    """Recent dossiers are open, older ones mostly closed."""
    if age_days < 60:
        open_stages = (Stage.INTAKE, Stage.AWAITING_DOCUMENTS, Stage.DOCUMENTS_COMPLETE)
        return rng.choices(open_stages, (1, 12, 7))[0]
    if age_days < 365:
        later = (Stage.AWAITING_DOCUMENTS, Stage.DOCUMENTS_COMPLETE, Stage.CLOSED)
        return rng.choices(later, (1, 4, 10))[0]
    return Stage.CLOSED


class DossierRows:
    """Builds the rows of one batch; ids of integer-keyed tables are given explicitly because
    the creditor's account reference is encrypted with its row id in the associated data."""

    def __init__(
        self, settings: Settings, rng: random.Random, teams: dict[str, list[int]], now: datetime
    ) -> None:
        self.settings = settings
        self.rng = rng
        self.teams = teams
        self.now = now
        self.per_year: dict[int, int] = {}
        self.next_creditor_id = 1
        self.next_expected_id = 1
        self.next_event_id = 1
        self.hasher = BlindIndexer(settings)
        # The creditors' names are few: their tokens are hashed once.
        self.creditor_tokens = {name: creditor_tokens(name, self.hasher) for name, _ in CREDITORS}

    def batch(self, created: list[datetime]) -> dict[Any, list[dict[str, Any]]]:
        tables: dict[Any, list[dict[str, Any]]] = {
            Client: [],
            Dossier: [],
            DossierCreditor: [],
            ClientSearchToken: [],
            ExpectedDocument: [],
            TimelineEvent: [],
        }
        for at in created:
            for table, row in self._one(at):
                tables[table].append(row)
        return tables

    def _one(self, created_at: datetime) -> Iterator[tuple[Any, dict[str, Any]]]:
        rng = self.rng
        client_id = f"{rng.getrandbits(128):032x}"
        dossier_id = f"{rng.getrandbits(128):032x}"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        wrapped, cipher = ClientCipher.new_client(client_id, self.settings)
        email = f"{_ascii(first)}.{_ascii(last)}.{rng.randrange(10**6)}@exemple.fr"
        phone = f"+336{rng.randrange(10**8):08d}"

        def enc(column: str, value: str) -> str | None:
            return cipher.encrypt("client", column, client_id, value)

        yield (
            Client,
            {
                "id": client_id,
                "wrapped_key": wrapped,
                "first_name_enc": enc("first_name", first),
                "last_name_enc": enc("last_name", last),
                "email_enc": enc("email", email),
                "phone_enc": enc("phone", phone),
                "address_enc": enc(
                    "address", f"{rng.randrange(1, 200)} {rng.choice(STREETS)}\n75011 Paris"
                ),
                "email_bidx": blind_index(EMAIL_INDEX, email, self.settings),
                "last_name_bidx": blind_index(LAST_NAME_INDEX, last, self.settings),
                "departement": rng.choice(DEPARTEMENTS),
                "preferred_channel": ContactChannel.EMAIL,
                "progress_emails": True,
                "marketing_emails": rng.random() < 0.2,
                "created_at": created_at,
            },
        )
        for kind, token in client_tokens(ClientDetails(first, last, email, phone), self.hasher):
            row = {
                "client_id": client_id,
                "dossier_creditor_id": None,
                "kind": kind,
                "token": token,
            }
            yield ClientSearchToken, row
        yield Dossier, self._dossier(dossier_id, client_id, created_at)
        for name, kind in rng.sample(CREDITORS, rng.randint(1, 3)):
            creditor_id = self.next_creditor_id
            self.next_creditor_id += 1
            reference = f"FR76-{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None
            yield (
                DossierCreditor,
                {
                    "id": creditor_id,
                    "dossier_id": dossier_id,
                    "name": name,
                    "kind": kind,
                    "account_reference_enc": cipher.encrypt(
                        "dossier_creditor", "account_reference", str(creditor_id), reference
                    ),
                },
            )
            for token in self.creditor_tokens[name]:
                yield (
                    ClientSearchToken,
                    {
                        "client_id": client_id,
                        "dossier_creditor_id": creditor_id,
                        "kind": CREDITOR_KIND,
                        "token": token,
                    },
                )
        for document in rng.sample(DOCUMENT_KINDS, 2):
            self.next_expected_id += 1
            yield (
                ExpectedDocument,
                {
                    "id": self.next_expected_id - 1,
                    "dossier_id": dossier_id,
                    "kind": document,
                    "received_at": created_at + timedelta(days=3) if rng.random() < 0.6 else None,
                },
            )
        for event, summary in (
            ("created", "Dossier créé"),
            ("dossier_opened", "Dossier ouvert, accusé de réception envoyé au client"),
        ):
            self.next_event_id += 1
            yield (
                TimelineEvent,
                {
                    "id": self.next_event_id - 1,
                    "dossier_id": dossier_id,
                    "at": created_at,
                    "kind": event,
                    "summary": summary,
                    "actor": "system",
                    "idempotency_key": None,
                },
            )

    def _dossier(self, dossier_id: str, client_id: str, created_at: datetime) -> dict[str, Any]:
        rng = self.rng
        team = rng.choice(TEAMS)
        age_days = (self.now - created_at).total_seconds() / 86400
        stage = _stage(age_days, rng)
        number = self.per_year.get(created_at.year, 0) + 1
        self.per_year[created_at.year] = number
        closed = stage == Stage.CLOSED
        closed_at = (
            created_at + timedelta(days=rng.uniform(20, max(21.0, min(age_days, 300))))
            if closed
            else None
        )
        deadline = None
        if stage == Stage.AWAITING_DOCUMENTS and age_days < 14:
            deadline = created_at + timedelta(days=7 if age_days < 7 else 14)
        return {
            "id": dossier_id,
            "reference": f"CRV-{created_at.year}-{number:06d}",
            "client_id": client_id,
            "assignee_id": rng.choice(self.teams[team]),
            "team": team,
            "stage": stage,
            "outcome": rng.choice(list(Outcome)) if closed else None,
            "created_at": created_at,
            "closed_at": closed_at,
            "next_deadline": deadline,
            "next_deadline_label": "Relance si des pièces manquent" if deadline else None,
            "legal_hold": False,
            "updated_at": closed_at or created_at,
        }


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace(" ", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
