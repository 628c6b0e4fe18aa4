"""The orchestrators' probes: /healthz always answers, /readyz names the part that does not."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.webapp import closed_port
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from models.database import session_scope
from models.outbox import EmailStatus, OutboxEmail
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


METRICS_TOKEN = "scraper-token-for-tests"


def test_metrics_are_off_without_a_token_setting(client: TestClient) -> None:
    assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 404


def test_metrics_refuse_a_wrong_token(web_settings: Settings) -> None:
    settings = web_settings.model_copy(update={"metrics_token": METRICS_TOKEN})
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401


def test_a_dossier_page_is_counted_under_its_route_template(web_settings: Settings) -> None:
    settings = web_settings.model_copy(update={"metrics_token": METRICS_TOKEN})
    raw_id = "7f3c9a1e-metrics-raw-id"
    with TestClient(create_app(settings)) as client:
        client.get(f"/dossiers/{raw_id}", follow_redirects=False)
        response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    body = response.text
    assert 'route="/dossiers/{dossier_id}"' in body
    assert "cravelynos_http_request_duration_seconds_bucket" in body
    assert raw_id not in body
    assert "cravelynos_outbox_backlog 0.0" in body


def test_the_outbox_backlog_counts_queued_emails_at_scrape_time(web_settings: Settings) -> None:
    settings = web_settings.model_copy(update={"metrics_token": METRICS_TOKEN})
    with session_scope(settings) as session:
        for n, status in enumerate([EmailStatus.QUEUED, EmailStatus.QUEUED, EmailStatus.SENT]):
            session.add(
                OutboxEmail(
                    idempotency_key=f"k{n}", message_id=f"m{n}", template="t", status=status
                )
            )
    with TestClient(create_app(settings)) as client:
        body = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert "cravelynos_outbox_backlog 2.0" in body
