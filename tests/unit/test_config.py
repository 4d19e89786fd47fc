"""Configuration: production refuses weak secrets, database URLs are normalised, and
production answers with Secure cookies and HSTS."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from catalog import create_app
from catalog.extensions import db
from config import BASE_DIR, DEV_SECRET_KEY, ProductionConfig, normalise_database_url

STRONG_KEY = "9f" * 32  # 64 characters, like secrets.token_hex(32)


@pytest.fixture
def production_config(tmp_path):
    """ProductionConfig on a throw-away SQLite file and upload folder (class attributes were read
    from the environment at import, so the test overrides them on a subclass)."""
    return type(
        "ProductionTestConfig",
        (ProductionConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        },
    )


@pytest.fixture
def production_app(production_config, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("PLATFORM_BANK_ACCOUNT", "1234567890")
    app = create_app(production_config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "secret",
    [None, "", DEV_SECRET_KEY, "too-short-secret", "x" * 31],
    ids=["missing", "empty", "development-default", "short", "31-characters"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(secret, production_config, monkeypatch):
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(production_config)


def test_production_refuses_to_start_without_the_platforms_bank_account(production_config, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("PLATFORM_BANK_ACCOUNT", raising=False)
    with pytest.raises(RuntimeError, match="PLATFORM_BANK_ACCOUNT"):
        create_app(production_config)


def test_production_starts_with_a_64_character_secret_key(production_app):
    assert production_app.config["PRODUCTION"] is True
    assert production_app.config["DEBUG"] is False


def test_production_marks_cookies_secure(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    # A form page stores the CSRF token in the session, so the session cookie is set.
    with production_app.test_client().get("/masuk") as response:
        cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "expected the session cookie on the response"
    assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


def test_production_sends_hsts(production_app):
    with production_app.test_client().get("/static/css/site.css") as response:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_static_files_set_no_cookie(client):
    # Static and media files carry no session cookie (nothing to store for an anonymous visit).
    with client.get("/static/css/site.css") as response:
        assert not response.headers.getlist("Set-Cookie")


def test_development_does_not_send_hsts(client):
    with client.get("/static/css/site.css") as response:
        assert "Strict-Transport-Security" not in response.headers


def _start_from_environment(tmp_path, **env):
    """Import the app in a fresh interpreter the way gunicorn does (wsgi.py, settings from the
    environment only) and report what it started with."""
    script = textwrap.dedent(
        """
        import json
        from wsgi import app
        print(json.dumps({"secret": app.config["SECRET_KEY"], "db": app.config["SQLALCHEMY_DATABASE_URI"],
                          "production": app.config["PRODUCTION"]}))
        """
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"FLASK_CONFIG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**clean, "INSTANCE_DIR": str(tmp_path / "instance"), "FLASK_CONFIG": "production",
             "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_server_uses_the_secret_key_and_database_from_the_environment(tmp_path):
    result = _start_from_environment(tmp_path, SECRET_KEY=STRONG_KEY, PLATFORM_BANK_ACCOUNT="1234567890")
    assert result.returncode == 0, result.stderr
    started = json.loads(result.stdout.strip().splitlines()[-1])
    assert started == {"secret": STRONG_KEY, "db": f"sqlite:///{tmp_path / 'prod.db'}", "production": True}


def test_production_server_without_secret_key_exits_saying_why(tmp_path):
    result = _start_from_environment(tmp_path)
    assert result.returncode != 0
    assert "RuntimeError" in result.stderr and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("postgres://u:p@db:5432/katalog", "postgresql+psycopg://u:p@db:5432/katalog"),
        ("postgresql://u:p@db:5432/katalog", "postgresql+psycopg://u:p@db:5432/katalog"),
        ("postgresql+psycopg://u@db/katalog", "postgresql+psycopg://u@db/katalog"),
        ("sqlite:////srv/katalog/katalog.db", "sqlite:////srv/katalog/katalog.db"),
    ],
)
def test_database_urls_get_the_psycopg3_driver(given, normalised):
    assert normalise_database_url(given) == normalised


def test_readme_documents_every_environment_variable():
    """Each variable config.py, gunicorn.conf.py or the app package reads has a row in the README's
    configuration table."""
    files = [BASE_DIR / "config.py", BASE_DIR / "gunicorn.conf.py", *sorted((BASE_DIR / "catalog").rglob("*.py"))]
    sources = "".join(path.read_text(encoding="utf-8") for path in files)
    read = set(re.findall(r"""(?:environ\.get|_int|_bool)\(\s*["']([A-Z][A-Z0-9_]+)["']""", sources))
    assert {"SECRET_KEY", "DATABASE_URL", "FLASK_CONFIG"} <= read
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))
    assert sorted(read - documented) == [], "add these variables to the README's configuration table"
