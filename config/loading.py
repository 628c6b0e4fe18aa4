"""Settings as an entry point needs them: the environment, plus the dev secrets in dev mode.

This is the one place that may write the dev secrets file, so that a `Settings` built anywhere
else (a test, a helper) never touches the disk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from config.settings import DEV_SECRETS_FILE, SECRET_NAMES, Settings


def load_settings() -> Settings:
    """The environment's settings; in dev mode, the secrets it leaves unset come from the data
    directory's dev secrets, generated on first use so a restart resumes the same encrypted
    state."""
    settings = Settings()
    missing = settings.missing_secrets()
    if settings.mode != "dev" or not missing:
        return settings
    stored = load_or_create_dev_secrets(settings.data_dir)
    return settings.model_copy(update={name: stored[name] for name in missing})


def generate_dev_secrets() -> dict[str, str]:
    kid = "dev-" + secrets.token_hex(4)
    return {
        "master_keys": f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "active_key_id": kid,
        "blind_index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        "session_secret": secrets.token_urlsafe(32),
        "audit_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _derived_secret(base: str, name: str) -> str:
    digest = hmac.new(base.encode(), name.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def load_or_create_dev_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / DEV_SECRETS_FILE
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        # A secret added after this file was written: derived from one it holds, so that every
        # process computes the same value without rewriting the file.
        for name in SECRET_NAMES:
            stored.setdefault(name, _derived_secret(stored["session_secret"], name))
        return stored
    generated = generate_dev_secrets()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Owner-only permissions: these keys decrypt the dev database. O_EXCL: two processes
    # starting at once never write two different key rings.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create_dev_secrets(data_dir)
    with os.fdopen(fd, "w") as handle:
        json.dump(generated, handle)
    return generated


def dev_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Dev-mode settings for `data_dir`, with that directory's dev secrets (created on first use):
    what tests and benchmarks run with. `overrides` win over both."""
    values = {"mode": "dev", "data_dir": data_dir, **load_or_create_dev_secrets(data_dir)}
    return Settings(**{**values, **overrides})
