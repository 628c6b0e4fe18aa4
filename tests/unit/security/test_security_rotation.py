from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from config.settings import Settings
from models.client import Client
from models.database import session_scope
from security.datakeys import ClientCipher, wrapped_key_id
from security.keyring import UnknownKeyError, generate_key
from services.key_rotation import rotate_keys

WithKeys = Callable[[Settings, dict[str, str], str], Settings]

EMAILS = {"c1": "jean@example.fr", "c2": "marie@example.fr", "c3": "ali@example.fr"}


def _create_clients(settings: Settings) -> None:
    with session_scope(settings) as session:
        for client_id, email in EMAILS.items():
            wrapped, cipher = ClientCipher.new_client(client_id, settings)
            session.add(
                Client(
                    id=client_id,
                    wrapped_key=wrapped,
                    email_enc=cipher.encrypt("client", "email_enc", client_id, email),
                    departement="69",
                )
            )
        session.add(Client(id="erased", wrapped_key=None, departement="13"))


def _read_emails(settings: Settings) -> dict[str, str | None]:
    with session_scope(settings) as session:
        clients = session.exec(select(Client).where(Client.id != "erased")).all()
        return {
            c.id: ClientCipher.for_client(c, settings).decrypt(
                "client", "email_enc", c.id, c.email_enc
            )
            for c in clients
        }


def _key_ids(settings: Settings) -> dict[str, str | None]:
    with session_scope(settings) as session:
        return {
            c.id: None if c.wrapped_key is None else wrapped_key_id(c.wrapped_key)
            for c in session.exec(select(Client)).all()
        }


def test_rotation_rewraps_and_old_key_can_then_leave(
    db_settings: Settings, master_keys: dict[str, str], with_keys: WithKeys
) -> None:
    old = with_keys(db_settings, {"k1": master_keys["k1"]}, "k1")
    _create_clients(old)
    both = with_keys(db_settings, master_keys, "k2")
    only_new = with_keys(db_settings, {"k2": master_keys["k2"]}, "k2")

    # Removing k1 before rotating would lose every client.
    with pytest.raises(UnknownKeyError):
        _read_emails(only_new)

    with session_scope(both) as session:
        report = rotate_keys(session, both)
    assert (report.rewrapped, report.already_current) == (3, 0)
    assert report.by_old_key == {"k1": 3}
    assert report.active_key_id == "k2"
    assert _key_ids(both) == {"c1": "k2", "c2": "k2", "c3": "k2", "erased": None}
    assert _read_emails(both) == EMAILS

    with session_scope(both) as session:
        again = rotate_keys(session, both)
    assert (again.rewrapped, again.already_current, again.by_old_key) == (0, 3, {})

    # After rotation the old key is no longer needed.
    assert _read_emails(only_new) == EMAILS
    assert _key_ids(only_new)["erased"] is None


def test_rotation_reports_each_old_key(
    db_settings: Settings, master_keys: dict[str, str], with_keys: WithKeys
) -> None:
    keys = {**master_keys, "k3": generate_key()}
    with session_scope(db_settings) as session:
        for client_id, active in [("a", "k1"), ("b", "k1"), ("c", "k2"), ("d", "k3")]:
            wrapped, _ = ClientCipher.new_client(client_id, with_keys(db_settings, keys, active))
            session.add(Client(id=client_id, wrapped_key=wrapped, departement="75"))

    target = with_keys(db_settings, keys, "k3")
    with session_scope(target) as session:
        report = rotate_keys(session, target)
    assert report.rewrapped == 3
    assert report.already_current == 1
    assert report.by_old_key == {"k1": 2, "k2": 1}
