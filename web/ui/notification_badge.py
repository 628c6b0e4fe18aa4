"""The header's count of unread notifications: one indexed query per page, only for the roles
that receive notifications."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from models.database import session_scope
from models.staff import StaffUser
from services.staff_notifications import NOTIFIED_ROLES, unread_count


def unread_badge(settings: Settings, staff: Any) -> int | None:
    """None when the header shows no badge (signed out, or a role never notified)."""
    if not isinstance(staff, StaffUser) or staff.role not in NOTIFIED_ROLES:
        return None
    with session_scope(settings) as session:
        return unread_count(session, staff)
