"""Login limits that hold across web processes and never lock the real person out."""

from __future__ import annotations

from fastapi.testclient import TestClient
from support.webapp import PASSWORD, Staff, offline
from test_login_page import form_token

from config.settings import Settings
from web.app import create_app
from web.rate_limit import DEVICE_COOKIE, LoginRateLimiter, SharedRateLimiter


def _sign_in(client: TestClient, email: str, password: str) -> int:
    token = form_token(client)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return response.status_code


def test_a_limit_holds_across_processes(db_settings: Settings) -> None:
    # Two web processes: two limiters, one database.
    first, second = SharedRateLimiter(db_settings, 3), SharedRateLimiter(db_settings, 3)
    waits = [limiter.hit("link:203.0.113.9") for limiter in (first, second, first, second)]
    assert waits[:3] == [0, 0, 0] and waits[3] > 0
    assert first.hit("link:198.51.100.7") == 0  # another address, its own count


def test_strangers_guessing_from_many_addresses_hit_the_account_limit(
    db_settings: Settings,
) -> None:
    limiter = LoginRateLimiter(db_settings.model_copy(update={"login_attempts_per_minute": 2}))
    email = "alice@cravelynos.example"
    for number in range(6):  # three times the per-address limit, from six addresses
        source = f"203.0.113.{number}"
        assert limiter.wait(source, email) == 0
        limiter.failed(source, email)
    assert limiter.wait("203.0.113.99", email) > 0  # a seventh address: the account is shut
    assert limiter.wait("203.0.113.99", "bruno@cravelynos.example") == 0
    # ...but not for the browser Alice signs in with: it is counted on its own.
    assert limiter.wait("192.0.2.10", email, device="alice-laptop") == 0


def test_the_real_person_signs_in_during_an_attack_on_their_account(
    settings: Settings, staff: Staff
) -> None:
    limited = offline(settings, login_attempts_per_minute=2)
    app = create_app(limited)
    email = staff.case_worker.email
    with TestClient(app) as alice:
        assert _sign_in(alice, email, PASSWORD) == 303
        assert alice.cookies.get(DEVICE_COOKIE)
        alice.cookies.delete("cravelynos_session")
        # Meanwhile strangers from many addresses try her password.
        for number in range(6):
            app.state.login_limiter.failed(f"203.0.113.{number}", email)
        with TestClient(app) as stranger:
            assert _sign_in(stranger, email, PASSWORD) == 429
        # Her own browser is not locked out.
        assert _sign_in(alice, email, PASSWORD) == 303


def test_a_device_cookie_for_another_account_does_not_help(
    settings: Settings, staff: Staff
) -> None:
    limited = offline(settings, login_attempts_per_minute=2)
    app = create_app(limited)
    with TestClient(app) as browser:
        assert _sign_in(browser, staff.colleague.email, PASSWORD) == 303
        browser.cookies.delete("cravelynos_session")
        for number in range(6):
            app.state.login_limiter.failed(f"203.0.113.{number}", staff.case_worker.email)
        assert _sign_in(browser, staff.case_worker.email, PASSWORD) == 429
