"""Security headers: every HTML page of the site (each GET rule of the URL map, asked by a user it
is for, and the error pages a wrong role gets) carries a Content-Security-Policy without
'unsafe-inline' scripts and with frame-ancestors, X-Content-Type-Options: nosniff and a
Referrer-Policy; every other response (CSV, PDF, JSON, files) nosniff too. With the production
settings: HSTS, and the session and remember-me cookies Secure, HttpOnly and SameSite.
"""

from http.cookies import SimpleCookie

import pytest

from catalog import create_app
from config import ProductionConfig
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.security.world import allowed_role, build_url, client_for, login_of, module_world, rules, side_for, values

world = module_world()


def _directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


def header_problems(response) -> list[str]:
    """What is missing or weak in a response's security headers."""
    problems = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.mimetype != "text/html":
        return problems
    if not response.headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    policy = response.headers.get("Content-Security-Policy")
    if not policy:
        return [*problems, "no Content-Security-Policy"]
    directives = _directives(policy)
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("CSP limits no scripts (neither script-src nor default-src)")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(f"CSP lets scripts run from anywhere or inline: {' '.join(scripts)}")
    if "frame-ancestors" not in directives:
        problems.append("CSP without frame-ancestors")
    return problems


def test_the_checker_spots_weak_headers():
    class Fake:
        mimetype = "text/html"

        def __init__(self, headers):
            self.headers = headers

    good = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"}
    assert header_problems(Fake(good)) == []
    assert header_problems(Fake({**good, "Content-Security-Policy": "script-src 'self' 'unsafe-inline'; "
                                                                    "frame-ancestors 'none'"}))
    assert header_problems(Fake({**good, "Content-Security-Policy": "img-src 'self'; frame-ancestors 'none'"}))
    assert header_problems(Fake({**good, "Content-Security-Policy": "default-src 'self'"}))
    assert header_problems(Fake({k: v for k, v in good.items() if k != "Referrer-Policy"}))


def test_every_page_carries_the_security_headers(world):
    app, w = world
    clients, failures, html_pages = {}, [], 0
    for rule, method in rules(app):
        if method != "GET":
            continue
        role = allowed_role(rule, method)
        client = clients.setdefault(role, client_for(app, login_of(w, role)))
        url = build_url(app, rule, values(w, rule, side_for(rule)))
        response = client.get(url, buffered=True)
        assert response.status_code < 500, url
        html_pages += response.mimetype == "text/html"
        failures += [f"{role}: GET {url} ({response.status_code}, {response.mimetype}): {p}"
                     for p in header_problems(response)]
    assert html_pages > 80  # the pages were really HTML pages, not redirects
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("role", "path", "status"), [
    ("shopper", "/admin", 403),
    ("anonymous", "/tidak-ada-halaman-ini", 404),
    ("seller", "/penjual/produk/999999", 404),
    ("anonymous", "/keluar", 405),
])
def test_error_pages_carry_them_too(world, role, path, status):
    app, w = world
    response = client_for(app, login_of(w, role)).get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert header_problems(response) == []


# --- production settings --------------------------------------------------------------------------

@pytest.fixture
def production_app(world, database_url, tmp_path, monkeypatch):
    """The app with ProductionConfig, on the module's database (its world), with the environment
    ProductionConfig.check asks for."""
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("PLATFORM_BANK_ACCOUNT", "0012345678901")
    settings = type("SecurityProductionConfig", (ProductionConfig,), {
        "SECRET_KEY": "k" * 48,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "CACHE_TYPE": "NullCache",
        "CACHE_NO_NULL_WARNING": True,
        "MAIL_SERVER": "",
    })
    app = create_app(settings)
    yield app
    from catalog.extensions import db

    with app.app_context():
        db.engine.dispose()


def _cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the raw header, attributes included)."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        found[next(iter(SimpleCookie(header)))] = header
    return found


def test_production_sends_hsts_and_secure_cookies(production_app, world):
    _app, w = world
    client = production_app.test_client()
    login_page = client.get("/masuk", base_url="https://localhost")
    assert login_page.status_code == 200
    assert "max-age=" in login_page.headers.get("Strict-Transport-Security", "")
    assert header_problems(login_page) == []
    response = client.post("/masuk", base_url="https://localhost", data={
        "csrf_token": csrf_token_from(login_page.get_data(as_text=True)),
        "email": w.sides["A"].emails["shopper"], "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert response.headers.get("Strict-Transport-Security")
    cookies = _cookies(response)
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in attributes, cookies[name]
        assert "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes, cookies[name]


def test_the_development_settings_send_no_hsts(world):
    app, _w = world
    assert "Strict-Transport-Security" not in client_for(app).get("/").headers
