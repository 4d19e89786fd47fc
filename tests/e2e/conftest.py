"""Browser journeys: the app served for real and driven by Debian's Chromium through Playwright.

Every test gets its own server: a werkzeug server on 127.0.0.1 (a free port, threaded) in front
of an app built on a fresh database (made by the migrations, SQLite or PostgreSQL as the rest of
the suite), with CSRF, the search index and uploads as in production. Tests prepare data with the
factories inside `live.context()`; everything a user does goes through the browser by clicks and
typing.

Chromium is /usr/bin/chromium (Debian's package, no browser download). Without it the journeys
are skipped on a developer machine and fail under CI=true (.ci/run installs it).

Screenshots of key steps: `shot("name")` writes test-artifacts/e2e/<test>/<NN>-<name>.png
(test-artifacts/ is ignored by git).
"""

import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from catalog import create_app
from catalog.extensions import db
from config import TestingConfig
from tests.dbsetup import fresh_database

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "rahasia-123"  # tests/factories.py's default password
TIMEOUT_MS = 15_000


def _chromium_or_skip() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    message = f"Chromium is not installed ({CHROMIUM}): apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — CI must run the browser journeys", pytrace=False)
    pytest.skip(message)


class LiveServer:
    """The app behind a real HTTP server, and a way into its database for the test's own setup."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="e2e-server", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)

    @contextmanager
    def context(self):
        """An application context for factories and checks; commits are the test's to make."""
        with self.app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()


@pytest.fixture
def live(tmp_path):
    """A served app on a fresh database (CSRF on, rate limits off so journeys may log in often)."""
    with fresh_database(tmp_path) as url:
        attrs = {
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        }
        app = create_app(type("E2EConfig", (TestingConfig,), attrs))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        server = LiveServer(app)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


def _new_page(browser, live, viewport):
    context = browser.new_context(base_url=live.url, viewport=viewport, locale="id-ID")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # a journey may assert the page ran without script errors
    return context, page


@pytest.fixture
def new_page(browser, live):
    """new_page(viewport=DESKTOP) → a page in its own browser context (its own cookies): one per
    person in a journey (shopper, seller, admin …)."""
    contexts = []

    def factory(viewport=DESKTOP):
        context, page = _new_page(browser, live, viewport)
        contexts.append(context)
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(DESKTOP)


@pytest.fixture
def phone(new_page):
    return new_page(PHONE)


@pytest.fixture
def shot(request):
    """shot(page, "name"): a full-page screenshot of a key step under test-artifacts/e2e/<test>/."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the /masuk form, as a person would."""
    page.goto("/masuk")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert "/masuk" not in page.url, f"login as {email} failed"


def log_out(page) -> None:
    page.goto("/")
    page.locator("form[action$='/keluar'] button").first.click()
    page.wait_for_load_state("domcontentloaded")


def no_horizontal_scroll(page) -> tuple[int, int]:
    """(document width, viewport width): the page must not be wider than the phone."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
