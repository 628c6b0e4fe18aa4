"""Web fixtures: the app on a real database, staff accounts, API tokens, Temporal unreachable.

Temporal points at a port nobody listens on, so every action that needs a workflow takes its
"Temporal unreachable" path; flows against a running server belong to the integration tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_support import Staff, make_staff, offline, token_for

from config.settings import Settings
from models.staff import StaffUser
from web.app import create_app


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return offline(settings)


@pytest.fixture
def staff(web_settings: Settings) -> Staff:
    return make_staff(web_settings)


@pytest.fixture
def app(web_settings: Settings) -> FastAPI:
    return create_app(web_settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth(client: TestClient) -> Callable[[StaffUser], dict[str, str]]:
    """Authorization headers for a staff member (one token per user, cached)."""
    cache: dict[int, dict[str, str]] = {}

    def headers(user: StaffUser) -> dict[str, str]:
        assert user.id is not None
        if user.id not in cache:
            cache[user.id] = {"Authorization": f"Bearer {token_for(client, user)}"}
        return cache[user.id]

    return headers
