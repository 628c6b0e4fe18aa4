"""Settings: dev mode works with nothing configured; production refuses unsafe secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.loading import dev_settings, load_or_create_dev_secrets, load_settings
from config.settings import DEV_SECRETS_FILE, SECRET_NAMES, Settings, SettingsError
from security.keyring import generate_key

PRODUCTION_SECRETS = {
    "master_keys": f"prod-1:{generate_key()}",
    "active_key_id": "prod-1",
    "blind_index_key": generate_key(),
    "session_secret": "s" * 40,
    "audit_key": "YXVkaXQta2V5LWZvci10ZXN0cy0zMi1ieXRlcyEhIQ==",
    # Not secrets, but required as well: production reaches Temporal over mutual TLS only.
    "temporal_tls_ca": "/etc/cravelynos/tls/ca.pem",
    "temporal_tls_cert": "/etc/cravelynos/tls/client.pem",
    "temporal_tls_key": "/etc/cravelynos/tls/client.key",
}


def test_constructing_settings_writes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert not (tmp_path / "data").exists()
    assert settings.missing_secrets() == list(SECRET_NAMES)


def test_dev_mode_generates_secrets_once_and_keeps_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRAVELYNOS_DATA_DIR", str(tmp_path))
    first = load_settings()
    second = load_settings()
    assert first.master_keys and first.master_keys == second.master_keys
    assert first.session_secret == second.session_secret
    assert first.missing_secrets() == []
    assert (tmp_path / DEV_SECRETS_FILE).stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{(tmp_path / 'cravelynos.db').as_posix()}"


def test_a_dev_file_from_before_the_audit_key_gets_a_stable_one(tmp_path: Path) -> None:
    """A dev data directory made by an earlier release keeps working: the secret added since
    is derived from one the file holds, the same in every process, and the file is untouched."""
    import base64
    import json

    older = load_or_create_dev_secrets(tmp_path)
    del older["audit_key"]
    (tmp_path / DEV_SECRETS_FILE).write_text(json.dumps(older))
    first, second = load_or_create_dev_secrets(tmp_path), load_or_create_dev_secrets(tmp_path)
    assert first["audit_key"] == second["audit_key"]
    assert len(base64.b64decode(first["audit_key"])) == 32
    assert "audit_key" not in json.loads((tmp_path / DEV_SECRETS_FILE).read_text())


def test_an_explicit_secret_wins_over_the_dev_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stored = load_or_create_dev_secrets(tmp_path)
    monkeypatch.setenv("CRAVELYNOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAVELYNOS_SESSION_SECRET", "e" * 40)
    settings = load_settings()
    assert settings.session_secret == "e" * 40
    assert settings.master_keys == stored["master_keys"]


def test_production_never_reads_or_writes_dev_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRAVELYNOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAVELYNOS_MODE", "production")
    with pytest.raises(SettingsError, match="explicit secrets"):
        load_settings()
    assert not (tmp_path / DEV_SECRETS_FILE).exists()


def test_production_refuses_missing_secrets(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(data_dir=tmp_path, mode="production")
    for name in ("MASTER_KEYS", "ACTIVE_KEY_ID", "BLIND_INDEX_KEY", "SESSION_SECRET"):
        assert f"CRAVELYNOS_{name}" in str(refused.value)


def test_production_refuses_the_dev_secrets(tmp_path: Path) -> None:
    dev = load_or_create_dev_secrets(tmp_path)
    with pytest.raises(SettingsError, match="refuses dev secrets"):
        Settings(data_dir=tmp_path, mode="production", **{**PRODUCTION_SECRETS, **dev})


def test_production_refuses_a_demo_password(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DEMO_PASSWORD"):
        Settings(data_dir=tmp_path, mode="production", demo_password="x", **PRODUCTION_SECRETS)


@pytest.mark.parametrize("missing", ["temporal_tls_ca", "temporal_tls_cert", "temporal_tls_key"])
def test_production_refuses_temporal_without_mutual_tls(tmp_path: Path, missing: str) -> None:
    values = {**PRODUCTION_SECRETS, missing: ""}
    with pytest.raises(SettingsError, match="mutual TLS"):
        Settings(data_dir=tmp_path, mode="production", **values)


def test_production_accepts_explicit_secrets(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, mode="production", **PRODUCTION_SECRETS)
    assert settings.active_key_id == "prod-1"
    assert not (tmp_path / DEV_SECRETS_FILE).exists()


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRAVELYNOS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRAVELYNOS_DOCUMENT_REMINDER_DAYS", "[3, 10]")
    monkeypatch.setenv("CRAVELYNOS_SMTP_PORT", "2525")
    settings = Settings()
    assert settings.document_reminder_days == [3, 10] and settings.smtp_port == 2525


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"negotiation_follow_up_days": [30, 15]}, "FOLLOW_UP_DAYS"),
        ({"negotiation_follow_up_days": [15, 50]}, "NO_RESPONSE_DAYS"),
        ({"instalment_grace_days": 30, "instalment_broken_after_days": 30}, "BROKEN_AFTER"),
    ],
)
def test_negotiation_delays_out_of_order_are_refused_at_start(
    tmp_path: Path, overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        Settings(data_dir=tmp_path, **overrides)  # type: ignore[arg-type]


def test_negotiation_delays_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRAVELYNOS_NEGOTIATION_FOLLOW_UP_DAYS", "[10, 20]")
    monkeypatch.setenv("CRAVELYNOS_NEGOTIATION_NO_RESPONSE_DAYS", "25")
    settings = Settings(data_dir=tmp_path)
    assert settings.negotiation_follow_up_days == [10, 20]
    assert settings.negotiation_no_response_days == 25


def test_links_follow_the_web_port_unless_a_public_address_is_set(tmp_path: Path) -> None:
    moved = dev_settings(tmp_path, web_port=8100)
    assert moved.public_base_url == "http://127.0.0.1:8100"
    everywhere = dev_settings(tmp_path, web_host="0.0.0.0", web_port=8100)
    assert everywhere.public_base_url == "http://127.0.0.1:8100"
    assert dev_settings(tmp_path, web_host="::1").public_base_url == "http://[::1]:8000"
    public = dev_settings(tmp_path, web_port=8100, public_base_url="https://dossiers.example")
    assert public.public_base_url == "https://dossiers.example"
