"""The dossier list as CSV for a spreadsheet: exactly what the list's filters and search show,
every page, newest first, up to MAX_EXPORT rows.

The rows are selected and the export audited (the ids exported and the filters) in the
caller's transaction; the client names are decrypted row by row while the file is written, so
the response streams. French Excel reads it: UTF-8 with a BOM, ";" between cells. A cell that
a spreadsheet would take for a formula (= + - @, or a tab or carriage return first) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from config.settings import Settings
from domain.clock import as_utc
from domain.dossier_stages import Stage
from domain.errors import InvalidInput
from domain.french_dates import PARIS
from models.client import Client
from models.dossier import Dossier
from models.staff import StaffUser
from services.audit import append_audit
from services.dossiers.access import actor_of, require_personal_data_role, visible_dossiers
from services.dossiers.queries import _LIST_COLUMNS, _list_item
from services.dossiers.search_index import search_condition
from services.dossiers.views import DossierListItem

MAX_EXPORT = 5000
COLUMNS = ("Référence", "Client", "Étape", "Conseiller", "Créé le", "Prochaine échéance")
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class DossierExport:
    rows: Sequence[Any]
    # More dossiers matched than the file holds (the newest MAX_EXPORT are in it).
    truncated: bool
    settings: Settings

    def lines(self) -> Iterator[str]:
        """The file, a line at a time (the BOM and the header first)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

        def line(cells: Sequence[str]) -> str:
            out.seek(0)
            out.truncate()
            writer.writerow([safe_cell(cell) for cell in cells])
            return out.getvalue()

        yield BOM + line(COLUMNS)
        for row in self.rows:
            yield line(export_cells(_list_item(row, self.settings)))


def safe_cell(value: str) -> str:
    """What a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _day(moment: Any) -> str:
    return "" if moment is None else as_utc(moment).astimezone(PARIS).strftime("%d/%m/%Y")


def export_cells(item: DossierListItem) -> list[str]:
    return [
        item.reference,
        item.client_name,
        item.stage.label,
        item.assignee_name,
        _day(item.created_at),
        _day(item.next_deadline),
    ]


def export_dossiers(
    session: Session,
    viewer: StaffUser,
    *,
    q: str = "",
    stage: str | None = None,
    assignee_id: int | None = None,
    settings: Settings,
) -> DossierExport:
    """The list's filters, as list_dossiers applies them; one audit entry for the file."""
    require_personal_data_role(session, viewer, "dossier.export")
    conditions: list[ColumnElement[bool]] = []
    scope = visible_dossiers(viewer)
    if scope is not None:
        conditions.append(scope)
    if stage:
        if stage not in {s.value for s in Stage}:
            raise InvalidInput({"stage": "Étape inconnue."})
        conditions.append(col(Dossier.stage) == Stage(stage))
    if assignee_id is not None:
        conditions.append(col(Dossier.assignee_id) == assignee_id)
    query = " ".join(q.split())
    if query:
        dialect = session.get_bind().dialect.name
        conditions.append(search_condition(query, dialect, settings))
    rows = session.execute(
        sql_select(*_LIST_COLUMNS)
        .join(Client, col(Client.id) == Dossier.client_id)
        .join(StaffUser, col(StaffUser.id) == Dossier.assignee_id)
        .where(*conditions)
        .order_by(col(Dossier.created_at).desc(), col(Dossier.id).desc())
        .limit(MAX_EXPORT + 1)
    ).all()
    truncated = len(rows) > MAX_EXPORT
    rows = rows[:MAX_EXPORT]
    append_audit(
        session,
        actor_of(viewer),
        "dossier.export",
        "dossier",
        "list",
        reason="export CSV de la liste des dossiers",
        detail={
            "dossier_ids": [row[0] for row in rows],
            "search": bool(query),
            "stage": stage or None,
            "assignee_id": assignee_id,
            "truncated": truncated,
        },
    )
    return DossierExport(rows=rows, truncated=truncated, settings=settings)
