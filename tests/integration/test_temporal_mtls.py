"""Mutual TLS to Temporal with the certificates `cravelynos tls generate` makes.

The dev server has no TLS of its own: a TLS terminator in front of it (requiring a client
certificate from our CA, as the production frontend does with TEMPORAL_TLS_REQUIRE_CLIENT_AUTH)
stands in for the production frontend. The app's client connects through it with its client
certificate; a client without one is turned away."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.stack import run_cli
from temporalio.client import Client
from temporalio.service import TLSConfig
from temporalio.testing import WorkflowEnvironment

from config.loading import dev_settings
from gateway.connection import connect_client

pytestmark = pytest.mark.devserver


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def mtls_terminator(tls_dir: Path, upstream: str) -> AsyncIterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_dir / "server.pem", tls_dir / "server.key")
    context.load_verify_locations(tls_dir / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    host, port = upstream.rsplit(":", 1)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_the_app_reaches_temporal_over_mutual_tls_only(
    temporal_dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    tls_dir = tmp_path / "tls"
    settings = dev_settings(data_dir=tmp_path / "data")
    made = run_cli(settings, "tls", "generate", str(tls_dir))
    assert made.returncode == 0, made.stderr
    assert (tls_dir / "client.key").stat().st_mode & 0o077 == 0
    again = run_cli(settings, "tls", "generate", str(tls_dir))
    assert "left as they are" in again.stdout

    upstream = temporal_dev_env.client.service_client.config.target_host
    async with mtls_terminator(tls_dir, upstream) as address:
        secured = settings.model_copy(
            update={
                "temporal_address": address,
                "temporal_namespace": temporal_dev_env.client.namespace,
                "temporal_tls_ca": str(tls_dir / "ca.pem"),
                "temporal_tls_cert": str(tls_dir / "client.pem"),
                "temporal_tls_key": str(tls_dir / "client.key"),
                "temporal_tls_server_name": "temporal",
            }
        )
        client = await connect_client(secured)
        assert await client.service_client.check_health()

        without_certificate = TLSConfig(
            server_root_ca_cert=(tls_dir / "ca.pem").read_bytes(), domain="temporal"
        )
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(Client.connect(address, tls=without_certificate), timeout=20)
