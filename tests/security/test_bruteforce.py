"""Guessing passwords: after the configured number of attempts the log-in answers 429 with an
Indonesian message, even to the right password, until the window has passed; guessing one
account from many addresses is limited too; the password-reset request is limited."""

import limits.storage.memory
import pytest
from limits import parse_many

from catalog.extensions import db
from tests.factories import PASSWORD, gen_user
from tests.security.attack_payloads import page_text

WRONG = "salah-sandi-99"


class Clock:
    """Stands in for the `time` module of the rate limiter's in-memory storage."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_900_000_000.0)
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    return clock


@pytest.fixture
def limited_app(make_app, clock):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        gen_user(email="korban@contoh.id")
        db.session.commit()
    return app


def first_limit(setting: str):
    """The tightest of the configured limits ("10 per minute;50 per hour" → 10 per minute)."""
    return min(parse_many(setting), key=lambda item: item.get_expiry())


def attempt(client, password, email="korban@contoh.id"):
    return client.post("/masuk", data={"email": email, "password": password})


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def logged_in(client) -> bool:
    return client.get("/akun").status_code == 200


def test_wrong_passwords_then_429_even_for_the_right_password_until_the_window_passes(limited_app, clock):
    limit = first_limit(limited_app.config["LOGIN_RATE_LIMIT"])
    client = limited_app.test_client()
    for _ in range(limit.amount):
        response = attempt(client, WRONG)
        assert response.status_code == 200 and "Email atau kata sandi salah" in page_text(response)
    refused = attempt(client, WRONG)
    assert refused.status_code == 429
    assert "Terlalu banyak percobaan" in page_text(refused) and "Tunggu sebentar" in page_text(refused)
    assert int(refused.headers["Retry-After"]) > 0

    right = attempt(client, PASSWORD)
    assert right.status_code == 429 and not logged_in(client)

    clock.now += limit.get_expiry() + 1
    assert attempt(client, PASSWORD).status_code == 302 and logged_in(client)


def test_guessing_one_account_from_many_addresses_is_limited_too(limited_app):
    limit = first_limit(limited_app.config["LOGIN_RATE_LIMIT"])
    statuses = []
    for n in range(limit.amount + 2):
        client = from_address(limited_app, f"10.0.{n // 250}.{n % 250 + 1}")
        statuses.append(attempt(client, WRONG).status_code)
    assert statuses[:limit.amount] == [200] * limit.amount
    assert set(statuses[limit.amount:]) == {429}
    # The limit is for that account: another account from a fresh address still logs in.
    with limited_app.app_context():
        gen_user(email="lain@contoh.id")
        db.session.commit()
    fresh = from_address(limited_app, "10.9.9.9")
    assert attempt(fresh, PASSWORD, email="lain@contoh.id").status_code == 302


def test_the_account_limit_ignores_case_and_spaces_in_the_email(limited_app):
    limit = first_limit(limited_app.config["LOGIN_RATE_LIMIT"])
    spellings = ["korban@contoh.id", "KORBAN@contoh.id", " Korban@Contoh.ID ", "korban@CONTOH.id"]
    statuses = []
    for n in range(limit.amount + 1):
        client = from_address(limited_app, f"10.1.0.{n + 1}")
        statuses.append(attempt(client, WRONG, email=spellings[n % len(spellings)]).status_code)
    assert statuses[-1] == 429


def test_password_reset_requests_are_limited(limited_app, clock):
    limit = first_limit(limited_app.config["PASSWORD_RESET_RATE_LIMIT"])
    client = limited_app.test_client()
    for _ in range(limit.amount):
        assert client.post("/lupa-kata-sandi", data={"email": "korban@contoh.id"}).status_code == 302
    refused = client.post("/lupa-kata-sandi", data={"email": "korban@contoh.id"})
    assert refused.status_code == 429 and "Terlalu banyak percobaan" in page_text(refused)
    sent = [mail for mail in limited_app.extensions.get("mail_outbox", []) if mail.get("to") == "korban@contoh.id"]
    assert len(sent) <= limit.amount
    clock.now += limit.get_expiry() + 1
    assert client.post("/lupa-kata-sandi", data={"email": "korban@contoh.id"}).status_code == 302


def test_looking_at_the_forms_is_not_an_attempt(limited_app):
    client = limited_app.test_client()
    limit = first_limit(limited_app.config["LOGIN_RATE_LIMIT"])
    for _ in range(limit.amount + 2):
        assert client.get("/masuk").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302
