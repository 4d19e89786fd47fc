"""Fixtures in the flaskr style: app, client, runner, auth; plus make_app for other settings.

One database per test session is built by the migrations; every test starts from it with all
rows removed except the reference data (regions, the audit chain head).
"""

import contextvars
import os
import re

import pytest
import sqlalchemy as sa

os.environ.setdefault("FLASK_CONFIG", "testing")

from flask.testing import FlaskClient  # noqa: E402

from catalog import create_app  # noqa: E402
from catalog.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests.admin_accounts_factories import log_in  # noqa: E402
from tests.dbsetup import fresh_database  # noqa: E402
from tests.factories import gen_user  # noqa: E402

REFERENCE_TABLES = {"region", "alembic_version", "audit_head"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        app = create_app(_config(url, tmp_path_factory.mktemp("inst")))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.engine.dispose()
        yield url


def _config(url, instance_dir, **overrides):
    attrs = {
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        "SEARCH_INDEX_DIR": str(instance_dir / "search-index"),
        **overrides,
    }
    return type("TestConfig", (TestingConfig,), attrs)


def _clean(app):
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(table.delete())
            conn.execute(sa.text("UPDATE audit_head SET seq = 0, last_hash = :h WHERE id = 1"), {"h": "0" * 64})
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Runs every request in an empty contextvars context, so it pushes its own application
    context (its own `g`, its own database session) as in production, even though the test
    holds the app context the `app` fixture pushed. Without this, Flask-Login's cached user
    and Flask-Babel's cached locale would leak from one request (and one client) to the next."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test database with extra settings: make_app(WTF_CSRF_ENABLED=True)."""
    built = []

    def factory(**overrides):
        app = create_app(_config(database_url, tmp_path, **overrides))
        app.test_client_class = IsolatedClient
        built.append(app)
        return app

    yield factory
    if built:
        _clean(built[0])
    for app in built[1:]:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app with its context pushed, so tests can use the factories and db.session directly."""
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email, password="rahasia-123", remember=False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/masuk", data=data)

    def logout(self):
        return self._client.post("/keluar")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def admin(app):
    """A Dinas admin; the console tests read their name on the pages ("oleh Bu Ratna (Dinas)")."""
    user = gen_user(role="admin", name="Bu Ratna (Dinas)")
    db.session.commit()
    return user


@pytest.fixture
def admin_client(client, admin):
    """The test client, logged in as `admin`."""
    log_in(client, admin)
    return client


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form in a page (for tests that run with CSRF on)."""
    match = CSRF_INPUT.search(html)
    assert match, "no csrf_token in page"
    return match.group(1) or match.group(2)
