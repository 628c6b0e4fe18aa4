"""Admin commands as an operator runs them: `audit verify`, `keys rotate`, `createuser`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlmodel import select
from support.stack import make_dossier, make_staff, run_cli

from config.loading import dev_settings
from config.settings import Settings
from models.client import Client
from models.database import get_engine, session_scope
from models.migrate import upgrade_database
from models.staff import StaffUser
from security.datakeys import ClientCipher, wrapped_key_id
from security.keyring import generate_key


def _migrated(tmp_path: Path) -> Settings:
    settings = dev_settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'cli.db'}")
    upgrade_database(settings)
    return settings


def test_audit_verify_passes_then_detects_an_edit(tmp_path: Path) -> None:
    settings = _migrated(tmp_path)
    make_dossier(settings, make_staff(settings))
    intact = run_cli(settings, "audit", "verify", "--without-witness")
    assert intact.returncode == 0, intact.stderr
    assert "audit chain intact" in intact.stdout

    with get_engine(settings).begin() as conn:
        conn.execute(text("UPDATE audit_entry SET actor = 'staff:999' WHERE seq = 1"))
    broken = run_cli(settings, "audit", "verify", "--without-witness")
    assert broken.returncode == 1
    assert "BROKEN" in broken.stderr


def test_keys_rotate_rewraps_every_client_key_and_data_still_reads(tmp_path: Path) -> None:
    settings = _migrated(tmp_path)
    dossier = make_dossier(settings, make_staff(settings))
    old_key = settings.active_key_id
    rotated = settings.model_copy(
        update={
            "master_keys": f"{settings.master_keys},k2026:{generate_key()}",
            "active_key_id": "k2026",
        }
    )
    result = run_cli(rotated, "keys", "rotate")
    assert result.returncode == 0, result.stderr
    assert "1 client key(s) re-wrapped" in result.stdout and f"from {old_key}: 1" in result.stdout

    # The old key can now leave the ring: the client's fields still decrypt with the new one.
    new_only = rotated.model_copy(update={"master_keys": rotated.master_keys.split(",")[1]})
    with session_scope(new_only) as session:
        client = session.get(Client, dossier.client_id)
        assert client is not None and wrapped_key_id(client.wrapped_key or "") == "k2026"
        cipher = ClientCipher.for_client(client, new_only)
        assert cipher.decrypt("client", "first_name", client.id, client.first_name_enc) == "Jeanne"
    again = run_cli(rotated, "keys", "rotate")
    assert "0 client key(s) re-wrapped, 1 already current" in again.stdout


def test_createuser_reads_the_password_from_stdin_and_refuses_bad_input(tmp_path: Path) -> None:
    settings = _migrated(tmp_path)
    created = run_cli(
        settings,
        "createuser",
        "nouvelle@cravelynos.example",
        "--name",
        "Nina Nouvelle",
        "--role",
        "case_worker",
        stdin="un mot de passe assez long\n",
    )
    assert created.returncode == 0, created.stderr
    refused = run_cli(
        settings, "createuser", "pas-une-adresse", "--name", "X", "--role", "dpo", stdin="court\n"
    )
    assert refused.returncode == 2
    assert "email:" in refused.stderr and "password:" in refused.stderr
    with session_scope(settings) as session:
        emails = session.exec(select(StaffUser.email)).all()
    assert emails == ["nouvelle@cravelynos.example"]


def test_commands_keep_the_data_directory_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    left_by_an_older_run = data_dir / "cravelynos.db-old"
    left_by_an_older_run.write_text("")
    left_by_an_older_run.chmod(0o644)
    settings = dev_settings(data_dir=data_dir)

    migrated = run_cli(settings, "migrate")

    assert migrated.returncode == 0, migrated.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in [data_dir, *data_dir.iterdir()]}
    assert "cravelynos.db" in modes
    assert all(mode & 0o077 == 0 for mode in modes.values()), {k: oct(v) for k, v in modes.items()}


def test_set_password_deactivate_and_sign_out_end_the_account_sessions(tmp_path: Path) -> None:
    from models.staff_session import SessionKind
    from services.staff_sessions import open_session, open_sessions

    settings = _migrated(tmp_path)
    staff = make_staff(settings)

    def sessions_open() -> int:
        with session_scope(settings) as session:
            return len(open_sessions(session, staff.id or 0))

    def open_two() -> None:
        with session_scope(settings) as session:
            user = session.get(StaffUser, staff.id)
            assert user is not None
            open_session(session, user, SessionKind.PAGE)
            open_session(session, user, SessionKind.API)

    open_two()
    short = run_cli(settings, "set-password", staff.email, stdin="court\n")
    assert short.returncode == 2 and "12 caractères" in short.stderr
    assert sessions_open() == 2
    changed = run_cli(settings, "set-password", staff.email, stdin="un mot de passe tout neuf\n")
    assert changed.returncode == 0, changed.stderr
    assert "2 open session(s)" in changed.stdout and sessions_open() == 0

    open_two()
    assert run_cli(settings, "sign-out", staff.email).returncode == 0
    assert sessions_open() == 0

    open_two()
    assert run_cli(settings, "deactivate", staff.email).returncode == 0
    assert sessions_open() == 0
    with session_scope(settings) as session:
        user = session.get(StaffUser, staff.id)
        assert user is not None and not user.active
    assert run_cli(settings, "deactivate", "personne@exemple.fr").returncode == 2
