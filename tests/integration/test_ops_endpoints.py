"""What the load balancer and Prometheus rely on: /healthz answers without the database,
/readyz says ready, degraded or unready (503) with every check as JSON and never a 500, and
/metrics is off without METRICS_TOKEN, refuses a wrong token and otherwise shows request counts
and the orders and payments in the database."""

import json
import os
import re
import subprocess
import time
import urllib.request

import pytest
from sqlalchemy import event

from catalog import create_app, search
from catalog.extensions import db
from config import BASE_DIR, TestingConfig
from tests.dbsetup import fresh_database, using_postgres
from tests.factories import gen_user
from tests.integration.test_startup_refusals import GUNICORN, _environment, _production
from tests.stripe_fake import place_card_order

TOKEN = "prometheus-scrape-token-0123456789"  # noqa: S105 (a test value)
DEAD_REDIS = "redis://127.0.0.1:1/0"
LIVE_REDIS = "redis://127.0.0.1:6379/2"  # the ops helper's database number (tests/README)


def bearer(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus text exposition (labels in any order), or None."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


def standalone_app(tmp_path, url: str, **settings):
    """An app on a database other than the session's (empty, or unreachable)."""
    config = type("OpsConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url,
                                                  "UPLOAD_DIR": str(tmp_path / "uploads"),
                                                  "SEARCH_INDEX_DIR": str(tmp_path / "search-index"), **settings})
    return create_app(config)


def unreachable_database_url(tmp_path) -> str:
    if using_postgres():
        return "postgresql+psycopg://postgres@127.0.0.1:1/katalog?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'katalog.db'}"


@pytest.fixture
def indexed(app):
    """The search index exists (a fresh Whoosh directory has none until the first rebuild)."""
    search.rebuild()
    return app


# --- /healthz -----------------------------------------------------------------------------------

def test_healthz_answers_ok_without_touching_the_database(app, client):
    with app.app_context():
        engine = db.engine
    checkouts = []
    listener = lambda *_args: checkouts.append(1)  # noqa: E731
    event.listen(engine, "checkout", listener)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "checkout", listener)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert checkouts == []  # not even a connection taken from the pool
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_while_the_database_is_down(tmp_path):
    app = standalone_app(tmp_path, unreachable_database_url(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


# --- /readyz ------------------------------------------------------------------------------------

def test_readyz_is_ready_on_a_migrated_database(indexed, client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "search", "uploads"}  # no REDIS_URL: no redis check
    assert all(check["ok"] and check["required"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["detail"].startswith("at head ")
    assert body["checks"]["database"]["detail"] == ("postgresql" if using_postgres() else "sqlite")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_unready_on_a_database_without_schema_and_says_to_migrate(tmp_path):
    with fresh_database(tmp_path) as url:
        app = standalone_app(tmp_path, url)
        response = app.test_client().get("/readyz")
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unready"
    assert body["checks"]["database"]["ok"] is True
    migrations = body["checks"]["migrations"]
    assert migrations["ok"] is False and migrations["required"] is True
    assert "no schema" in migrations["detail"] and "flask db upgrade" in migrations["detail"]


def test_readyz_is_a_503_not_a_500_when_the_database_is_down(tmp_path):
    app = standalone_app(tmp_path, unreachable_database_url(tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unready"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["migrations"] == {"ok": False, "detail": "database unreachable", "required": True, "ms": 0.0}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_degraded_not_unready_when_a_configured_redis_is_down(make_app):
    app = make_app(REDIS_URL=DEAD_REDIS)
    with app.app_context():
        search.rebuild()
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["redis"]["required"] is False
    assert all(check["ok"] for name, check in body["checks"].items() if name != "redis")


def test_readyz_checks_a_live_redis(make_app):
    import redis

    try:
        redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is not reachable — CI must test /readyz with Redis")
        pytest.skip("Redis is not running on this machine")
    app = make_app(REDIS_URL=LIVE_REDIS)
    with app.app_context():
        search.rebuild()
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["checks"]["redis"] == {**body["checks"]["redis"], "ok": True, "detail": "PONG", "required": False}


@pytest.fixture
def application_limit_restored():
    """Flask-Limiter keeps application-wide limits on the one shared Limiter object (init_app sets
    them once and never clears them): restore them, or every later app in this process is limited."""
    from catalog.extensions import limiter

    saved = list(limiter.limit_manager._application_limits)
    yield
    limiter.limit_manager.set_application_limits(saved)


def test_probes_are_not_rate_limited(make_app, application_limit_restored):
    """An application-wide limit that refuses pages never refuses the load balancer's probes."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="3 per minute")
    client = app.test_client()
    assert [client.get("/tentang").status_code for _ in range(4)][-1] == 429  # the limit is on
    for _ in range(6):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code in {200, 503}


# --- /metrics -----------------------------------------------------------------------------------

def test_metrics_are_off_without_a_token(make_app, admin):
    app = make_app(METRICS_TOKEN="")
    client = app.test_client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=bearer()).status_code == 404
    assert client.get("/metrics", headers=bearer("")).status_code == 404
    with client.session_transaction() as session:  # a Dinas admin's session is no way in either
        session["_user_id"] = admin.get_id()
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Bearer {TOKEN[:-1]}"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": "Bearer tökén"},
], ids=["missing", "longer", "shorter", "basic-scheme", "no-scheme", "non-ascii"])
def test_metrics_refuse_a_missing_or_wrong_token(make_app, headers):
    response = make_app(METRICS_TOKEN=TOKEN).test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "http_requests_total" not in response.get_data(as_text=True)


def test_metrics_show_request_counts_and_the_orders_and_payments_in_the_database(make_app):
    app = make_app(METRICS_TOKEN=TOKEN, STRIPE_SECRET_KEY="sk_test_ops")  # card checkout on; no Stripe call
    with app.app_context():
        place_card_order(shopper=gen_user())  # two sellers: two orders, one payment
        db.session.commit()
    client = app.test_client()
    before = sample(client.get("/metrics", headers=bearer()).get_data(as_text=True), "http_requests_total",
                    endpoint="public.about", method="GET", status="200") or 0
    assert client.get("/tentang").status_code == 200
    assert client.get("/tentang").status_code == 200

    response = client.get("/metrics", headers=bearer())
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert sample(text, "http_requests_total", endpoint="public.about", method="GET", status="200") == before + 2
    assert sample(text, "http_request_duration_seconds_count", endpoint="public.about") >= 2
    assert sample(text, "katalog_orders", status="awaiting_payment") == 2
    assert sample(text, "katalog_orders", status="completed") == 0  # every known status, also when 0
    assert sample(text, "katalog_payments", status="pending") == 1
    assert sample(text, "katalog_metrics_source_up", source="database") == 1


def test_metrics_still_answer_when_the_database_is_down(tmp_path):
    app = standalone_app(tmp_path, unreachable_database_url(tmp_path), METRICS_TOKEN=TOKEN)
    response = app.test_client().get("/metrics", headers=bearer())
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert sample(text, "katalog_metrics_source_up", source="database") == 0
    assert "katalog_orders" not in text
    assert "http_requests_total" in text  # the request metrics are still there


# --- under gunicorn -------------------------------------------------------------------------------

def test_under_gunicorn_metrics_cover_every_worker_and_request_logs_are_json(tmp_path, database_url):
    """As deployed: gunicorn.conf.py prepares the metrics directory before two workers fork; a
    scrape counts the requests every worker answered, and each request leaves one JSON log line
    with the X-Request-ID it came with."""
    env = _environment(tmp_path, **_production(DATABASE_URL=database_url, METRICS_TOKEN=TOKEN, GUNICORN_WORKERS="2",
                                               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus")))
    base = f"http://{env['GUNICORN_BIND']}"

    def get(path: str, headers: dict | None = None):
        request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310 (loopback http)
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback http)
            return response.status, response.read().decode()

    output = tmp_path / "gunicorn.log"
    with output.open("w") as sink:
        server = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"],  # noqa: S603 (our gunicorn)
                                  cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, output.read_text()
            try:
                get("/healthz", {"X-Request-ID": "gunicorn-start"})
                break
            except OSError:  # not listening yet
                assert time.monotonic() < deadline, output.read_text()
                time.sleep(0.3)
        for number in range(12):
            assert get("/healthz", {"X-Request-ID": f"gunicorn-probe-{number}"}) == (200, '{"status":"ok"}\n')
        status, text = get("/metrics", {"Authorization": f"Bearer {TOKEN}"})
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert status == 200
    assert sample(text, "http_requests_total", endpoint="ops.healthz", method="GET", status="200") == 12 + 1
    assert sample(text, "katalog_metrics_source_up", source="database") == 1
    assert list((tmp_path / "prometheus").glob("counter_*.db"))

    lines = [json.loads(line) for line in output.read_text().splitlines() if line.startswith("{")]
    probes = {line["request_id"] for line in lines
              if line.get("logger") == "catalog.request" and line.get("path") == "/healthz" and line["status"] == 200}
    assert probes == {"gunicorn-start"} | {f"gunicorn-probe-{number}" for number in range(12)}
