"""A refused action on the dossier page is always shown, even when its form is not displayed."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from web_support import Staff, seed_dossier, sign_in

from cravelynos.domain.dossier_stages import Stage
from cravelynos.models.db import session_scope
from cravelynos.models.dossier import Dossier
from cravelynos.settings import Settings


def test_closing_a_dossier_closed_in_another_tab_says_so(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.case_worker)
    dossier = seed_dossier(web_settings, staff.case_worker)
    with session_scope(web_settings) as session:
        row = session.get(Dossier, dossier.id)
        assert row is not None
        row.stage = Stage.CLOSED  # closed meanwhile, from another tab
        session.add(row)
    response = client.post(
        f"/dossiers/{dossier.id}/close",
        data={"csrf_token": token, "outcome": "resolved", "note": ""},
    )
    assert response.status_code == 409
    page = html.unescape(response.text)
    assert 'id="action-error"' in page
    assert "Action non effectuée." in page and "Ce dossier est déjà clôturé." in page
