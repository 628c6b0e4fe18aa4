"""Helpers for the security tests: settings sharing one database but holding other master keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.loading import dev_settings
from config.settings import Settings
from security.keyring import generate_key


@pytest.fixture
def master_keys() -> dict[str, str]:
    """Two independent master keys, "k1" and "k2" (base64)."""
    return {"k1": generate_key(), "k2": generate_key()}


WithKeys = Callable[[Settings, dict[str, str], str], Settings]


@pytest.fixture
def with_keys() -> WithKeys:
    """Builds settings with the data directory and database of `base` but another key ring."""

    def build(base: Settings, keys: dict[str, str], active_id: str) -> Settings:
        return dev_settings(
            data_dir=base.data_dir,
            database_url=base.database_url,
            master_keys=",".join(f"{kid}:{key}" for kid, key in keys.items()),
            active_key_id=active_id,
        )

    return build
