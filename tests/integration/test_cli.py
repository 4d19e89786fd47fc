"""Admin command line: `flask create-admin` and `flask catalog load-categories`."""

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, Category, User
from tests.factories import gen_user

GOOD_PASSWORD = "Kopi-Pamulang-2026"


def users_with(email):
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


# --- create-admin ------------------------------------------------------------------------------

def test_create_admin_with_password_from_stdin(runner):
    result = runner.invoke(args=["create-admin", "--email", "Kepala.Bidang@TangerangSelatanKota.go.id",
                                 "--name", "Kepala Bidang UMKM", "--password-stdin"],
                           input=GOOD_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "kepala.bidang@tangerangselatankota.go.id" in result.output
    user = db.session.scalar(select(User).where(User.email == "kepala.bidang@tangerangselatankota.go.id"))
    assert user.role == "admin" and user.name == "Kepala Bidang UMKM"
    assert user.check_password(GOOD_PASSWORD)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.admin_created"))
    assert event.object_id == str(user.id)


def test_create_admin_asks_for_the_password_twice(runner):
    result = runner.invoke(args=["create-admin", "--email", "admin2@katalogumkm.id", "--name", "Admin Kedua"],
                           input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Ulangi kata sandi" in result.output
    assert GOOD_PASSWORD not in result.output  # hidden while typed
    assert db.session.scalar(select(User).where(User.email == "admin2@katalogumkm.id")).check_password(GOOD_PASSWORD)


def test_create_admin_refuses_a_duplicate_email_in_any_case(runner):
    gen_user(email="admin@katalogumkm.id", role="shopper")
    db.session.commit()
    result = runner.invoke(args=["create-admin", "--email", "ADMIN@KatalogUMKM.id", "--name", "Admin Lain",
                                 "--password-stdin"], input=GOOD_PASSWORD + "\n")
    assert result.exit_code == 1
    assert "sudah terdaftar" in result.output
    assert users_with("admin@katalogumkm.id") == 1
    assert db.session.scalar(select(User.role).where(User.email == "admin@katalogumkm.id")) == "shopper"


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "baru@katalogumkm.id", "--name", "Admin Baru",
                                 "--password-stdin"], input="Pendek-12\n")
    assert result.exit_code == 1
    assert "minimal 10 karakter" in result.output
    assert users_with("baru@katalogumkm.id") == 0


def test_create_admin_refuses_an_invalid_email(runner):
    result = runner.invoke(args=["create-admin", "--email", "bukan-email", "--name", "Admin Baru",
                                 "--password-stdin"], input=GOOD_PASSWORD + "\n")
    assert result.exit_code == 1
    assert "email yang valid" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_admin_refuses_a_common_password(runner):
    result = runner.invoke(args=["create-admin", "--email", "baru@katalogumkm.id", "--name", "Admin Baru",
                                 "--password-stdin"], input="katalogumkm123\n")
    assert result.exit_code == 1
    assert "terlalu umum" in result.output
    assert users_with("baru@katalogumkm.id") == 0


# --- catalog load-categories -------------------------------------------------------------------

REQUIRED = {
    "makanan": {"keripik-camilan", "kue-roti", "sambal-bumbu", "makanan-beku"},
    "minuman": {"kopi", "teh-herbal", "minuman-kemasan"},
    "fashion-batik": {"batik", "kemeja", "hijab", "kaos"},
    "kerajinan": {"anyaman", "keramik", "souvenir"},
    "rumah-tangga": {"peralatan-dapur", "kebersihan"},
    "atk": {"kertas", "alat-tulis", "map-arsip"},
    "katering": {"nasi-box", "snack-box", "tumpeng"},
    "percetakan": {"spanduk", "kartu-nama", "undangan"},
    "jasa": {"laundry", "servis-elektronik", "desain"},
}


def test_load_categories_creates_the_default_two_level_tree(runner):
    result = runner.invoke(args=["catalog", "load-categories"])
    assert result.exit_code == 0, result.output
    tops = db.session.scalars(select(Category).where(Category.parent_id.is_(None))).all()
    tree = {top.slug: {child.slug for child in top.children} for top in tops}
    for top, children in REQUIRED.items():
        assert children <= tree[top], top
    for top in tops:
        assert 2 <= len(top.children) <= 6
        assert all(not child.children for child in top.children)  # two levels only
    every = db.session.scalars(select(Category)).all()
    assert all(c.name and c.name_en and c.icon for c in every)
    assert db.session.scalar(select(Category).where(Category.slug == "makanan")).is_featured
    assert db.session.scalar(select(Category).where(Category.slug == "atk")).name == "ATK & Alat Tulis Kantor"


def test_load_categories_twice_changes_nothing_and_keeps_edits(runner):
    runner.invoke(args=["catalog", "load-categories"])
    total = db.session.scalar(select(func.count()).select_from(Category))
    kopi = db.session.scalar(select(Category).where(Category.slug == "kopi"))
    kopi.name = "Kopi Lokal"
    db.session.commit()

    result = runner.invoke(args=["catalog", "load-categories"])
    assert result.exit_code == 0, result.output
    assert "0 baru" in result.output
    assert db.session.scalar(select(func.count()).select_from(Category)) == total
    db.session.expire_all()
    assert db.session.scalar(select(Category.name).where(Category.slug == "kopi")) == "Kopi Lokal"


# --- search reindex ----------------------------------------------------------------------------

def test_search_reindex_rebuilds_a_lost_index_from_the_database(app, runner):
    import shutil

    from catalog import search
    from catalog.search import SearchRequest, SearchUnavailable
    from tests.factories import gen_product, gen_seller

    seller = gen_seller(status="verified")
    gen_product(seller=seller, title="Keripik Tempe Sagu")
    gen_product(seller=seller, title="Rengginang Ketan Hitam")
    gen_product(seller=gen_seller(status="pending"), title="Keripik Belum Terverifikasi")
    db.session.commit()  # the after-commit hook indexes them
    assert search.search(SearchRequest(text="keripik")).total == 1

    search.backend().reset()
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    with pytest.raises(SearchUnavailable):
        search.search(SearchRequest(text="keripik"))

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Selesai: 2 produk" in result.output
    found = search.search(SearchRequest(text="keripik"))
    assert found.total == 1 and search.search(SearchRequest(text="rengginang")).total == 1
