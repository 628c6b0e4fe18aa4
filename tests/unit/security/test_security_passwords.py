from __future__ import annotations

from argon2 import PasswordHasher

from security.passwords import hash_password, needs_rehash, verify_password


def test_hash_and_verify() -> None:
    password_hash = hash_password("correct horse battery staple")
    assert password_hash.startswith("$argon2id$")
    assert "correct horse" not in password_hash
    assert verify_password(password_hash, "correct horse battery staple")
    assert not verify_password(password_hash, "correct horse battery stapler")
    assert not verify_password(password_hash, "")


def test_hashes_are_salted() -> None:
    assert hash_password("même mot de passe") != hash_password("même mot de passe")


def test_unicode_password() -> None:
    password_hash = hash_password("Mot-de-passe-élevé-€")
    assert verify_password(password_hash, "Mot-de-passe-élevé-€")
    # A different Unicode form is a different password: no silent normalisation.
    assert not verify_password(password_hash, "Mot-de-passe-e\u0301leve\u0301-€")


def test_invalid_hash_gives_false_not_an_exception() -> None:
    assert not verify_password("", "x")
    assert not verify_password("not-a-hash", "x")
    assert not verify_password("$argon2id$v=19$m=65536,t=3,p=4$broken", "x")


def test_weaker_hash_needs_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x")
    assert verify_password(weak, "x")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("x"))
