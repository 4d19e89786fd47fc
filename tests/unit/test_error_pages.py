"""Error pages speak Indonesian in the site's layout, and every response carries the security headers."""

import pytest
from flask import Blueprint, abort
from flask_login import login_user

from catalog.authz import login_required, public
from catalog.extensions import db, limiter
from catalog.models import User
from tests.factories import gen_user

# Routes that exist only in these tests, to provoke each kind of error.
broken = Blueprint("uji_galat", __name__, url_prefix="/uji")


@broken.get("/masuk-sebagai/<int:user_id>")
@public
def login_as(user_id):
    """Tests only: log in through Flask-Login itself, so the session is exactly a real one."""
    login_user(db.session.get(User, user_id))
    return "ok"


@broken.get("/rusak")
@public
def crashing_page():
    """Anyone; always fails, to show the 500 page."""
    raise RuntimeError("simulated bug")


@broken.get("/terlarang")
@public
def forbidden_page():
    """Anyone; always answers 403."""
    abort(403)


@broken.get("/akun")
@login_required
def member_page():
    """Any logged-in user."""
    return "masih masuk"


@broken.get("/dibatasi")
@public
@limiter.limit("2 per minute")
def limited_page():
    """Anyone, twice a minute; then 429."""
    return "ok"


@pytest.fixture
def error_app(make_app):
    def build(**config):
        app = make_app(**config)
        app.register_blueprint(broken)
        return app

    return build


def _html(response) -> str:
    return response.get_data(as_text=True)


def _assert_site_error_page(response, code: int, title: str):
    html = _html(response)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert title in html
    assert '<html lang="id">' in html
    assert "Kembali ke beranda" in html  # the error template inside the site's layout
    assert "Traceback" not in html and "Werkzeug" not in html


def test_unknown_address_shows_indonesian_404(client):
    _assert_site_error_page(client.get("/tidak-ada-di-sini"), 404, "Halaman tidak ditemukan")


def test_forbidden_shows_indonesian_403(error_app):
    app = error_app()
    _assert_site_error_page(app.test_client().get("/uji/terlarang"), 403, "Akses ditolak")


def test_wrong_method_shows_indonesian_405(client):
    response = client.get("/keluar")  # log out is POST only
    _assert_site_error_page(response, 405, "Metode tidak diizinkan")
    assert "POST" in response.headers["Allow"]


def test_forged_csrf_token_shows_indonesian_400_and_keeps_the_user_logged_in(error_app):
    app = error_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = gen_user(role="shopper")
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    client.get(f"/uji/masuk-sebagai/{user_id}")
    assert client.get("/uji/akun").get_data(as_text=True) == "masih masuk"

    for data in ({}, {"csrf_token": "palsu"}):
        response = client.post("/keluar", data=data)
        _assert_site_error_page(response, 400, "Permintaan tidak valid")
        assert "Formulir sudah kedaluwarsa atau tidak sah" in _html(response)

    # The refused log-out changed nothing.
    assert client.get("/uji/akun").get_data(as_text=True) == "masih masuk"


def test_a_crashing_view_shows_indonesian_500(error_app):
    app = error_app(PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().get("/uji/rusak")
    _assert_site_error_page(response, 500, "Terjadi kesalahan")
    assert "simulated bug" not in _html(response)


def test_too_many_requests_shows_indonesian_429(error_app):
    app = error_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert [client.get("/uji/dibatasi").status_code for _ in range(2)] == [200, 200]
    response = client.get("/uji/dibatasi")
    _assert_site_error_page(response, 429, "Terlalu banyak percobaan")
    assert int(response.headers["Retry-After"]) > 0


def test_error_pages_follow_the_chosen_language(client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    not_found = client.get("/tidak-ada-di-sini")
    assert not_found.status_code == 404 and "Page not found" in _html(not_found)
    wrong_method = client.get("/keluar")
    assert wrong_method.status_code == 405 and "Method not allowed" in _html(wrong_method)


@pytest.mark.parametrize("path", ["/", "/tidak-ada-di-sini", "/static/css/site.css"])
def test_responses_carry_security_headers(client, path):
    with client.get(path) as response:
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        if response.mimetype == "text/html":
            csp = headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp
            assert "script-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp


def test_500_page_carries_security_headers(error_app):
    app = error_app(PROPAGATE_EXCEPTIONS=False)
    response = app.test_client().get("/uji/rusak")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
