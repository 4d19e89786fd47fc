"""The schema exists only through migrations: on an empty database they build exactly the
models (autogenerate finds nothing to add), load the region table, and go down and up again.
Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from catalog import create_app
from catalog.extensions import db
from catalog.models.regions import LEVEL_KECAMATAN, LEVEL_KELURAHAN, LEVEL_KOTA
from config import TestingConfig
from tests.dbsetup import fresh_database

# Alembic's own bookkeeping table stays (empty) after `downgrade base`.
ALEMBIC_TABLES = {"alembic_version"}


@pytest.fixture
def empty_app(tmp_path):
    """An app on a brand-new database of its own, not the suite's shared one."""
    with fresh_database(tmp_path) as url:
        config = type("MigrationTestConfig", (TestingConfig,), {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        })
        app = create_app(config)
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def _schema_diff(app) -> list:
    """What `flask db migrate` would generate, compared with the options migrations/env.py uses."""
    configure_args = {
        key: value
        for key, value in app.extensions["migrate"].configure_args.items()
        if key != "process_revision_directives"
    }
    opts = {"compare_type": True, "compare_server_default": False, **configure_args, "target_metadata": db.metadata}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, db.metadata)


def _app_tables() -> set[str]:
    db.engine.dispose()  # a fresh connection sees the DDL just run
    return set(sa.inspect(db.engine).get_table_names()) - ALEMBIC_TABLES


def _region_counts() -> dict[str, int]:
    rows = db.session.execute(sa.text("SELECT level, COUNT(*) FROM region GROUP BY level")).all()
    db.session.rollback()
    return dict(rows)


def test_migrations_build_exactly_the_models(empty_app):
    assert _app_tables() == set()
    # On the empty database the comparison sees every model table missing: it really compares.
    missing = {op[1].name for op in _schema_diff(empty_app) if op[0] == "add_table"}
    assert missing == {t.name for t in db.metadata.sorted_tables}

    upgrade()
    diff = _schema_diff(empty_app)
    assert diff == [], "the models and the migrations differ; run `flask db migrate`:\n" + "\n".join(map(repr, diff))
    assert _app_tables() == {t.name for t in db.metadata.sorted_tables}


def test_migrations_load_the_regions_of_tangerang_raya(empty_app):
    upgrade()
    assert _region_counts() == {LEVEL_KOTA: 3, LEVEL_KECAMATAN: 49, LEVEL_KELURAHAN: 432}
    names = set(db.session.execute(sa.text("SELECT name FROM region WHERE level = :l"), {"l": LEVEL_KOTA}).scalars())
    assert names == {"Kota Tangerang", "Kota Tangerang Selatan", "Kabupaten Tangerang"}
    # The audit chain starts from its genesis head.
    head = db.session.execute(sa.text("SELECT seq, last_hash FROM audit_head WHERE id = 1")).one()
    assert head == (0, "0" * 64)
    db.session.rollback()


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds(empty_app):
    upgrade()
    downgrade(revision="base")
    assert _app_tables() == set()

    upgrade()
    assert _schema_diff(empty_app) == []
    assert _region_counts() == {LEVEL_KOTA: 3, LEVEL_KECAMATAN: 49, LEVEL_KELURAHAN: 432}
