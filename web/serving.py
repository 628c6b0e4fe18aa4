"""How uvicorn serves the app, the same for `cravelynos web` and the dev stack."""

from __future__ import annotations

from typing import Any

from config.settings import Settings


def trusted_proxies(settings: Settings) -> list[str]:
    return [part.strip() for part in settings.trusted_proxies.split(",") if part.strip()]


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options: forwarding headers are read only from the configured proxies.
    (uvicorn's own default believes them from 127.0.0.1, so a local process could claim any
    address and escape every per-address limit.)"""
    proxies = trusted_proxies(settings)
    return {
        "host": settings.web_host,
        "port": settings.web_port,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or [],
    }
