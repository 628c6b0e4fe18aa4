"""GET /dossiers/export: the dossier list, with the list's filters and search, as CSV."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from domain.clock import utcnow
from domain.dossier_stages import Stage
from domain.input_fields import whole_number
from services.dossiers.export import export_dossiers
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.staff.dossiers.list_page import MAX_QUERY_CHARS
from web.transactions import in_session

router = APIRouter()


@router.get("/dossiers/export", response_class=StreamingResponse)
async def export_csv(
    settings: SettingsDep,
    staff: CurrentStaff,
    q: str = "",
    stage: str = "",
    assignee: str = "",
) -> StreamingResponse:
    # The list ignores an unknown filter (and says so): the file holds what the list shows.
    q = " ".join(q.split())[:MAX_QUERY_CHARS]
    if stage not in {s.value for s in Stage}:
        stage = ""
    export = await in_session(
        settings,
        partial(
            export_dossiers,
            viewer=staff,
            q=q,
            stage=stage or None,
            assignee_id=whole_number(assignee) or None,
            settings=settings,
        ),
    )
    day = utcnow().strftime("%Y-%m-%d")
    return StreamingResponse(
        export.lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dossiers-{day}.csv"'},
    )
