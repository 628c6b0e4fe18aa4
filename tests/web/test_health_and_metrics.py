"""The orchestrators' probes: /healthz always answers, /readyz names the part that does not."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.webapp import closed_port
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from web.app import create_app


def test_healthz_answers_without_signing_in(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probes_stay_out_of_the_api_schema(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/healthz" not in paths and "/readyz" not in paths


def test_readyz_is_ok_when_the_database_and_temporal_answer(
    web_settings: Settings, temporal_dev_env: WorkflowEnvironment
) -> None:
    settings = web_settings.model_copy(
        update={"temporal_address": temporal_dev_env.client.service_client.config.target_host}
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "temporal": "ok"}


def test_readyz_names_temporal_when_it_is_unreachable(client: TestClient) -> None:
    # web_settings point Temporal at a closed port.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "temporal": "unreachable"}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_names_the_database_when_its_url_is_broken(web_settings: Settings) -> None:
    broken = web_settings.model_copy(
        update={"database_url": f"postgresql://nobody:none@127.0.0.1:{closed_port()}/none"}
    )
    with TestClient(create_app(broken)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "temporal": "unreachable",
    }
