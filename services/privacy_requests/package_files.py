"""An access package as the person receives it: one ZIP archive holding the JSON of everything,
one CSV per category with the data dictionary, the list of accesses and of recipients, a
readable HTML document and its PDF, and the documents they sent.

The PDF prints the first rows of each long list (it must stay readable and quick to make);
the HTML, the JSON and the CSV files hold everything.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import asdict
from typing import Any

from domain.privacy.processing import (
    COMPLAINT_TEXT,
    NO_AUTOMATED_DECISION,
    PROCESSORS_TEXT,
    RIGHTS_TEXT,
    SOURCE_TEXT,
)
from rendering.environment import document_environment
from rendering.pdf import render_pdf
from services.privacy_requests.access_package import CATEGORY_LABELS, AccessPackage

TEMPLATE = "report/access_package.html"
PDF_ROWS = 50
# Characters of a long value the PDF prints (an email's HTML source runs to pages).
PDF_VALUE_CHARS = 400
README = """Vos données chez Cravelynos (demande {reference})

document.html, document.pdf : vos données et ce que nous en faisons, lisibles.
donnees.json : toutes vos données, dans un format que les programmes lisent.
csv/<catégorie>.csv : les mêmes données, un fichier par catégorie (table, ligne, colonne, valeur).
dictionnaire.csv : ce que contient chaque colonne, et pourquoi certaines ne sont pas communiquées.
destinataires.csv : à quel créancier vos données ont été transmises, lesquelles, quand.
acces.csv : qui, chez nous, a consulté vos données, et quand.
pieces/ : les documents que vous nous avez transmis.
"""


def package_zip(package: AccessPackage) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LISEZMOI.txt", README.format(reference=package.reference))
        archive.writestr("donnees.json", _json(package))
        for category, tables in sorted(package.data.items()):
            archive.writestr(f"csv/{category}.csv", _category_csv(tables))
        archive.writestr("dictionnaire.csv", _dictionary_csv(package))
        archive.writestr("destinataires.csv", _recipients_csv(package))
        archive.writestr("acces.csv", _accesses_csv(package))
        archive.writestr("document.html", render_html(package))
        pdf_context = _context(package, PDF_ROWS, PDF_VALUE_CHARS)
        archive.writestr("document.pdf", render_pdf(TEMPLATE, pdf_context))
        for document in package.documents:
            archive.writestr(f"pieces/{document.name}", document.data)
    return buffer.getvalue()


def _context(
    package: AccessPackage, limit: int | None, value_limit: int | None = None
) -> dict[str, Any]:
    present = [(name, notice) for name, notice in package.notices.items() if name in package.data]
    return {
        "p": package,
        "limit": limit,
        "value_limit": value_limit,
        "categories": present,
        "category_titles": CATEGORY_LABELS,
        "rights_text": RIGHTS_TEXT,
        "complaint_text": COMPLAINT_TEXT,
        "source_text": SOURCE_TEXT,
        "processors_text": PROCESSORS_TEXT,
        "no_automated_decision": NO_AUTOMATED_DECISION,
    }


def render_html(package: AccessPackage) -> str:
    return document_environment().get_template(TEMPLATE).render(_context(package, None))


def _json(package: AccessPackage) -> str:
    content = {
        "reference": package.reference,
        "etabli_le": package.generated_at.isoformat(),
        "donnees": package.data,
        "dictionnaire": [asdict(line) for line in package.dictionary],
        "destinataires": [
            {**asdict(item), "shared_at": item.shared_at.isoformat()}
            for item in package.shared_with
        ],
        "acces": [{**asdict(access), "at": access.at.isoformat()} for access in package.accesses],
        "traitements": {name: asdict(notice) for name, notice in package.notices.items()},
        "droits": RIGHTS_TEXT,
        "reclamation": COMPLAINT_TEXT,
        "source": SOURCE_TEXT,
        "pieces": [document.name for document in package.documents],
    }
    return json.dumps(content, ensure_ascii=False, indent=2, default=str)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _category_csv(tables: dict[str, list[dict[str, Any]]]) -> str:
    rows = [
        [table, row["ligne"], column, "" if value is None else value]
        for table, table_rows in sorted(tables.items())
        for row in table_rows
        for column, value in row.items()
        if column != "ligne"
    ]
    return _csv(["table", "ligne", "colonne", "valeur"], rows)


def _dictionary_csv(package: AccessPackage) -> str:
    rows = [
        [line.table, line.column, CATEGORY_LABELS.get(line.category, line.category),
         "oui" if line.given else "non", line.note]
        for line in package.dictionary
    ]  # fmt: skip
    return _csv(["table", "colonne", "catégorie", "communiquée", "description"], rows)


def _recipients_csv(package: AccessPackage) -> str:
    rows = [
        [item.creditor, ", ".join(item.categories), item.channel, item.shared_at.isoformat()]
        for item in package.shared_with
    ]
    return _csv(["créancier", "données transmises", "moyen", "date"], rows)


def _accesses_csv(package: AccessPackage) -> str:
    rows = [[a.at.isoformat(), a.who, a.action, a.reason] for a in package.accesses]
    return _csv(["date", "qui", "action", "motif"], rows)
