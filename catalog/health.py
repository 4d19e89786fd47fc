"""What a running instance depends on, checked one by one: the database, Redis (when REDIS_URL is
set), the search backend and the schema (migrations at head).

Two callers: /readyz reports every check as JSON (a load balancer takes the instance out while one
fails), and the production start (catalog/startup.py) refuses to serve when one fails. Each check
returns a Check and never raises, so one broken dependency never hides the state of the others.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from config import BASE_DIR

MIGRATIONS_DIR = BASE_DIR / "migrations"
REDIS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    # Redis down at run time degrades the site (in-memory limits, no shared cache) but does not
    # stop it: such a check is reported without making the instance unready.
    required: bool = True
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "required": self.required, "ms": round(self.elapsed_ms, 1)}


def _timed(name: str, probe, required: bool = True) -> Check:
    started = time.perf_counter()
    try:
        ok, detail = probe()
    except Exception as error:  # noqa: BLE001  (a probe reports any failure, it never raises)
        ok, detail = False, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
    return Check(name, ok, detail, required, (time.perf_counter() - started) * 1000)


def database() -> Check:
    from catalog.extensions import db

    def probe():
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True, db.engine.dialect.name

    return _timed("database", probe)


def head_revisions() -> set[str]:
    """The heads of migrations/ (what `flask db upgrade` would bring the database to)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def current_revisions() -> set[str]:
    from alembic.runtime.migration import MigrationContext

    from catalog.extensions import db

    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def known_revisions() -> set[str]:
    """Every revision in migrations/ (heads and their ancestors)."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def schema_state() -> tuple[str, set[str], set[str]]:
    """("head" | "behind" | "ahead" | "empty", the database's revisions, the code's heads).

    "ahead" is a database already upgraded by newer code (revisions this code does not know):
    during a rolling upgrade the old servers keep serving on it, because migrations are written
    to be additive first (docs/deploy.md); "behind" is a database this code cannot run on."""
    heads, current = head_revisions(), current_revisions()
    if current == heads:
        return "head", current, heads
    if not current:
        return "empty", current, heads
    if current - known_revisions():
        return "ahead", current, heads
    return "behind", current, heads


def migrations() -> Check:
    def probe():
        state, current, heads = schema_state()
        at, wanted = ", ".join(sorted(current)), ", ".join(sorted(heads))
        if state == "head":
            return True, f"at head {wanted}"
        if state == "ahead":
            return True, f"the database is at {at}, newer than this code ({wanted}): a rolling upgrade in progress"
        if state == "empty":
            return False, f"the database has no schema; run `flask db upgrade` (head {wanted})"
        return False, f"the database is at {at}, the code expects {wanted}; run `flask db upgrade`"

    return _timed("migrations", probe)


def redis_client():
    """A client for REDIS_URL with short timeouts (a health probe must not hang), or None."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS)


def redis(required: bool = False) -> Check | None:
    """None when REDIS_URL is not set (nothing to check)."""
    client = redis_client()
    if client is None:
        return None

    def probe():
        client.ping()
        return True, "PONG"

    return _timed("redis", probe, required=required)


def search() -> Check:
    from catalog import search as search_port

    def probe():
        backend = search_port.backend()
        count = backend.document_count()
        return True, f"{backend.name}, {count} documents"

    return _timed("search", probe)


def uploads() -> Check:
    def probe():
        root = Path(current_app.config["UPLOAD_DIR"])
        if not root.is_dir():
            return False, f"UPLOAD_DIR {root} is not a directory"
        probe_file = root / f".ready-{time.monotonic_ns()}"
        probe_file.write_bytes(b"")
        probe_file.unlink()
        return True, "writable"

    return _timed("uploads", probe)


def readiness() -> list[Check]:
    """Every check /readyz reports. The database comes first: without it the schema and (on
    PostgreSQL) the search checks cannot pass either."""
    checks = [database()]
    checks.append(migrations() if checks[0].ok else Check("migrations", False, "database unreachable"))
    redis_check = redis(required=False)
    if redis_check is not None:
        checks.append(redis_check)
    checks.append(search())
    checks.append(uploads())
    return checks


def is_ready(checks: list[Check]) -> bool:
    return all(check.ok for check in checks if check.required)
