"""One way to reach Temporal: with the encrypting data converter, so no payload leaves in clear."""

from __future__ import annotations

from temporalio.client import Client

from config.settings import Settings
from security.codec import make_data_converter


async def connect_client(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=make_data_converter(settings),
    )
