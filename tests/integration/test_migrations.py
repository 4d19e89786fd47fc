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


def _sql(statement: str, **params):
    result = db.session.execute(sa.text(statement), params)
    return result


def test_variants_migration_gives_every_existing_product_one_default_variant(empty_app):
    """A catalogue from before variants (0002) keeps its photos and stock log, and each product
    gets exactly one default variant with its price and stock, which the log then points at."""
    upgrade(revision="0002_sellers")
    now = "2026-11-01 08:00:00+00:00"
    _sql("INSERT INTO \"user\" (id, email, password_hash, name, role, locale, active, session_token, "
         "created_at, updated_at) VALUES (1, 'a@b.id', 'x', 'A', 'seller', 'id', true, 't', :now, :now)", now=now)
    _sql("INSERT INTO seller (id, user_id, business_name, slug, owner_name, nib, is_pkp, scale, is_koperasi, "
         "address, whatsapp, description, status, rating_sum, rating_count, low_stock_threshold, created_at, "
         "updated_at) VALUES (1, 1, 'Toko A', 'toko-a', 'A', '1234567890123', false, 'mikro', false, '', "
         "'+6281234567890', '', 'verified', 0, 0, 5, :now, :now)", now=now)
    _sql("INSERT INTO category (id, name, name_en, slug, icon, position, is_featured) "
         "VALUES (1, 'Camilan', '', 'camilan', '', 0, false)")
    for pid, price, stock in ((1, 15000, 7), (2, 32000, 0)):
        _sql("INSERT INTO product (id, seller_id, category_id, title, slug, description, price, unit, min_order, "
             "stock, made_to_order, status, rating_sum, rating_count, sold_count, created_at, updated_at) "
             "VALUES (:id, 1, 1, 'Produk', :slug, '', :price, 'pcs', 1, :stock, false, 'active', 0, 0, 0, :now, :now)",
             id=pid, slug=f"produk-{pid}", price=price, stock=stock, now=now)
    _sql("INSERT INTO product_image (id, product_id, position, key, width, height, alt) "
         "VALUES (1, 1, 0, 'abc', 960, 960, '')")
    _sql("INSERT INTO inventory_log (id, product_id, delta, stock_after, reason, note, created_at) "
         "VALUES (1, 1, 7, 7, 'created', '', :now)", now=now)
    db.session.commit()

    upgrade()
    variants = _sql("SELECT product_id, combo_key, price, stock, active FROM product_variant ORDER BY product_id").all()
    assert [tuple(v) for v in variants] == [(1, "", 15000, 7, True), (2, "", 32000, 0, True)]
    assert _sql("SELECT price_max FROM product ORDER BY id").scalars().all() == [15000, 32000]
    default_of_1 = _sql("SELECT id FROM product_variant WHERE product_id = 1").scalar_one()
    assert _sql("SELECT variant_id FROM inventory_log").scalars().all() == [default_of_1]
    # The SQLite table rebuilds did not cascade-delete what references the product.
    assert _sql("SELECT COUNT(*) FROM product_image").scalar_one() == 1
    db.session.rollback()
