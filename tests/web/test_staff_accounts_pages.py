"""Staff accounts: /compte (own password), the forgotten password and its single-use link,
/admin/comptes (invite, re-role, deactivate, reactivate, last admin protected). The emails go
through the outbox to a real SMTP server (aiosmtpd) and are read back from what it received."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from support.stack import received, smtp_catcher
from support.webapp import CSRF, PASSWORD, Staff, audit_entries, offline

from config.settings import Settings
from dev.mail_catcher import MailboxMessage
from domain.clock import utcnow
from models.database import session_scope
from models.staff import Role, StaffUser
from models.staff_link import StaffAccountLink
from models.staff_session import SessionKind
from security.passwords import verify_password
from services.staff_sessions import open_session, open_sessions

NEW_PASSWORD = "une phrase de passe toute neuve"
LINK = re.compile(r"http://[^/\s]+(/mot-de-passe/[A-Za-z0-9_-]+)")


@pytest.fixture
def web_settings(mail_settings: Settings) -> Iterator[Settings]:
    """The web app's settings with an SMTP server of their own, running for the whole test."""
    settings = offline(mail_settings)
    with smtp_catcher(settings.mailbox_dir, settings.smtp_port):
        yield settings


def csrf_of(client: TestClient, path: str) -> str:
    match = CSRF.search(client.get(path).text)
    assert match, path
    return match.group(1)


def sign_in(client: TestClient, user: StaffUser, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the CSRF token of the new session."""
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": csrf_of(client, "/login")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client, "/compte")


def user_row(settings: Settings, user_id: int | None) -> StaffUser:
    with session_scope(settings) as session:
        row = session.get(StaffUser, user_id)
        assert row is not None
        return row


def mails_to(settings: Settings, address: str) -> list[MailboxMessage]:
    return [m for m in received(settings) if address in m.recipients]


def link_in(message: MailboxMessage) -> str:
    match = LINK.search(message.text)
    assert match, message.text
    return match.group(1)


# ----- Mon compte ------------------------------------------------------------------------------


def test_my_account_shows_who_i_am_in_french(client: TestClient, staff: Staff) -> None:
    sign_in(client, staff.dpo)
    page = client.get("/compte")
    assert page.status_code == 200
    for text in ("Fanny Leroy", "dpo@cravelynos.example", "Délégué à la protection des données"):
        assert text in page.text
    assert "Conformité" in page.text  # the team's name, not its slug
    assert 'href="/compte" aria-current="page"' in page.text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (
            {"current_password": "pas le bon mot de passe", "new_password": NEW_PASSWORD},
            "current_password",
            "Le mot de passe actuel est incorrect.",
        ),
        (
            {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"},
            "confirm_password",
            "La confirmation ne reprend pas le nouveau mot de passe",
        ),
        (
            {"new_password": "court", "confirm_password": "court"},
            "new_password",
            "au moins 12 caractères",
        ),
        (
            {"new_password": "azerty123456", "confirm_password": "azerty123456"},
            "new_password",
            "parmi les plus essayés",
        ),
        (
            {"new_password": "alice-2026-alice", "confirm_password": "alice-2026-alice"},
            "new_password",
            "ni votre nom ni votre adresse e-mail",
        ),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    client: TestClient,
    staff: Staff,
    web_settings: Settings,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    token = sign_in(client, staff.case_worker)
    before = user_row(web_settings, staff.case_worker.id).password_hash
    data = {"current_password": PASSWORD, "confirm_password": NEW_PASSWORD, **form}
    page = client.post("/compte", data={**data, "csrf_token": token})
    assert page.status_code == 422
    assert message in page.text
    assert f'href="#f-{field}"' in page.text  # the summary leads to the field
    assert 'id="error-summary"' in page.text
    # Passwords are never written back into the page.
    assert NEW_PASSWORD not in page.text and PASSWORD not in page.text
    assert user_row(web_settings, staff.case_worker.id).password_hash == before
    assert audit_entries(web_settings, "staff.password_changed") == []
    assert mails_to(web_settings, staff.case_worker.email) == []


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    user = staff.case_worker
    other = TestClient(client.app)
    sign_in(other, user)
    with session_scope(web_settings) as session:
        open_session(session, user_row(web_settings, user.id), SessionKind.API)
    token = sign_in(client, user)
    old_cookie = client.cookies.get("cravelynos_session") or ""
    response = client.post(
        "/compte",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/compte"
    # This browser stays signed in, on a fresh session; the other browser and the token are out.
    page = client.get("/compte")
    assert page.status_code == 200 and "Votre mot de passe est changé" in page.text
    assert client.cookies.get("cravelynos_session") != old_cookie
    assert other.get("/compte", follow_redirects=False).status_code == 303
    with session_scope(web_settings) as session:
        [still_open] = open_sessions(session, user.id or 0)
        assert still_open.kind == SessionKind.PAGE
    assert verify_password(user_row(web_settings, user.id).password_hash, NEW_PASSWORD)
    [entry] = audit_entries(web_settings, "staff.password_changed")
    assert (entry.actor, entry.object_id, entry.reason) == (f"staff:{user.id}", str(user.id), "own")
    [mail] = mails_to(web_settings, user.email)
    assert mail.subject == "Cravelynos : votre mot de passe a été changé"
    assert "Bonjour Alice Martin" in mail.text and "Mot de passe oublié" in mail.text
    # The old password no longer opens anything; the new one does.
    client.cookies.clear()
    assert sign_in(client, user, NEW_PASSWORD)


def test_the_password_form_needs_the_csrf_token(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    sign_in(client, staff.case_worker)
    refused = client.post(
        "/compte",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 403
    assert verify_password(user_row(web_settings, staff.case_worker.id).password_hash, PASSWORD)


# ----- Mot de passe oublié -----------------------------------------------------------------------


def ask_reset(client: TestClient, email: str) -> str:
    page = client.post(
        "/mot-de-passe-oublie",
        data={"email": email, "csrf_token": csrf_of(client, "/mot-de-passe-oublie")},
    )
    assert page.status_code == 200, page.text
    return re.sub(r"l'adresse \S+", "l'adresse …", page.text)


def choose(
    client: TestClient, path: str, password: str, confirmation: str | None = None
) -> httpx.Response:
    return client.post(
        path,
        data={
            "new_password": password,
            "confirm_password": password if confirmation is None else confirmation,
            "csrf_token": csrf_of(client, "/mot-de-passe-oublie"),
        },
        follow_redirects=False,
    )


def test_the_login_page_leads_to_the_forgotten_password(client: TestClient) -> None:
    assert 'href="/mot-de-passe-oublie"' in client.get("/login").text


def test_a_reset_link_sets_a_new_password_once(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    user = staff.supervisor
    other = TestClient(client.app)
    sign_in(other, user)
    client.cookies.clear()
    ask_reset(client, "  Chloe@Cravelynos.example ")
    [mail] = mails_to(web_settings, user.email)
    assert mail.subject == "Cravelynos : choisir un nouveau mot de passe"
    path = link_in(mail)
    # Only the link's hash is stored, valid one hour.
    with session_scope(web_settings) as session:
        [link] = session.exec(select(StaffAccountLink)).all()
        assert path.rsplit("/", 1)[1] not in link.id
        assert timedelta(minutes=59) < link.expires_at - link.created_at <= timedelta(hours=1)
    form = client.get(path)
    assert form.status_code == 200 and "Choisir un nouveau mot de passe" in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    mismatch = choose(client, path, NEW_PASSWORD, "autre chose encore")
    assert mismatch.status_code == 422
    done = choose(client, path, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert "Votre mot de passe est enregistré" in client.get("/login").text
    assert verify_password(user_row(web_settings, user.id).password_hash, NEW_PASSWORD)
    # Every session ended, the password-changed email went out, all audited.
    assert other.get("/compte", follow_redirects=False).status_code == 303
    assert [m.subject for m in mails_to(web_settings, user.email)][-1] == (
        "Cravelynos : votre mot de passe a été changé"
    )
    [entry] = audit_entries(web_settings, "staff.password_changed")
    assert entry.reason == "reset"
    # Used once: the second time, a clear page and nothing changes.
    again = client.get(path)
    assert again.status_code == 410 and "Lien déjà utilisé" in again.text
    reused = choose(client, path, "encore une autre phrase")
    assert reused.status_code == 410
    assert verify_password(user_row(web_settings, user.id).password_hash, NEW_PASSWORD)
    assert sign_in(client, user, NEW_PASSWORD)


def test_an_expired_or_tampered_link_changes_nothing(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    user = staff.case_worker
    ask_reset(client, user.email)
    path = link_in(mails_to(web_settings, user.email)[0])
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    page = client.get(tampered)
    assert page.status_code == 404 and "Lien invalide" in page.text
    assert choose(client, tampered, NEW_PASSWORD).status_code == 404
    assert client.get("/mot-de-passe/court").status_code == 404
    with session_scope(web_settings) as session:
        for link in session.exec(select(StaffAccountLink)).all():
            link.expires_at = utcnow() - timedelta(seconds=1)
            session.add(link)
    expired = client.get(path)
    assert expired.status_code == 410 and "Lien expiré" in expired.text
    assert choose(client, path, NEW_PASSWORD).status_code == 410
    assert verify_password(user_row(web_settings, user.id).password_hash, PASSWORD)
    assert audit_entries(web_settings, "staff.password_changed") == []


def test_the_answer_is_the_same_whatever_the_address(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    with session_scope(web_settings) as session:
        ops = session.get(StaffUser, staff.ops.id)
        assert ops is not None
        ops.active = False
        session.add(ops)
    known = ask_reset(client, staff.dpo.email)
    unknown = ask_reset(client, "personne@cravelynos.example")
    inactive = ask_reset(client, staff.ops.email)
    assert known == unknown == inactive
    assert "Si un compte actif correspond" in known
    assert [m.recipients for m in received(web_settings)] == [[staff.dpo.email]]
    requested = audit_entries(web_settings, "auth.password_reset_requested")
    assert [e.object_id for e in requested] == [str(staff.dpo.id), "unknown", str(staff.ops.id)]
    # No address in the audit log.
    assert all("@" not in (e.object_id + e.reason) for e in requested)


def test_reset_requests_are_rate_limited(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    for _ in range(5):
        ask_reset(client, staff.dpo.email)
    # Per address: three messages at most, the answer unchanged.
    assert len(mails_to(web_settings, staff.dpo.email)) == 3
    # Per source: refused, saying so.
    refused = client.post(
        "/mot-de-passe-oublie",
        data={"email": staff.dpo.email, "csrf_token": csrf_of(client, "/mot-de-passe-oublie")},
    )
    assert refused.status_code == 429 and "Trop de demandes" in refused.text


def test_the_reset_form_names_a_bad_address(client: TestClient) -> None:
    for value in ("", "pas-une-adresse"):
        page = client.post(
            "/mot-de-passe-oublie",
            data={"email": value, "csrf_token": csrf_of(client, "/mot-de-passe-oublie")},
        )
        assert page.status_code == 422
        assert "Adresse e-mail :" in page.text and 'href="#f-email"' in page.text
        assert f'value="{value}"' in page.text
    assert client.post("/mot-de-passe-oublie", data={"email": "x@y.fr"}).status_code == 403


# ----- Comptes (admin) -------------------------------------------------------------------------


def test_only_admins_manage_accounts(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    for user in (staff.case_worker, staff.supervisor, staff.dpo, staff.ops):
        token = sign_in(client, user)
        assert 'href="/admin/comptes"' not in client.get("/compte").text
        assert client.get("/admin/comptes").status_code == 403
        created = client.post(
            "/admin/comptes/nouveau",
            data={"display_name": "X", "email": "x@cravelynos.example", "role": "admin",
                  "team": "paris", "csrf_token": token},
        )  # fmt: skip
        assert created.status_code == 403
        demoted = client.post(
            f"/admin/comptes/{staff.admin.id}/desactiver", data={"csrf_token": token}
        )
        assert demoted.status_code == 403
    assert user_row(web_settings, staff.admin.id).active
    assert len(audit_entries(web_settings, "access.denied")) == 12
    token = sign_in(client, staff.admin)
    listing = client.get("/admin/comptes")
    assert listing.status_code == 200 and "Alice Martin" in listing.text
    assert 'href="/admin/comptes" aria-current="page"' in listing.text
    # The staff's names and addresses were read: audited, by the admin.
    [listed] = audit_entries(web_settings, "staff.accounts_listed")
    assert listed.actor == f"staff:{staff.admin.id}"
    refused = client.post(f"/admin/comptes/{staff.ops.id}/desactiver", data={})
    assert refused.status_code == 403 and user_row(web_settings, staff.ops.id).active


def test_an_admin_invites_a_person_who_chooses_their_password(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.admin)
    form = {"display_name": "Inès Garnier", "email": "ines@cravelynos.example", "role": "bogus",
            "team": "", "csrf_token": token}  # fmt: skip
    refused = client.post("/admin/comptes/nouveau", data=form)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Rôle : Choisissez un rôle" in text and "Équipe : L'équipe est obligatoire" in text
    assert (
        'value="Inès Garnier"' in refused.text and 'value="ines@cravelynos.example"' in refused.text
    )
    duplicate = client.post(
        "/admin/comptes/nouveau",
        data={**form, "email": staff.dpo.email, "role": "dpo", "team": "x"},
    )
    assert duplicate.status_code == 422 and "Un compte existe déjà" in duplicate.text
    created = client.post(
        "/admin/comptes/nouveau",
        data={**form, "role": "case_worker", "team": "Lyon"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    listing = client.get("/admin/comptes").text
    assert "Compte créé pour Inès Garnier" in listing and "invitation en attente" in listing
    with session_scope(web_settings) as session:
        ines = session.exec(
            select(StaffUser).where(StaffUser.email == "ines@cravelynos.example")
        ).one()
        assert (ines.role, ines.team) == (Role.CASE_WORKER, "lyon")
        link = session.exec(
            select(StaffAccountLink).where(StaffAccountLink.staff_id == ines.id)
        ).one()
        assert timedelta(hours=71) < link.expires_at - link.created_at <= timedelta(hours=72)
    [entry] = audit_entries(web_settings, "staff.account_created")
    assert entry.actor == f"staff:{staff.admin.id}" and entry.object_id == str(ines.id)
    [mail] = mails_to(web_settings, "ines@cravelynos.example")
    assert mail.subject == "Votre compte Cravelynos : choisissez votre mot de passe"
    assert "conseiller, équipe Lyon" in mail.text
    # Left unused past its 72 hours: the list says so, and a new invitation can be sent.
    with session_scope(web_settings) as session:
        link = session.exec(select(StaffAccountLink)).one()
        link.expires_at = utcnow() - timedelta(seconds=1)
        session.add(link)
    assert client.get(link_in(mail)).status_code == 410
    assert "invitation expirée" in client.get("/admin/comptes").text
    again = client.post(f"/admin/comptes/{ines.id}/inviter", data={"csrf_token": token})
    assert "Nouvelle invitation envoyée à Inès Garnier" in again.text
    assert "invitation en attente" in client.get("/admin/comptes").text
    first, second = mails_to(web_settings, "ines@cravelynos.example")
    path = link_in(second)
    assert path != link_in(first)
    client.cookies.clear()
    assert "Choisir votre mot de passe" in client.get(path).text
    assert choose(client, path, NEW_PASSWORD).status_code == 303
    assert audit_entries(web_settings, "staff.password_changed")[0].reason == "invitation"
    assert sign_in(client, ines, NEW_PASSWORD)


def test_an_admin_changes_a_role_and_team_deactivates_and_reactivates(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    target = staff.case_worker
    other = TestClient(client.app)
    sign_in(other, target)
    token = sign_in(client, staff.admin)
    page = f"/admin/comptes/{target.id}"
    bad = client.post(page, data={"role": "chef", "team": "paris", "csrf_token": token})
    assert bad.status_code == 422 and 'value="paris"' in bad.text
    changed = client.post(page, data={"role": "supervisor", "team": "lyon", "csrf_token": token})
    assert changed.status_code == 200 and "Compte mis à jour" in changed.text
    row = user_row(web_settings, target.id)
    assert (row.role, row.team) == (Role.SUPERVISOR, "lyon")
    [entry] = audit_entries(web_settings, "staff.account_updated")
    assert json.loads(entry.detail or "") == {
        "role": ["case_worker", "supervisor"],
        "team": ["paris", "lyon"],
    }
    off = client.post(f"{page}/desactiver", data={"csrf_token": token})
    assert "désactivé : ses sessions sont fermées" in off.text
    assert not user_row(web_settings, target.id).active
    assert other.get("/compte", follow_redirects=False).status_code == 303
    other.cookies.clear()
    assert (
        other.post(
            "/login",
            data={
                "email": target.email,
                "password": PASSWORD,
                "csrf_token": csrf_of(other, "/login"),
            },
        ).status_code
        == 200
    )  # refused: the login form again
    assert "désactivé" in client.get("/admin/comptes").text
    on = client.post(f"{page}/reactiver", data={"csrf_token": token})
    assert "réactivé" in on.text and user_row(web_settings, target.id).active
    assert sign_in(other, target)
    actions = [e.action for e in audit_entries(web_settings, "staff.account_deactivated")]
    actions += [e.action for e in audit_entries(web_settings, "staff.account_reactivated")]
    assert actions == ["staff.account_deactivated", "staff.account_reactivated"]


def test_the_last_active_admin_is_protected(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    admin = staff.admin
    token = sign_in(client, admin)
    page = f"/admin/comptes/{admin.id}"
    demoted = client.post(page, data={"role": "ops", "team": "technique", "csrf_token": token})
    assert demoted.status_code == 409 and "dernier compte administrateur actif" in demoted.text
    off = client.post(f"{page}/desactiver", data={"csrf_token": token})
    assert off.status_code == 409 and "dernier compte administrateur actif" in off.text
    row = user_row(web_settings, admin.id)
    assert row.active and row.role == Role.ADMIN
    # With a second admin, the first may step down.
    client.post(
        f"/admin/comptes/{staff.ops.id}",
        data={"role": "admin", "team": "technique", "csrf_token": token},
    )
    stepped = client.post(page, data={"role": "ops", "team": "technique", "csrf_token": token})
    # No longer an admin: sent to their own account page, the accounts pages closed to them.
    assert stepped.status_code == 200 and "la gestion des comptes ne vous est plus" in stepped.text
    assert 'href="/admin/comptes"' not in stepped.text
    assert client.get("/admin/comptes").status_code == 403
    assert user_row(web_settings, admin.id).role == Role.OPS
    with session_scope(web_settings) as session:
        admins = session.exec(
            select(StaffUser).where(col(StaffUser.role) == Role.ADMIN, col(StaffUser.active))
        ).all()
        assert [a.id for a in admins] == [staff.ops.id]


HOSTILE = ["\x00", "a\x00b", "\u202e", "é" * 300, " "]


def test_hostile_inputs_are_refused_clearly(
    client: TestClient, staff: Staff, web_settings: Settings
) -> None:
    token = sign_in(client, staff.admin)
    for value in HOSTILE:
        for name in ("display_name", "email", "team"):
            form = {"display_name": "Inès Garnier", "email": "ines@cravelynos.example",
                    "role": "ops", "team": "paris", name: value, "csrf_token": token}  # fmt: skip
            refused = client.post("/admin/comptes/nouveau", data=form)
            assert refused.status_code == 422, (name, value)
        edit = {"role": "ops", "team": value, "csrf_token": token}
        assert client.post(f"/admin/comptes/{staff.ops.id}", data=edit).status_code == 422
        forgotten = {"email": value, "csrf_token": csrf_of(client, "/mot-de-passe-oublie")}
        assert client.post("/mot-de-passe-oublie", data=forgotten).status_code == 422
        assert client.get(f"/mot-de-passe/{quote(value)}").status_code == 404
    with session_scope(web_settings) as session:
        assert len(session.exec(select(StaffUser)).all()) == 8
