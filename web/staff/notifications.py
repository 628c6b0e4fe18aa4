"""/notifications: a staff member's own notifications, newest first; opening one marks it read
and leads to its dossier (whose page checks access as always); "Tout marquer comme lu"."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.errors import NotFound
from domain.input_fields import whole_number
from services.staff_notifications import (
    NOTIFICATION_NOT_FOUND,
    list_notifications,
    mark_all_read,
    open_notification,
)
from web.auth import CurrentStaff
from web.csrf import CsrfProtected
from web.deps import SettingsDep
from web.transactions import in_session
from web.ui.flash import flash
from web.ui.rendering import render

router = APIRouter()


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    request: Request, settings: SettingsDep, staff: CurrentStaff
) -> HTMLResponse:
    notifications = await in_session(settings, list_notifications, staff)
    return render(
        request,
        "web/notifications/list.html",
        {
            "nav": "notifications",
            "notifications": notifications,
            "unread": sum(1 for n in notifications if not n.read),
        },
        settings=settings,
    )


@router.post("/notifications/read-all", response_model=None)
async def read_all(
    request: Request, settings: SettingsDep, staff: CurrentStaff, _csrf: CsrfProtected
) -> Response:
    await in_session(settings, mark_all_read, staff)
    flash(request, "Toutes vos notifications sont marquées comme lues.")
    return RedirectResponse("/notifications", status.HTTP_303_SEE_OTHER)


@router.get("/notifications/{notification_id}", response_model=None)
async def open_one(notification_id: str, settings: SettingsDep, staff: CurrentStaff) -> Response:
    number = whole_number(notification_id)
    if number is None:
        raise NotFound(NOTIFICATION_NOT_FOUND)
    dossier_id = await in_session(settings, open_notification, staff, number)
    return RedirectResponse(f"/dossiers/{dossier_id}", status.HTTP_303_SEE_OTHER)
