"""The checks a server runs before it accepts its first request.

gunicorn.conf.py calls check_or_exit() in the master process before any worker forks (and the
job worker does the same): a server that would only half work — no real secret, a database it
cannot reach, a schema older than the code, a configured Redis that is down — stops at once with
one line on stderr and exit code 1, instead of answering with 500s or silently splitting its rate
limits per process. The `flask` command is not checked here: `flask db upgrade` must run against a
database that is behind, which is the point of it.
"""

import sys

import click

EXIT_REFUSED = 1


class StartupRefused(Exception):
    """One reason not to start, phrased for the operator (a single line)."""


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001  (an unparsable URL is reported as such below)
        return "(DATABASE_URL tidak dapat dibaca)"


def check(config_class=None) -> None:
    """Build the app and check what it depends on; raise StartupRefused with the first problem."""
    from catalog import create_app

    try:
        app = create_app(config_class)
    except RuntimeError as error:  # ProductionConfig.check(): secret key, bank account, search backend
        raise StartupRefused(str(error)) from error
    except Exception as error:  # noqa: BLE001  (e.g. a malformed DATABASE_URL)
        raise StartupRefused(f"aplikasi tidak dapat dibangun: {type(error).__name__}: {error}") from error

    with app.app_context():
        check_dependencies(app)
        from catalog.extensions import db

        # The master process must not hand an open connection to the workers it forks.
        db.engine.dispose()


def check_dependencies(app) -> None:
    """Database reachable, schema not behind the code, a configured Redis answering (inside an
    app context); raise StartupRefused with the first problem."""
    from catalog import health

    url = _masked(app.config["SQLALCHEMY_DATABASE_URI"])
    database = health.database()
    if not database.ok:
        raise StartupRefused(f"basis data {url} tidak dapat dihubungi ({database.detail}).")
    state, current, heads = health.schema_state()
    if state in ("behind", "empty"):  # "ahead": newer code migrated it; see health.schema_state
        wanted = ", ".join(sorted(heads))
        at = (f"skema basis data ada di revisi {', '.join(sorted(current))}" if current
              else "basis data belum punya skema")
        raise StartupRefused(f"{at}, kode ini butuh {wanted}; jalankan `flask db upgrade` dulu.")
    redis = health.redis(required=True)
    if redis is not None and not redis.ok:
        raise StartupRefused(f"REDIS_URL diatur tetapi Redis tidak menjawab ({redis.detail}); "
                             "jalankan Redis atau kosongkan REDIS_URL untuk satu server saja.")


def refuse(refusal: StartupRefused) -> None:
    message = " ".join(str(refusal).split())  # one line, whatever the driver's message held
    click.echo(f"Katalog UMKM tidak dapat mulai: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def check_or_exit(config_class=None) -> None:
    try:
        check(config_class)
    except StartupRefused as refusal:
        refuse(refusal)


def check_app_or_exit(app) -> None:
    """For a long-running process the `flask` command starts (the job worker and scheduler)."""
    try:
        check_dependencies(app)
    except StartupRefused as refusal:
        refuse(refusal)
