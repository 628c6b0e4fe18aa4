"""GET /aide: what the signed-in person's role does in the app, where to find it, and the rules
that come with reading personal data. One page per role; the others' stay one link away."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from models.staff import Role
from web.auth import CurrentStaff
from web.deps import SettingsDep
from web.ui.rendering import render

router = APIRouter()

ROLE_NAMES = {
    Role.CASE_WORKER: "Conseiller",
    Role.SUPERVISOR: "Superviseur",
    Role.DPO: "Délégué à la protection des données",
    Role.OPS: "Exploitation",
    Role.ADMIN: "Administrateur",
}


@router.get("/aide", response_class=HTMLResponse)
def help_page(
    request: Request, staff: CurrentStaff, settings: SettingsDep, role: str = ""
) -> HTMLResponse:
    # Another role's help is readable (to know whom to ask); an unknown one shows one's own.
    shown = Role(role) if role in {r.value for r in Role} else staff.role
    context = {
        "nav": "help",
        "shown": shown.value,
        "own": shown == staff.role,
        "idle_minutes": settings.session_idle_minutes,
        "role_names": {r.value: name for r, name in ROLE_NAMES.items()},
    }
    return render(request, f"web/help/{shown.value}.html", context, settings=settings)
