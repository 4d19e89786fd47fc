"""Test databases: a fresh SQLite file by default, or a PostgreSQL database with a random name
created on the server named by TEST_DATABASE_URL (and dropped afterwards), so parallel runs
never collide. The schema is built by the migrations, exactly as in production."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from config import normalise_database_url

ADMIN_URL_ENV = "TEST_DATABASE_URL"


def using_postgres() -> bool:
    return bool(os.environ.get(ADMIN_URL_ENV))


@contextmanager
def fresh_database(tmp_dir: Path):
    """Yield the URL of a new, empty database; drop it afterwards."""
    admin_url = os.environ.get(ADMIN_URL_ENV)
    if not admin_url:
        yield f"sqlite:///{tmp_dir / 'test.db'}"
        return
    admin_url = normalise_database_url(admin_url)
    name = f"katalog_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
