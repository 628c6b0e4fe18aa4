"""The account services on SQLite and PostgreSQL: a link is claimed once, a new password ends
every open link and session, and the last active admin check locks the admins it counts."""

from __future__ import annotations

import pytest
from support.stack import make_staff

from config.settings import Settings
from domain.errors import Refused
from models.database import session_scope
from models.staff import Role, StaffUser
from models.staff_link import LinkPurpose
from models.staff_session import SessionKind
from services.staff_accounts import AccountLinkRefused, password_from_link
from services.staff_admin import deactivate_account, update_account
from services.staff_links import LinkState, check_link, claim_link, issue_link
from services.staff_sessions import open_session, open_sessions

NEW_PASSWORD = "une phrase de passe toute neuve"


def test_a_link_serves_once_and_a_new_password_ends_the_others(db_settings: Settings) -> None:
    user = make_staff(db_settings)
    with session_scope(db_settings) as session:
        row = session.get(StaffUser, user.id)
        assert row is not None
        first = issue_link(session, row, LinkPurpose.RESET, "system")
        second = issue_link(session, row, LinkPurpose.RESET, "system")
        open_session(session, row, SessionKind.PAGE)
    with session_scope(db_settings) as session:
        password_from_link(session, first, NEW_PASSWORD, NEW_PASSWORD)
    with session_scope(db_settings) as session:
        assert check_link(session, first).state == LinkState.USED
        assert check_link(session, second).state == LinkState.USED
        assert open_sessions(session, user.id or 0) == []
        link = check_link(session, first).link
        assert link is not None and not claim_link(session, link)
        with pytest.raises(AccountLinkRefused):
            password_from_link(session, second, NEW_PASSWORD + "!", NEW_PASSWORD + "!")


def test_the_last_active_admin_stays(db_settings: Settings) -> None:
    admin = make_staff(db_settings, email="admin@cravelynos.example", role=Role.ADMIN)
    other = make_staff(db_settings, email="ops@cravelynos.example", role=Role.OPS)
    with session_scope(db_settings) as session:
        row = session.get(StaffUser, admin.id)
        assert row is not None
        with pytest.raises(Refused):
            update_account(session, row, row, role="ops", team="paris")
        with pytest.raises(Refused):
            deactivate_account(session, row, row)
    with session_scope(db_settings) as session:
        row, ops = session.get(StaffUser, admin.id), session.get(StaffUser, other.id)
        assert row is not None and ops is not None
        update_account(session, row, ops, role="admin", team="paris")
        deactivate_account(session, row, row)
    with session_scope(db_settings) as session:
        row = session.get(StaffUser, admin.id)
        assert row is not None and not row.active
