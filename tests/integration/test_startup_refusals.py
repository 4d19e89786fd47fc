"""A server that would only half work refuses to start: gunicorn with gunicorn.conf.py stops with
one line on stderr and exit code 1 for a missing secret, an unreachable database, migrations
behind head and a configured Redis that is down. Redis lost while running degrades the site
(cache misses, rate limits per process) with a logged warning, never a 500."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from catalog import create_app
from catalog.extensions import db
from config import BASE_DIR, TestingConfig
from tests.dbsetup import fresh_database
from tests.factories import gen_user

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
STRONG_KEY = "k" * 24 + "9f1c2e7a4b6d8e0f3a5c7e9b"
DEAD_REDIS = "redis://127.0.0.1:1/0"
LIVE_REDIS = "redis://127.0.0.1:6379/4"
REFUSAL = "Katalog UMKM tidak dapat mulai: "


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path, **env) -> dict:
    keep = {k: v for k, v in os.environ.items()
            if k not in {"FLASK_CONFIG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SEARCH_BACKEND",
                         "PROMETHEUS_MULTIPROC_DIR"}}
    return {**keep, "INSTANCE_DIR": str(tmp_path / "instance"), "GUNICORN_BIND": f"127.0.0.1:{_free_port()}",
            "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1", "GUNICORN_ACCESS_LOG": "/dev/null", **env}


def _production(**env) -> dict:
    return {"FLASK_CONFIG": "production", "SECRET_KEY": STRONG_KEY, "PLATFORM_BANK_ACCOUNT": "0987654321", **env}


def _gunicorn(env: dict) -> subprocess.CompletedProcess:
    """Start gunicorn as an operator would; a refused start ends by itself within seconds."""
    return subprocess.run(  # noqa: S603 (our own gunicorn, config and app)
        [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=BASE_DIR, env=env,
        capture_output=True, text=True, timeout=90)


def _assert_refused(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 1, result.stderr
    refusals = [line for line in result.stderr.splitlines() if line.startswith(REFUSAL)]
    assert len(refusals) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in refusals[0], refusals[0]
    return refusals[0]


def _migrated(url: str, tmp_path, revision: str = "head") -> None:
    config = type("Migrate", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                "UPLOAD_DIR": str(tmp_path / "up"),
                                                "SEARCH_INDEX_DIR": str(tmp_path / "idx")})
    app = create_app(config)
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is not reachable — CI must test the Redis start-up check")
        return False


def test_production_without_a_secret_key_exits_with_one_line(tmp_path, database_url):
    env = _environment(tmp_path, FLASK_CONFIG="production", PLATFORM_BANK_ACCOUNT="0987654321",
                       DATABASE_URL=database_url)
    _assert_refused(_gunicorn(env), "SECRET_KEY", "32 karakter")


def test_production_with_the_development_secret_is_refused_too(tmp_path, database_url):
    from config import DEV_SECRET_KEY

    env = _environment(tmp_path, **_production(SECRET_KEY=DEV_SECRET_KEY, DATABASE_URL=database_url))
    _assert_refused(_gunicorn(env), "SECRET_KEY")


def test_unreachable_database_is_refused_without_showing_its_password(tmp_path):
    env = _environment(tmp_path, **_production(
        DATABASE_URL="postgresql://katalog:sandi-rahasia-db@127.0.0.1:1/katalog"))
    line = _assert_refused(_gunicorn(env), "basis data", "tidak dapat dihubungi", "127.0.0.1:1")
    assert "sandi-rahasia-db" not in line


def test_migrations_behind_head_are_refused_naming_both_revisions(tmp_path):
    with fresh_database(tmp_path) as url:
        _migrated(url, tmp_path, revision="0009_page_indexes")
        env = _environment(tmp_path, **_production(DATABASE_URL=url))
        _assert_refused(_gunicorn(env), "0009_page_indexes", "flask db upgrade")


def test_a_database_without_any_schema_is_refused(tmp_path):
    env = _environment(tmp_path, **_production(DATABASE_URL=f"sqlite:///{tmp_path / 'kosong.db'}"))
    _assert_refused(_gunicorn(env), "belum punya skema", "flask db upgrade")


def test_redis_configured_but_down_at_start_is_refused(tmp_path, database_url):
    env = _environment(tmp_path, **_production(DATABASE_URL=database_url, REDIS_URL=DEAD_REDIS))
    _assert_refused(_gunicorn(env), "REDIS_URL", "Redis tidak menjawab")


def test_a_healthy_setup_starts_and_serves_pages(tmp_path, database_url):
    """The checks must not refuse a good setup: production settings, migrated database, live Redis."""
    extra = {"REDIS_URL": LIVE_REDIS} if _redis_up() else {}
    env = _environment(tmp_path, **_production(DATABASE_URL=database_url, **extra))
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
            [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"], cwd=BASE_DIR, env=env,
            stdout=output, stderr=subprocess.STDOUT)
    url = f"http://{env['GUNICORN_BIND']}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback http)
                    assert response.status == 200
                    assert "Katalog UMKM" in response.read().decode()
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- Redis lost while the site runs ------------------------------------------------------------

def _app_with_dead_redis(make_app, **overrides):
    return make_app(REDIS_URL=DEAD_REDIS, CACHE_TYPE="catalog.redis_fallback.TolerantRedisCache",
                    CACHE_REDIS_URL=DEAD_REDIS, CACHE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1},
                    RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DEAD_REDIS,
                    RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1}, **overrides)


@pytest.fixture
def fresh_outage():
    from catalog import redis_fallback
    from catalog.extensions import limiter

    redis_fallback.outage.down_since = None
    yield redis_fallback.outage
    redis_fallback.outage.down_since = None
    # The Limiter object is shared by every app in the process: forget the dead storage it saw.
    limiter._storage_dead = False


def test_pages_work_when_redis_goes_away_and_the_log_says_so_once(make_app, caplog, fresh_outage):
    app = _app_with_dead_redis(make_app)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="catalog.redis"):
        for path in ("/", "/", "/kategori"):
            response = client.get(path, follow_redirects=True)
            assert response.status_code == 200, path
    warnings = [r for r in caplog.records if r.name == "catalog.redis" and "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_the_cache_is_a_miss_while_redis_is_down_and_works_when_it_answers(make_app, fresh_outage):
    from catalog.extensions import cache

    app = _app_with_dead_redis(make_app)
    with app.app_context():
        assert cache.set("katalog-test-key", 7) is False
        assert cache.get("katalog-test-key") is None
        assert fresh_outage.down_since is not None
    if not _redis_up():
        pytest.skip("Redis is not running on this machine")
    live = make_app(REDIS_URL=LIVE_REDIS, CACHE_TYPE="catalog.redis_fallback.TolerantRedisCache",
                    CACHE_REDIS_URL=LIVE_REDIS, CACHE_KEY_PREFIX="katalog-startup-test:",
                    CACHE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1})
    fresh_outage.down_since = None
    with live.app_context():
        assert cache.set("katalog-test-key", 7, timeout=30)
        assert cache.get("katalog-test-key") == 7
        cache.delete("katalog-test-key")


def test_login_limits_still_hold_per_process_while_redis_is_down(make_app, fresh_outage):
    app = _app_with_dead_redis(make_app, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        user = gen_user()
        db.session.commit()
        email = user.email
    codes = [client.post("/masuk", data={"email": email, "password": "salah-sekali-123"}).status_code
             for _ in range(4)]
    assert 500 not in codes
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429


def test_the_job_worker_refuses_to_start_like_the_web_server(make_app):
    app = make_app(REDIS_URL=DEAD_REDIS)
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert REFUSAL in result.output and "Redis tidak menjawab" in result.output


def test_a_schema_newer_than_the_code_keeps_serving_during_a_rolling_upgrade(tmp_path):
    """Between `flask db upgrade` (new code's migrations) and the last server's restart, the old
    servers run on a schema they do not know: they stay ready and may restart; one behind refuses."""
    import sqlalchemy as sa

    from catalog import health
    from catalog.startup import StartupRefused, check_dependencies

    with fresh_database(tmp_path) as url:
        _migrated(url, tmp_path)
        config = type("Ahead", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": str(tmp_path / "up"),
                                                  "SEARCH_INDEX_DIR": str(tmp_path / "idx")})
        app = create_app(config)
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_newer_code'"))
            db.session.commit()
            assert health.schema_state()[0] == "ahead"
            assert health.migrations().ok
            check_dependencies(app)  # does not refuse
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = '0009_page_indexes'"))
            db.session.commit()
            assert health.schema_state()[0] == "behind"
            assert not health.migrations().ok
            with pytest.raises(StartupRefused, match="0009_page_indexes"):
                check_dependencies(app)
            db.engine.dispose()
