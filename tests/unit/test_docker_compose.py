"""docker-compose.yml: pinned images, no secret in the file, every production setting provided.

No Docker engine is needed: the file is read as YAML (anchors and merge keys resolved) and its
variable references are checked as text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "migrate")
SECRET_NAME = re.compile(r"KEY|SECRET|PASSWORD|PWD|TOKEN", re.IGNORECASE)
# A whole value that is one reference: ${NAME}, ${NAME:?message}, ${NAME?message} or ${NAME:-}.
VARIABLE_REFERENCE = re.compile(r"^\$\{[A-Z][A-Z0-9_]*(:?\?[^}]*|:?-)?\}$")
ANY_REFERENCE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")
URL_PASSWORD = re.compile(r"://[^/:@\s]+:([^@\s]*)@")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TLS_DIR = "/etc/cravelynos/tls"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(name): str(value) for name, value in env.items()}


def _required_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The variables production mode refuses to start without, as Settings itself names them."""
    for name in list(os.environ):
        if name.startswith("CRAVELYNOS_"):
            monkeypatch.delenv(name)
    with pytest.raises(SettingsError) as refused:
        Settings(mode="production", data_dir=tmp_path)
    names = set(re.findall(r"CRAVELYNOS_[A-Z0-9_]+", str(refused.value)))
    assert names, f"cannot read the required settings from: {refused.value}"
    return names


def _loopback_defaults() -> set[str]:
    """Settings whose default points at this machine: inside a container that is the container."""
    names = set()
    for name, field in Settings.model_fields.items():
        if any(host in str(field.default) for host in LOOPBACK):
            names.add(f"CRAVELYNOS_{name.upper()}")
    return names


def test_every_image_is_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "build" in service and "image" not in service:
            continue
        image = service.get("image", "")
        assert image, f"{name} has neither an image nor a build"
        assert "${" not in image, f"{name}: image tag must be written in the file, not a variable"
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: image {image!r} has no tag"
        assert tag != "latest" and re.search(r"\d", tag), f"{name}: tag {tag!r} is not a version"


def test_dockerfile_base_image_is_pinned_and_runs_as_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE)
    assert bases
    for base in bases:
        assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base), base
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_app_services_are_built_from_the_dockerfile(services: dict[str, dict[str, Any]]) -> None:
    for name in APP_SERVICES:
        assert services[name]["build"]["dockerfile"] == "Dockerfile"
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    assert services["migrate"]["command"] == ["migrate"]


def test_no_literal_secret(services: dict[str, dict[str, Any]]) -> None:
    for service_name, service in services.items():
        for name, value in _environment(service).items():
            where = f"{service_name}.{name}"
            # A path to a key file in a mounted volume names the secret, it is not the secret.
            if SECRET_NAME.search(name) and not value.startswith(f"{TLS_DIR}/"):
                assert VARIABLE_REFERENCE.match(value), f"{where} is not a variable reference"
                assert ":-" not in value or value.endswith(":-}"), f"{where} has a default"
            for password in URL_PASSWORD.findall(value):
                assert VARIABLE_REFERENCE.match(password), f"{where} embeds a literal password"


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in _strings(key) + _strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def test_env_example_documents_every_variable_with_empty_secrets(compose: dict[str, Any]) -> None:
    # "$$" escapes a dollar for the container's shell: not a Compose variable.
    referenced = {
        name for text in _strings(compose) for name in ANY_REFERENCE.findall(text.replace("$$", ""))
    }
    example: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            example[name.strip()] = value.strip()
    assert referenced == set(example)
    for name, value in example.items():
        if SECRET_NAME.search(name):
            assert value == "", f".env.example gives a value to the secret {name}"


def test_production_settings_reach_web_worker_and_migrate(
    services: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = _required_secrets(tmp_path, monkeypatch)
    assert {"CRAVELYNOS_MASTER_KEYS", "CRAVELYNOS_SESSION_SECRET"} <= secrets
    needed = (
        secrets
        | _loopback_defaults()
        | {"CRAVELYNOS_MODE", "CRAVELYNOS_DATABASE_URL", "CRAVELYNOS_DATA_DIR"}
        | {"CRAVELYNOS_SMTP_PORT", "CRAVELYNOS_TEMPORAL_UI_URL"}
    )
    known = {f"CRAVELYNOS_{name.upper()}" for name in Settings.model_fields}
    for name in APP_SERVICES:
        env = _environment(services[name])
        assert needed - env.keys() == set(), f"{name} lacks settings"
        assert set(env) - known == set(), f"{name} sets variables Settings does not read"
        assert env["CRAVELYNOS_MODE"] == "production"
        for secret in secrets:
            assert VARIABLE_REFERENCE.match(env[secret]), f"{name}.{secret}"
            assert ":?" in env[secret], f"{name}.{secret} must be required, not optional"
        for setting, value in env.items():
            assert not any(host in value for host in LOOPBACK), f"{name}.{setting} = {value}"
        assert env["CRAVELYNOS_DATABASE_URL"].startswith("postgresql://")
        mounts = [str(volume).split(":")[1] for volume in services[name].get("volumes", [])]
        assert env["CRAVELYNOS_DATA_DIR"] in mounts, f"{name}: the data directory is not a volume"


def test_depends_on_names_existing_services(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        for target in depends:
            assert target in services, f"{name} depends on unknown service {target}"
            assert "staging" not in services[target].get("profiles", []), (
                f"{name} depends on {target}, which only runs with the staging profile"
            )


def test_startup_order(services: dict[str, dict[str, Any]]) -> None:
    def condition(service: str, target: str) -> str:
        return services[service]["depends_on"][target]["condition"]

    assert condition("temporal", "temporal-schema") == "service_completed_successfully"
    assert condition("temporal-schema", "postgresql") == "service_healthy"
    assert condition("migrate", "postgresql") == "service_healthy"
    for name in ("web", "worker"):
        assert condition(name, "migrate") == "service_completed_successfully"
        assert condition(name, "temporal-init") == "service_completed_successfully"


def test_temporal_schema_job_sets_up_both_databases(services: dict[str, dict[str, Any]]) -> None:
    script = " ".join(services["temporal-schema"]["command"])
    assert services["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    for step in ("create", "setup-schema -v 0.0", "update-schema"):
        assert step in script
    assert "temporal temporal_visibility" in script
    assert "$schema/temporal/versioned" in script.replace("$$", "$")
    assert "$schema/visibility/versioned" in script.replace("$$", "$")


def test_search_attributes_are_registered(services: dict[str, dict[str, Any]]) -> None:
    script = " ".join(services["temporal-init"]["command"])
    assert "retry ensure_attribute CravelynosStage Keyword" in script
    assert "retry ensure_attribute CravelynosNextDeadline Datetime" in script
    assert "search-attribute create" in script
    assert "namespace create" in script


def test_temporal_server_version_and_ui_codec(services: dict[str, dict[str, Any]]) -> None:
    assert re.fullmatch(r"temporalio/server:1\.2\d\.\d+", services["temporal"]["image"])
    ui = _environment(services["temporal-ui"])
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert ui["TEMPORAL_CODEC_ENDPOINT"].startswith("${CRAVELYNOS_PUBLIC_BASE_URL")
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"


def test_published_ports_stay_on_loopback(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> volume (with its mode)."""
    result = {}
    for volume in service.get("volumes", []):
        source, target, *mode = str(volume).split(":")
        result[target] = ":".join([source, *mode])
    return result


def test_temporal_answers_only_clients_with_a_certificate_of_our_ca(
    services: dict[str, dict[str, Any]],
) -> None:
    server = _environment(services["temporal"])
    assert server["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert server["TEMPORAL_TLS_CLIENT1_CA_CERT"] == f"{TLS_DIR}/ca.pem"
    for name in ("SERVER_CERT", "SERVER_KEY", "FRONTEND_CERT", "FRONTEND_KEY"):
        assert server[f"TEMPORAL_TLS_{name}"].startswith(f"{TLS_DIR}/server."), name
    assert _mounts(services["temporal"])[TLS_DIR] == "temporal-tls:ro"
    certs = services["temporal-certs"]
    assert certs["command"][:3] == ["tls", "generate", TLS_DIR]
    assert _mounts(certs)[TLS_DIR] == "temporal-tls"  # the only writer
    assert services["temporal"]["depends_on"]["temporal-certs"]["condition"] == (
        "service_completed_successfully"
    )
    # The keys are 0640 for the app's group: every reader joins it.
    for reader in ("temporal", "temporal-init", "temporal-ui"):
        assert services[reader]["group_add"] == ["10001"], reader


def test_every_client_of_temporal_presents_its_certificate(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in APP_SERVICES:
        env = _environment(services[name])
        assert env["CRAVELYNOS_TEMPORAL_TLS_CERT"] == f"{TLS_DIR}/client.pem", name
        assert env["CRAVELYNOS_TEMPORAL_TLS_KEY"] == f"{TLS_DIR}/client.key", name
        assert env["CRAVELYNOS_TEMPORAL_TLS_CA"] == f"{TLS_DIR}/ca.pem", name
        assert _mounts(services[name])[TLS_DIR] == "temporal-tls:ro", name
    ui = _environment(services["temporal-ui"])
    assert ui["TEMPORAL_TLS_CERT"] == f"{TLS_DIR}/client.pem"
    init = " ".join(services["temporal-init"]["command"])
    assert '--tls-cert-path "$$tls/client.pem"'.replace("$$", "$") in init.replace("$$", "$")


def test_the_web_ui_asks_for_a_sign_in(services: dict[str, dict[str, Any]]) -> None:
    ui = _environment(services["temporal-ui"])
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true"
    for name in ("PROVIDER_URL", "CLIENT_ID", "CLIENT_SECRET", "CALLBACK_URL"):
        assert ":?" in ui[f"TEMPORAL_AUTH_{name}"], name
