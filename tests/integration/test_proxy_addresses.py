"""Behind nginx every request comes from the proxy's address: with PROXY_HOPS=1 the per-client
rate limits key on the address nginx saw, and without a proxy (PROXY_HOPS=0) a client cannot
escape them by sending its own X-Forwarded-For."""

import pytest


def _attempt(client, n: int, forwarded_for: str) -> int:
    return client.post("/masuk", data={"email": f"tamu{n}@contoh.id", "password": "salah-sekali-123"},
                       headers={"X-Forwarded-For": forwarded_for}).status_code


@pytest.fixture
def limited(make_app):
    def build(hops: int):
        return make_app(PROXY_HOPS=hops, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute").test_client()
    return build


def test_behind_one_proxy_each_visitor_has_its_own_login_limit(limited):
    client = limited(1)
    assert [_attempt(client, n, "203.0.113.7") for n in range(3)] == [200, 200, 429]
    # Another phone behind the same nginx is not refused for the first one's attempts.
    assert _attempt(client, 10, "198.51.100.23") == 200


def test_only_the_address_the_proxy_appended_counts(limited):
    client = limited(1)
    # A client's own X-Forwarded-For comes first; nginx appends the real address last.
    for n in range(2):
        assert _attempt(client, n, f"10.9.9.{n}, 203.0.113.7") == 200
    assert _attempt(client, 5, "10.9.9.99, 203.0.113.7") == 429


def test_without_a_proxy_a_forged_header_does_not_escape_the_limit(limited):
    client = limited(0)
    codes = [_attempt(client, n, f"192.0.2.{n}") for n in range(3)]
    assert codes == [200, 200, 429]
