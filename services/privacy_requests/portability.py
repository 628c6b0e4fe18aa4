"""What a portability request returns (GDPR Art. 20): the data the person provided, in JSON and
in CSV ("en CSV ou JSON selon votre préférence": both), with the JSON Schema that describes it,
and the documents they sent. What the company derived (the analysis, the negotiation) is not
portable data; it is in the access package.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlmodel import Session

from config.settings import Settings
from models.client import Client
from models.privacy_request import PrivacyRequest
from services.privacy_requests.access_package import AttachedDocument, documents_of
from services.privacy_requests.subject_data import Decrypter, collect_rows, subject_tables

# Table -> the columns the person provided, under the name they are exported as.
PROVIDED: dict[str, dict[str, str]] = {
    "client": {
        "first_name_enc": "prenom",
        "last_name_enc": "nom",
        "email_enc": "email",
        "phone_enc": "telephone",
        "address_enc": "adresse",
        "departement": "departement",
        "preferred_channel": "moyen_de_contact",
        "progress_emails": "suivi_par_email",
        "marketing_emails": "informations_et_offres",
    },
    "dossier_creditor": {
        "name": "creancier",
        "kind": "type",
        "account_reference_enc": "reference_du_compte",
    },
    "budget_record": {"input_enc": "budget"},
    "creditor_consent": {
        "categories": "categories_partagees",
        "status": "decision",
        "decided_at": "decide_le",
        "revoked_at": "retire_le",
    },
}
SECTIONS = {
    "client": "coordonnees",
    "dossier_creditor": "creanciers",
    "budget_record": "budgets",
    "creditor_consent": "consentements",
}
README = """Vos données, dans un format réutilisable (demande {reference})

portabilite.json : les données que vous nous avez fournies (schéma : schema.json).
csv/<rubrique>.csv : les mêmes données, une rubrique par fichier.
pieces/ : les documents que vous nous avez transmis.
"""


def build_portable_data(
    session: Session, settings: Settings, request: PrivacyRequest
) -> tuple[dict[str, list[dict[str, Any]]], list[AttachedDocument]]:
    client = session.get(Client, request.client_id) if request.client_id else None
    rows = collect_rows(session, client.id if client else None, [request.id])
    decrypter = Decrypter(session, settings, client)
    tables = {table.name: table for table in subject_tables()}
    data: dict[str, list[dict[str, Any]]] = {section: [] for section in SECTIONS.values()}
    for table_name, columns in PROVIDED.items():
        for row in rows.rows.get(table_name, []):
            values = {v.column: v.value for v in decrypter.values(tables[table_name], row)}
            exported = {name: _plain(values.get(column)) for column, name in columns.items()}
            if table_name == "budget_record" and isinstance(exported.get("budget"), str):
                exported["budget"] = json.loads(exported["budget"])
            data[SECTIONS[table_name]].append(exported)
    return data, documents_of(session, settings, decrypter, rows)


def portability_zip(
    reference: str, data: dict[str, list[dict[str, Any]]], documents: list[AttachedDocument]
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(reference=reference))
        archive.writestr("portabilite.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("schema.json", json.dumps(schema(), ensure_ascii=False, indent=2))
        for section, items in data.items():
            archive.writestr(f"csv/{section}.csv", _csv(section, items))
        for document in documents:
            archive.writestr(f"pieces/{document.name}", document.data)
    return buffer.getvalue()


def schema() -> dict[str, Any]:
    """The JSON Schema of portabilite.json."""
    properties = {
        SECTIONS[table]: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    name: {} if name == "budget" else {"type": ["string", "boolean", "null"]}
                    for name in columns.values()
                },
                "required": list(columns.values()),
                "additionalProperties": False,
            },
        }
        for table, columns in PROVIDED.items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Données fournies à Cravelynos",
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _csv(section: str, items: list[dict[str, Any]]) -> str:
    table = next(t for t, s in SECTIONS.items() if s == section)
    header = list(PROVIDED[table].values())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for item in items:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
             for k, v in item.items()}
        )  # fmt: skip
    return out.getvalue()
