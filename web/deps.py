"""Small dependencies shared by pages and API: the app's settings, the caller's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.requests import HTTPConnection

from config.settings import Settings
from domain.input_fields import MAX_ROW_ID


def app_settings(connection: HTTPConnection) -> Settings:
    """The settings create_app() was given (tests pass their own; never re-read the env)."""
    settings: Settings = connection.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
# A table row's id in a path: past a BIGINT it can name no row, and the drivers overflow.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def client_ip(request: Request) -> str:
    # The peer, or what a configured proxy (CRAVELYNOS_TRUSTED_PROXIES) says the client was:
    # uvicorn rewrites request.client only for those (web/serving.py).
    return request.client.host if request.client else "unknown"
