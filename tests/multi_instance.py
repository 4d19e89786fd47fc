"""Two gunicorn instances of the app against one PostgreSQL database and one Redis, as in a
deployment behind a load balancer (tests/integration/test_multi_instance.py).

`cluster()` makes a fresh PostgreSQL database, runs the migrations, lets the caller add rows
through the factories, then starts the instances (`gunicorn -c gunicorn.conf.py wsgi:app`, so the
production start checks run too) and stops them and drops the database afterwards, also when a
test fails. `Browser` is one user's HTTP session that fills in the app's forms from the page
(CSRF token, hidden fields, chosen radios), as a browser would.

Every Browser connects from its own loopback address (127.x.y.z all reach 127.0.0.1 on Linux):
the log-in limit is counted per client address as well as per account, and without this every
simulated user would share the one budget of 127.0.0.1.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from requests.adapters import HTTPAdapter

from config import BASE_DIR, normalise_database_url

# The server the suite's PostgreSQL databases are made on (the PostgreSQL CI pass names it), and
# this suite's own Redis database number (other suites use 1, 2 and 4).
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/3"
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 45
REQUEST_TIMEOUT = 30
LOG_TAIL_CHARS = 8000
ACCESS_TAIL_CHARS = 3000


def require_services() -> None:
    """PostgreSQL and Redis must answer; without them the test is skipped, or fails under CI=true."""
    problems = []
    engine = sa.create_engine(normalise_database_url(PG_ADMIN_URL), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        problems.append(f"PostgreSQL at {PG_ADMIN_URL}: {str(error).splitlines()[0]}")
    finally:
        engine.dispose()
    try:
        with _redis() as client:
            client.ping()
    except Exception as error:  # noqa: BLE001 (any failure means "not available")
        problems.append(f"Redis at {REDIS_URL}: {error}")
    if problems:
        message = "the multi-instance test needs " + "; ".join(problems)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " — CI must run it", pytrace=False)
        pytest.skip(message)


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)


@contextmanager
def _fresh_postgres_database() -> Iterator[str]:
    admin = sa.create_engine(normalise_database_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"katalog_multi_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(normalise_database_url(PG_ADMIN_URL)).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _setup_app(url: str, work: Path):
    """An app on the new database for the test's own setup: the migrations, the factories."""
    from catalog import create_app
    from tests.conftest import _config

    # SEARCH_BACKEND: the instances search this database, so what is seeded is indexed there.
    return create_app(_config(normalise_database_url(url), work / "setup", SEARCH_BACKEND="postgres"))


def _in_app(app, work: Callable):
    """work() in an app context of `app`, its session removed afterwards."""
    from catalog.extensions import db

    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()


def _close_pool():
    from catalog.extensions import db

    db.engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Instance:
    """One gunicorn master (with its workers) in a process group of its own."""

    def __init__(self, name: str, work: Path, env: dict[str, str]):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance_dir = work / f"instance-{name}"
        self.log_path = work / f"gunicorn-{name}.log"  # stdout and stderr: start checks, errors, tracebacks
        self.access_log_path = work / f"gunicorn-{name}-access.log"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "INSTANCE_DIR": str(self.instance_dir),
                    "GUNICORN_ACCESS_LOG": str(self.access_log_path),
                    "PROMETHEUS_MULTIPROC_DIR": str(work / f"metrics-{name}")}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
                [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=BASE_DIR, env=self.env,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_until_serving(self) -> None:
        """Until /healthz answers 200; a gunicorn that exits (a start check refused) raises with its log."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} did not answer /healthz within {START_TIMEOUT} s:\n{self.log_tail()}")

    def _signal(self, signum: int) -> None:
        # The master and its workers: the whole group this process leads.
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), killed when it takes too long; waits for the master."""
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self) -> str:
        return _tail(self.log_path, LOG_TAIL_CHARS)

    def access_log_tail(self) -> str:
        return _tail(self.access_log_path, ACCESS_TAIL_CHARS)


def _tail(path: Path, chars: int) -> str:
    try:
        return path.read_text(errors="replace")[-chars:] or "(empty)"
    except FileNotFoundError:
        return "(no log)"


class Cluster:
    def __init__(self, database_url: str, instances: list[Instance], data: dict):
        self.database_url = database_url
        self.instances = instances
        self.data = data

    @property
    def a(self) -> Instance:
        return self.instances[0]

    @property
    def b(self) -> Instance:
        return self.instances[1]

    def engine(self) -> sa.Engine:
        return sa.create_engine(normalise_database_url(self.database_url))


class _LogsOnFailure:
    """A pytest plugin, registered while the cluster runs: a failed test's report shows the end of
    each gunicorn's log (tracebacks of a 500 land there, not in the test's output)."""

    def __init__(self, instances: list[Instance]):
        self.instances = instances

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed:
            for instance in self.instances:
                report.sections.append((f"gunicorn {instance.name} ({instance.url}) log", instance.log_tail()))
                report.sections.append((f"gunicorn {instance.name} access log (end)", instance.access_log_tail()))
        return report


def _stop_all(instances: list[Instance]) -> None:
    for instance in instances:  # all at once: each graceful stop takes a few seconds
        instance.terminate()
    for instance in instances:
        instance.stop()


@contextmanager
def cluster(work: Path, seed: Callable[[], dict], *, config, extra_env: dict[str, str] | None = None,
            names: tuple[str, ...] = ("A", "B")) -> Iterator[Cluster]:
    """Fresh database (migrated, then seeded by `seed()` in an app context), Redis db flushed, the
    instances started and serving. Everything is stopped and dropped on the way out, whatever
    happened inside."""
    with ExitStack() as stack:
        url = stack.enter_context(_fresh_postgres_database())
        setup = _setup_app(url, work)
        stack.callback(_in_app, setup, _close_pool)
        from flask_migrate import upgrade

        _in_app(setup, upgrade)  # before the instances start: their start check wants the schema at head
        with _redis() as client:
            client.flushdb()  # this suite's own database number: left-over limits would count
        (work / "uploads").mkdir(exist_ok=True)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PROMETHEUS_"))},
            "FLASK_CONFIG": "development",  # production cookies are Secure: a plain-HTTP client drops them
            "SECRET_KEY": secrets.token_hex(32),  # one secret: a session signed by one instance is valid on the other
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "SEARCH_BACKEND": "postgres",
            "UPLOAD_DIR": str(work / "uploads"),  # shared, as a network file system would be
            "MAIL_SERVER": "",
            "STRIPE_SECRET_KEY": "",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "2",
            "GUNICORN_LOG_LEVEL": "info",
            # gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl):
            # each instance would take it over from the other (and from any gunicorn running here).
            "GUNICORN_CMD_ARGS": "--no-control-socket",
            **(extra_env or {}),
        }
        env.pop("SEARCH_INDEX_DIR", None)
        instances = [Instance(name, work, env) for name in names]
        stack.callback(_stop_all, instances)
        for instance in instances:
            instance.start()
        data = _in_app(setup, seed)  # while they boot
        for instance in instances:
            instance.wait_until_serving()
        plugin = _LogsOnFailure(instances)
        config.pluginmanager.register(plugin, f"multi-instance-logs-{id(plugin)}")
        stack.callback(config.pluginmanager.unregister, plugin)
        yield Cluster(url, instances, data)


# --- a browser ----------------------------------------------------------------------------------------

class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source_ip: str, **kwargs):
        self.source_ip = source_ip  # read by init_poolmanager, which HTTPAdapter.__init__ calls
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


class _Forms(HTMLParser):
    """Every <form> of a page as (action, {name: value}) with what a browser would send without
    a click: hidden and text inputs, checked radios and checkboxes, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        elif self._fields is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self._fields[a["name"]] = a.get("value", "on" if kind in ("radio", "checkbox") else "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select:
            if self._select not in self._fields or "selected" in a:
                self._fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data


def form_fields(html: str, action: str) -> dict[str, str]:
    """The fields of the page's first form posting to `action`."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action.split("?")[0] == action:
            return dict(fields)
    raise AssertionError(f"no form posting to {action} in the page; forms: {[f for f, _ in parser.forms]}")


class Browser:
    """One user's cookies, connecting from `source_ip`. Paths are sent to the instance given on
    each call, so one session can move between instances as a load balancer would move it."""

    def __init__(self, source_ip: str):
        self.session = requests.Session()
        self.session.mount("http://", _SourceAddressAdapter(source_ip))
        # A connection per request. A kept-alive one that sat idle while the other shoppers got
        # ready may be closed by gunicorn (keepalive, 5 s) just as the POST goes out on it, and a
        # POST is not retried: a client-side race that says nothing about the app.
        self.session.headers["Connection"] = "close"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def get(self, instance: Instance, path: str, **kwargs) -> requests.Response:
        return self.session.get(instance.url + path, timeout=REQUEST_TIMEOUT, **kwargs)

    def submit(self, instance: Instance, page: str, action: str, fields: dict[str, str] | None = None
               ) -> requests.Response:
        """Open `page`, fill in its form for `action` with `fields` over what the page had, and
        send it without following the redirect."""
        shown = self.get(instance, page)
        assert shown.status_code == 200, f"GET {page}: {shown.status_code}"
        return self.post(instance, action, {**form_fields(shown.text, action), **(fields or {})})

    def post(self, instance: Instance, action: str, data: dict[str, str]) -> requests.Response:
        return self.session.post(instance.url + action, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT)

    def log_in(self, instance: Instance, email: str, password: str) -> requests.Response:
        return self.submit(instance, "/masuk", "/masuk", {"email": email, "password": password})
