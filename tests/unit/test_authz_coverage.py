"""Every address declares who may call it, and the role decorators enforce it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint
from flask_login import login_user

from catalog.authz import (
    admin_required,
    anonymous_only,
    audience_of,
    login_required,
    officer_required,
    public,
    roles_required,
    seller_required,
)
from catalog.extensions import db
from catalog.models import User
from tests.factories import gen_user

# Endpoints that are not views of ours (Flask's static files).
EXEMPT = {"static"}


def _views(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in EXEMPT:
            yield rule, app.view_functions[rule.endpoint]


def _audiences_along(view) -> set[str]:
    """Audiences found down the chain of wrappers: two different ones mean two decorators."""
    found = set()
    while view is not None:
        if "_audience" in getattr(view, "__dict__", {}):
            found.add(view.__dict__["_audience"])
        view = getattr(view, "__wrapped__", None)
    return found


def test_every_endpoint_declares_its_audience(app):
    offenders = sorted(f"{rule.endpoint} ({rule.rule})" for rule, view in _views(app) if audience_of(view) is None)
    assert not offenders, (
        "these views declare no audience; add one decorator from catalog/authz.py "
        "(public, anonymous_only, login_required, roles_required, …):\n  " + "\n  ".join(offenders)
    )


def test_no_endpoint_stacks_two_audience_decorators(app):
    offenders = sorted(
        f"{rule.endpoint}: {sorted(found)}" for rule, view in _views(app) if len(found := _audiences_along(view)) > 1
    )
    assert not offenders, "each view takes exactly one audience decorator:\n  " + "\n  ".join(offenders)


def test_every_view_says_who_may_call_it(app):
    offenders = sorted(rule.endpoint for rule, view in _views(app) if not (view.__doc__ or "").strip())
    assert not offenders, "these views have no docstring saying who may call them:\n  " + "\n  ".join(offenders)


def test_the_url_map_is_not_empty(app):
    endpoints = {rule.endpoint for rule, _view in _views(app)}
    assert {"public.home", "auth.login", "auth.logout"} <= endpoints


def test_the_coverage_check_catches_an_undeclared_view(make_app):
    app = make_app()
    app.add_url_rule("/uji/lupa-dekorator", "forgotten", lambda: "ok")
    assert audience_of(app.view_functions["forgotten"]) is None


# A tiny blueprint that exists only in these tests: one page per audience.
gated = Blueprint("uji_akses", __name__, url_prefix="/uji")


@gated.get("/masuk-sebagai/<int:user_id>")
@public
def login_as(user_id):
    """Tests only: log in through Flask-Login itself, so the session is exactly a real one."""
    login_user(db.session.get(User, user_id))
    return "ok"


@gated.get("/publik")
@public
def public_page():
    """Anyone."""
    return "publik"


@gated.get("/tamu")
@anonymous_only
def guest_page():
    """Visitors who are not logged in; others are sent home."""
    return "tamu"


@gated.get("/akun")
@login_required
def member_page():
    """Any logged-in user."""
    return "akun"


@gated.get("/penjual")
@seller_required
def seller_page():
    """Sellers; 403 for other roles."""
    return "penjual"


@gated.get("/admin")
@admin_required
def admin_page():
    """Admins; 403 for other roles."""
    return "admin"


@gated.get("/pengadaan")
@officer_required
def officer_page():
    """Agency officers; 403 for other roles."""
    return "pengadaan"


@gated.get("/penjual-atau-admin")
@roles_required("seller", "admin")
def seller_or_admin_page():
    """Sellers and admins; 403 for other roles."""
    return "penjual-atau-admin"


@pytest.fixture
def gated_app(make_app):
    """No app context is held open here: each request gets its own, as in a real server, so
    the user loaded by one request (kept on `g`) never leaks into the next."""
    app = make_app()
    app.register_blueprint(gated)
    return app


def _make_user(app, role, **kw) -> int:
    with app.app_context():
        user = gen_user(role=role, **kw)
        db.session.commit()
        return user.id


def _logged_in_client(app, user_id):
    client = app.test_client()
    assert client.get(f"/uji/masuk-sebagai/{user_id}").status_code == 200
    return client


@pytest.fixture
def client_as(gated_app):
    """client_as() → an anonymous browser; client_as("seller") → one logged in as a new seller."""

    def make(role=None):
        if role is None:
            return gated_app.test_client()
        return _logged_in_client(gated_app, _make_user(gated_app, role))

    return make


@pytest.mark.parametrize("path", ["/uji/akun", "/uji/penjual", "/uji/admin", "/uji/pengadaan"])
def test_anonymous_visitor_is_sent_to_login_with_next(client_as, path):
    response = client_as().get(path)
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/masuk"
    assert parse_qs(location.query)["next"] == [path]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("shopper", "/uji/penjual"),
        ("shopper", "/uji/admin"),
        ("seller", "/uji/admin"),
        ("seller", "/uji/pengadaan"),
        ("officer", "/uji/penjual"),
        ("officer", "/uji/admin"),
        ("admin", "/uji/penjual"),  # admins are not sellers: no silent super-user
        ("shopper", "/uji/penjual-atau-admin"),
    ],
)
def test_wrong_role_gets_the_indonesian_403_page(client_as, role, path):
    response = client_as(role).get(path)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Akses ditolak" in html
    assert '<html lang="id">' in html


@pytest.mark.parametrize(
    ("role", "path", "body"),
    [
        ("seller", "/uji/penjual", "penjual"),
        ("admin", "/uji/admin", "admin"),
        ("officer", "/uji/pengadaan", "pengadaan"),
        ("seller", "/uji/penjual-atau-admin", "penjual-atau-admin"),
        ("admin", "/uji/penjual-atau-admin", "penjual-atau-admin"),
        ("shopper", "/uji/akun", "akun"),
        ("officer", "/uji/akun", "akun"),
    ],
)
def test_right_role_gets_the_page(client_as, role, path, body):
    response = client_as(role).get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == body


def test_public_page_opens_for_everyone(client_as):
    assert client_as().get("/uji/publik").status_code == 200
    assert client_as("seller").get("/uji/publik").status_code == 200


def test_anonymous_only_page_sends_logged_in_users_home(client_as):
    assert client_as().get("/uji/tamu").status_code == 200
    response = client_as("shopper").get("/uji/tamu")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/"


def test_deactivated_user_is_treated_as_anonymous(gated_app):
    seller_id = _make_user(gated_app, "seller")
    client = _logged_in_client(gated_app, seller_id)
    assert client.get("/uji/penjual").status_code == 200
    with gated_app.app_context():
        db.session.get(User, seller_id).active = False
        db.session.commit()
    response = client.get("/uji/penjual")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/masuk"


def test_unknown_role_in_a_decorator_fails_at_import_time():
    with pytest.raises(ValueError, match="unknown roles"):
        roles_required("superuser")
