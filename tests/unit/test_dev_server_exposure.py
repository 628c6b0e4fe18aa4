"""The embedded Temporal dev server has no TLS and no authentication: loopback only."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loading import dev_settings
from dev.stack import temporal_dev_server_command


def test_the_dev_server_listens_on_loopback(tmp_path: Path) -> None:
    command = temporal_dev_server_command(dev_settings(data_dir=tmp_path))
    assert command[command.index("--ip") + 1] == "127.0.0.1"
    assert command[command.index("--ui-ip") + 1] == "127.0.0.1"


@pytest.mark.parametrize(
    "overrides",
    [
        {"temporal_address": "0.0.0.0:7233"},
        {"temporal_address": "192.168.1.20:7233"},
        {"temporal_ui_url": "http://0.0.0.0:8233"},
    ],
)
def test_any_other_address_is_refused(tmp_path: Path, overrides: dict[str, str]) -> None:
    settings = dev_settings(data_dir=tmp_path, **overrides)
    with pytest.raises(SystemExit, match="loopback"):
        temporal_dev_server_command(settings)
