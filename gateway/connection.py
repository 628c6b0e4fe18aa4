"""One way to reach Temporal: with the encrypting data converter, so no payload leaves in clear,
and over mutual TLS when configured (always in production)."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.service import TLSConfig

from config.settings import Settings
from security.codec import make_data_converter


def tls_config(settings: Settings) -> TLSConfig | None:
    if not settings.temporal_mtls:
        return None
    return TLSConfig(
        server_root_ca_cert=Path(settings.temporal_tls_ca).read_bytes(),
        client_cert=Path(settings.temporal_tls_cert).read_bytes(),
        client_private_key=Path(settings.temporal_tls_key).read_bytes(),
        domain=settings.temporal_tls_server_name or None,
    )


async def connect_client(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=make_data_converter(settings),
        tls=tls_config(settings) or False,
    )
