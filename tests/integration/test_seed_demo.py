"""`flask seed-demo`: the demo catalogue a first visitor sees, its accounts, determinism,
--if-empty, --products N for benchmarks, and the audit trail it leaves."""

import itertools
import re
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from catalog import storage
from catalog.demo import accounts
from catalog.demo.builder import load_kecamatan
from catalog.demo.plan import CategoryRef, plan_catalogue
from catalog.demo.products import CATALOGUE
from catalog.extensions import db
from catalog.models import (
    Agency,
    AuditEvent,
    Budget,
    Category,
    DeliveryOption,
    Notification,
    OfficerMembership,
    Order,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
    Region,
    Seller,
    SellerDocument,
    User,
    product_certificate,
)
from catalog.models.agencies import MEMBERSHIP_CONFIRMED, MEMBERSHIP_PENDING, MEMBERSHIP_REJECTED
from catalog.models.products import UNITS
from catalog.models.regions import LEVEL_KECAMATAN
from catalog.services import sales, variants
from catalog.services.categories import default_tree
from catalog.services.images import rendition_key
from tests.factories import gen_user

REFERENCE_TABLES = {"region", "alembic_version", "audit_head"}
SMALL = ["--sellers", "6", "--products", "60"]


@pytest.fixture(scope="module")
def demo_uploads(tmp_path_factory):
    """One upload folder for the whole module: the placeholder photos are drawn once."""
    return tmp_path_factory.mktemp("demo-uploads")


@pytest.fixture
def app(make_app, demo_uploads):
    app = make_app(UPLOAD_DIR=str(demo_uploads))
    with app.app_context():
        yield app


def seed(runner, *args):
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result


def count(model_or_stmt, *where):
    stmt = model_or_stmt if isinstance(model_or_stmt, sa.Select) else select(func.count()).select_from(model_or_stmt)
    if where:
        stmt = stmt.where(*where)
    return db.session.scalar(stmt)


def wipe():
    """Empty every table but the reference data, as the test fixtures do between tests."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                conn.execute(table.delete())
        conn.execute(sa.text("UPDATE audit_head SET seq = 0, last_hash = :h WHERE id = 1"), {"h": "0" * 64})


def active_products():
    return select(Product).where(Product.status == "active")


# --- the default demo --------------------------------------------------------------------------

def test_default_seed_fills_every_kecamatan_and_category(runner):
    started = time.perf_counter()
    result = seed(runner)
    elapsed = time.perf_counter() - started

    verified = db.session.scalars(select(Seller).where(Seller.status == "verified")).all()
    assert len(verified) >= 80
    all_kecamatan = set(db.session.scalars(select(Region.code).where(Region.level == LEVEL_KECAMATAN)))
    assert len(all_kecamatan) == 49
    assert {s.kecamatan_code for s in verified} == all_kecamatan
    assert count(Seller, Seller.status == "pending") == 1

    assert count(Product, Product.status == "active") >= 800
    children = db.session.scalars(select(Category).where(Category.parent_id.is_not(None))).all()
    per_category = dict(db.session.execute(
        select(Product.category_id, func.count()).where(Product.status == "active").group_by(Product.category_id)
    ).all())
    empty = [c.slug for c in children if not per_category.get(c.id)]
    assert empty == []
    assert "800 produk aktif" in result.output
    assert elapsed < 60
    # Planner statistics for the bulk-loaded tables (a search page's ids by primary key).
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(sa.text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'product'"))
    else:
        assert db.session.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'product'")) >= 800


def test_default_seed_prints_every_demo_account_and_the_password(runner):
    output = seed(runner).output
    for account in accounts.DEMO_ACCOUNTS:
        assert account.email in output
    assert "Demo-UMKM-2026" in output


def test_every_demo_account_can_log_in(runner, client, auth):
    seed(runner)
    for account in accounts.DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        assert user is not None and user.role == account.role
        assert user.check_password(accounts.DEMO_PASSWORD)
        response = auth.login(account.email, accounts.DEMO_PASSWORD)
        assert response.status_code == 302, account.email
        assert "/masuk" not in response.headers["Location"]
        auth.logout()
    # Generated seller accounts share the password too.
    other = db.session.scalar(select(User).where(User.email.like(f"%@{accounts.SELLER_EMAIL_DOMAIN}")).limit(1))
    assert other.check_password(accounts.DEMO_PASSWORD)


def test_demo_accounts_have_their_seller_and_agency(runner):
    seed(runner)
    seller_user = db.session.scalar(select(User).where(User.email == accounts.SELLER.email))
    assert seller_user.seller.status == "verified"
    assert seller_user.seller.business_name == "Keripik Singkong Bu Rina"
    assert seller_user.seller.kecamatan.name == "Pamulang"
    pending_user = db.session.scalar(select(User).where(User.email == accounts.PENDING_SELLER.email))
    assert pending_user.seller.status == "pending"
    # A pending seller's listings are drafts: nothing of it is on sale.
    assert count(Product, Product.seller_id == pending_user.seller.id, Product.status == "active") == 0

    duties = {}
    for account in (accounts.PP, accounts.PPK, accounts.BENDAHARA):
        user = db.session.scalar(select(User).where(User.email == account.email))
        assert user.membership.status == "confirmed"
        assert user.membership.agency.code == accounts.DEMO_AGENCY_CODE
        duties[user.membership.duty] = account.email
    assert set(duties) == {"pejabat_pengadaan", "ppk", "bendahara"}


def test_three_agencies_have_budgets_for_this_and_last_year(runner):
    seed(runner)
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    assert {a.code for a in agencies} == {"DISKOMINFO-TGSL", "DISDIK-KABTGR", "TIRTABENTENG"}
    assert {a.type for a in agencies} == {"OPD", "BUMD"}
    assert {a.kota_code for a in agencies} == {"36.74", "36.03", "36.71"}
    year = max(b.fiscal_year for b in db.session.scalars(select(Budget)))
    for agency in agencies:
        budgets = {b.fiscal_year: b for b in agency.budgets}
        assert set(budgets) == {year - 1, year}
        current = budgets[year]
        assert isinstance(current.pagu, int) and current.pagu >= 1_000_000_000
        assert current.target_share_pct == 40 and current.payment_term_days == 30


def test_sellers_look_like_registered_umkm(runner):
    seed(runner)
    sellers = db.session.scalars(select(Seller)).all()
    nibs = [s.nib for s in sellers]
    assert all(re.fullmatch(r"\d{13}", nib) for nib in nibs) and len(set(nibs)) == len(nibs)
    npwps = [s.npwp for s in sellers if s.npwp]
    assert npwps and all(re.fullmatch(r"\d{16}", n) for n in npwps)
    assert any(s.is_pkp for s in sellers) and all(s.npwp for s in sellers if s.is_pkp)
    assert all(re.fullmatch(r"\+628\d{8,11}", s.whatsapp) for s in sellers)
    scales = [s.scale for s in sellers]
    assert scales.count("mikro") > scales.count("kecil") > scales.count("menengah") > 0
    assert sum(s.is_koperasi for s in sellers) >= 3
    assert {s.bank_name for s in sellers} >= {"BRI", "BNI", "Mandiri", "BCA", "Bank BJB"}
    kelurahan = {r.code: r.parent_code for r in db.session.execute(select(Region.code, Region.parent_code))}
    assert all(kelurahan[s.kelurahan_code] == s.kecamatan_code for s in sellers)
    assert all(s.address and s.description and s.bank_account_number for s in sellers)


def test_food_sellers_hold_certificates_some_expired_or_expiring(runner):
    seed(runner)
    documents = db.session.scalars(select(SellerDocument)).all()
    kinds = {d.kind for d in documents}
    assert kinds >= {"halal", "pirt", "bpom", "sni", "suket_pp55"}
    today = date.today()
    assert any(d.expires_on and d.expires_on < today and d.expired for d in documents)
    assert any(d.expires_on and today <= d.expires_on <= today + timedelta(days=30) for d in documents)
    # Food products show their seller's valid certificates, never an expired one.
    linked = db.session.execute(select(SellerDocument, Product).join(
        product_certificate, product_certificate.c.document_id == SellerDocument.id).join(
        Product, Product.id == product_certificate.c.product_id)).all()
    assert len(linked) > 100
    assert all(doc.seller_id == product.seller_id and doc.is_valid for doc, product in linked)


def test_products_have_rupiah_prices_units_and_order_rules(runner):
    seed(runner)
    products = db.session.scalars(active_products()).all()
    assert all(type(p.price) is int and p.price > 0 and p.price % 500 == 0 for p in products)
    assert all(p.unit in UNITS for p in products)
    slugs = [p.slug for p in products]
    assert len(set(slugs)) == len(slugs)
    assert any(p.stock == 0 and not p.made_to_order for p in products)  # "Stok habis"
    assert all(p.lead_time_days for p in products if p.made_to_order)
    assert any(p.tkdn_pct and 25 <= p.tkdn_pct <= 95 for p in products)
    assert any(p.rating_count for p in products)
    assert all(p.rating_sum <= 5 * p.rating_count for p in products)
    nasi_box = db.session.scalar(select(Category).where(Category.slug == "nasi-box"))
    assert all(p.min_order >= 20 and p.made_to_order for p in products if p.category_id == nasi_box.id)
    assert all(p.description.startswith("<p>") and "<li>" in p.description for p in products)
    ages = sorted(p.created_at for p in products)
    assert ages[-1] - ages[0] > timedelta(days=90)  # "newest" has something to sort


def test_every_product_has_a_stored_photo(runner, app):
    seed(runner)
    assert count(ProductImage) == count(Product)
    keys = set(db.session.scalars(select(ProductImage.key)))
    for key in keys:
        for width in (320, 960):
            for ext in ("webp", "jpg"):
                assert storage.exists(rendition_key(key, width, ext)), key
    titles = dict(db.session.execute(select(ProductImage.product_id, ProductImage.alt)).all())
    assert all(titles[p.id] == p.title for p in db.session.scalars(select(Product)))


def products_with_variants():
    return db.session.scalars(select(Product).options(
        selectinload(Product.options).selectinload(ProductOption.values),
        selectinload(Product.variants).selectinload(ProductVariant.value1),
        selectinload(Product.variants).selectinload(ProductVariant.value2),
        selectinload(Product.images),
    ).order_by(Product.id)).all()


def test_every_product_row_agrees_with_its_variants(runner):
    seed(runner)
    products = products_with_variants()
    for product in products:
        active = [v for v in product.variants if v.active]
        assert active, product.slug
        assert product.price == min(v.price for v in active), product.slug
        assert product.price_max == max(v.price for v in active), product.slug
        assert product.stock == sum(v.stock for v in active), product.slug
        assert all(v.seller_id == product.seller_id for v in product.variants)
        if not product.options:
            assert [(v.combo_key, v.value_ids) for v in product.variants] == [("", ())], product.slug
            continue
        # One combination per choice of one value of each option, in the order the variants
        # service generates them, each naming its values the way the service does.
        expected = [ProductVariant.key_for([v.id for v in combo])
                    for combo in itertools.product(*(o.values for o in product.options))]
        assert [v.combo_key for v in product.variants] == expected, product.slug
        assert [v.position for v in product.variants] == list(range(len(expected)))
        assert [v.key_for(v.value_ids) for v in product.variants] == expected
        # The seeded grid passes the seller's own rules unchanged.
        rows = [variants.VariantRow(v.id, v.price, v.stock, v.sku, v.weight_grams, v.image_id, v.active, v.stock)
                for v in product.variants]
        assert variants.validate_rows(product, rows) == {}, product.slug


def test_clothes_come_in_sizes_and_colours_and_snacks_in_flavours_and_packs(runner):
    seed(runner)
    products = products_with_variants()
    slugs = dict(db.session.execute(select(Category.id, Category.slug)).all())
    with_options = [p for p in products if p.options]
    assert len(with_options) >= 50

    clothes = [p for p in with_options if slugs[p.category_id] in ("batik", "kemeja", "kaos")]
    assert {slugs[p.category_id] for p in clothes} == {"batik", "kemeja", "kaos"}
    assert any(p.title.startswith("Kemeja Batik Tulis Motif") for p in clothes)
    for product in clothes:
        sizes, colours = product.options
        assert (sizes.name, [v.value for v in sizes.values]) == ("Ukuran", ["S", "M", "L", "XL"])
        assert colours.name == "Warna" and 2 <= len(colours.values) <= 3
        assert not any(v.value in product.title for v in colours.values), product.title
        for variant in product.variants:
            small = next(v for v in product.variants if v.value1.value == "S" and v.value2_id == variant.value2_id)
            surcharge = 15_000 if variant.value1.value == "XL" else 0
            assert variant.price == small.price + surcharge, variant.label
    shirts = [p for p in products if slugs[p.category_id] == "kemeja"]
    assert sum(bool(p.options) for p in shirts) / len(shirts) > 0.5  # most shirts

    snacks = [p for p in with_options if slugs[p.category_id] == "keripik-camilan"]
    all_snacks = [p for p in products if slugs[p.category_id] == "keripik-camilan"]
    assert 0.3 < len(snacks) / len(all_snacks) < 0.7  # about half
    for product in snacks:
        flavours, packs = product.options
        assert (flavours.name, packs.name) == ("Rasa", "Berat")
        assert 2 <= len(flavours.values) <= 3 and 2 <= len(packs.values) <= 3
        for flavour in flavours.values:
            line = [v for v in product.variants if v.value1_id == flavour.id]
            prices = [v.price for v in line]
            assert prices == sorted(prices) and len(set(prices)) == len(prices), product.title  # bigger costs more
            assert [v.weight_grams for v in line] == sorted(v.weight_grams for v in line)
    assert {"Original", "Pedas", "Balado"} & {v.value for p in snacks for v in p.options[0].values}

    # Like real shops: some combinations sold out or switched off while the product still sells.
    assert any(not v.active for p in with_options for v in p.variants)
    assert any(p.stock > 0 and any(v.stock == 0 and v.active for v in p.variants) for p in with_options)
    assert any(p.has_price_range for p in with_options)
    # The demo seller's account has one to show.
    demo_seller = db.session.scalar(select(User).where(User.email == accounts.SELLER.email)).seller
    assert any(p.options for p in products if p.seller_id == demo_seller.id)
    # The shop side reads them: every active combination can be picked, by its values too.
    product = variants.load(snacks[0].id)
    picker = variants.picker(product)
    assert len(picker.variants) == sum(v.active for v in product.variants)
    for choice in picker.variants:
        assert variants.find_variant(product, value_ids=list(choice.value_ids)).id == choice.id


# --- determinism -------------------------------------------------------------------------------

def default_category_refs():
    return [
        CategoryRef(slug=child["slug"], name=child["name"], parent_slug=top["slug"], position=position)
        for top in default_tree() for position, child in enumerate(top["children"])
    ]


def test_same_seed_plans_the_same_catalogue(app):
    kecamatan = load_kecamatan()
    day = date(2026, 11, 23)

    def plan(seed):
        return plan_catalogue(seed=seed, kecamatan=kecamatan, categories=default_category_refs(), products=800,
                              today=day)

    first, second, other = plan(42), plan(42), plan(7)
    assert first.sellers == second.sellers
    assert first.products == second.products
    assert [p.title for p in first.products] != [p.title for p in other.products]


def test_two_seeds_of_empty_databases_store_the_same_titles_and_prices(runner):
    def snapshot():
        products = db.session.execute(
            select(Product.title, Product.price, Product.price_max, Product.stock, Product.slug, Seller.business_name)
            .join(Seller, Seller.id == Product.seller_id).order_by(Product.slug)
        ).all()
        combinations = sorted(
            (v.product.slug, v.position, v.label, v.price, v.stock, v.weight_grams, v.active)
            for v in db.session.scalars(select(ProductVariant))
        )
        return products, combinations

    seed(runner, *SMALL)
    first = snapshot()
    wipe()
    seed(runner, *SMALL)
    assert snapshot() == first
    assert len(first[0]) == 60 + 3  # the pending seller's drafts
    assert any(label for _slug, _pos, label, *_rest in first[1])  # with some products sold in options


def test_every_child_category_has_templates():
    slugs = {child["slug"] for top in default_tree() for child in top["children"]}
    assert slugs == set(CATALOGUE)


# --- --if-empty, refusal, --products -----------------------------------------------------------

def test_if_empty_skips_a_database_with_users(runner):
    gen_user(email="sudah.ada@contoh.id")
    db.session.commit()
    result = seed(runner, "--if-empty")
    assert "Data sudah ada, seed-demo dilewati" in result.output
    assert count(Seller) == 0 and count(Product) == 0
    assert count(User) == 1


def test_if_empty_seeds_an_empty_database(runner):
    result = seed(runner, "--if-empty", *SMALL)
    assert "dilewati" not in result.output
    assert count(Product, Product.status == "active") == 60


def test_seed_refuses_a_database_with_data_without_products_option(runner):
    seed(runner, *SMALL)
    before = count(Product)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "--products" in result.output
    assert count(Product) == before


def test_products_option_adds_that_many_products_with_photos(runner):
    seed(runner, *SMALL)
    before_products = count(Product)
    before_sellers = count(Seller, Seller.status == "verified")
    max_id = db.session.scalar(select(func.max(Product.id)))

    started = time.perf_counter()
    seed(runner, "--products", "2000")
    elapsed = time.perf_counter() - started

    assert count(Product) == before_products + 2000
    assert count(Seller, Seller.status == "verified") >= before_sellers + 20  # one per ~100 products
    new_images = db.session.scalars(select(ProductImage).where(ProductImage.product_id > max_id)).all()
    assert len(new_images) == 2000 and len({i.product_id for i in new_images}) == 2000
    assert all(storage.exists(rendition_key(i.key, 320, "webp")) for i in new_images[:50])
    assert count(select(func.count(func.distinct(Product.slug)))) == before_products + 2000
    assert elapsed < 60  # bulk inserts: seconds, not minutes


def test_products_option_on_an_empty_database_replaces_the_default_800(runner):
    seed(runner, "--products", "1200", "--sellers", "12")
    assert count(Product, Product.status == "active") == 1200
    assert count(User, User.email == accounts.ADMIN.email) == 1


# --- the audit trail ---------------------------------------------------------------------------

def test_seller_verifications_are_audited_and_the_chain_verifies(runner):
    seed(runner, *SMALL)
    admin = db.session.scalar(select(User).where(User.email == accounts.ADMIN.email))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "seller.verified")).all()
    assert len(events) == count(Seller, Seller.status == "verified")
    assert all(e.actor_id == admin.id for e in events)

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "chain intact" in result.output


def test_audit_verify_names_a_tampered_row(runner):
    seed(runner, *SMALL)
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    tampered = ids[len(ids) // 2]
    db.session.execute(sa.update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == tampered)
                       .values(after={"status": "verified", "business_name": "Usaha Palsu"}))
    db.session.commit()

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {tampered}" in result.output


def test_officer_memberships_are_confirmed_by_the_admin(runner):
    seed(runner, *SMALL)
    admin_id = db.session.scalar(select(User.id).where(User.email == accounts.ADMIN.email))
    memberships = db.session.scalars(select(OfficerMembership)).all()
    confirmed = [m for m in memberships if m.status == MEMBERSHIP_CONFIRMED]
    # The demo accounts' three at Diskominfo, plus three at each other demo agency
    # (catalog/demo/procurement.py makes them for those agencies' procurement history).
    assert len(confirmed) == 9
    assert sum(m.agency.code == accounts.DEMO_AGENCY_CODE for m in confirmed) == 3
    assert all(m.confirmed_by_id == admin_id and m.confirmed_at for m in confirmed)
    # catalog/demo/console.py adds applications for the console's queue: two waiting (each with
    # its letter of assignment) and one the Dinas rejected with a reason.
    waiting = [m for m in memberships if m.status == MEMBERSHIP_PENDING]
    rejected = [m for m in memberships if m.status == MEMBERSHIP_REJECTED]
    assert len(waiting) == 2 and all(m.letter_key and m.confirmed_at is None for m in waiting)
    assert len(rejected) == 1 and rejected[0].review_reason
    assert all(re.fullmatch(r"\d{18}", m.employee_number) for m in memberships)


# --- delivery options and the demo seller's orders -----------------------------------------------

def test_every_seller_offers_pickup_own_delivery_and_a_courier_to_each_kota(runner):
    seed(runner, *SMALL)
    options = db.session.scalars(select(DeliveryOption).order_by(DeliveryOption.id)).all()
    sellers = db.session.scalars(select(Seller)).all()
    for seller in sellers:
        mine = [o for o in options if o.seller_id == seller.id]
        assert sorted(o.kind for o in mine) == ["courier", "courier", "courier", "own", "pickup"], seller.slug
        couriers = {o.kota_code: o.fee for o in mine if o.kind == "courier" and o.name == "JNE Reguler"}
        assert set(couriers) == {"36.74", "36.71", "36.03"}
        assert couriers[seller.kota_code] == min(couriers.values())  # the seller's own kota is cheapest
        assert all(o.active for o in mine)


def test_the_demo_seller_has_orders_in_every_state_made_through_the_services(runner, app):
    seed(runner, *SMALL)
    seller = db.session.scalar(select(User).where(User.email == accounts.SELLER.email)).seller
    shopper = db.session.scalar(select(User).where(User.email == accounts.SHOPPER.email))
    orders = db.session.scalars(select(Order).where(Order.seller_id == seller.id)).all()
    assert {o.status for o in orders} == {"awaiting_payment", "new", "accepted", "shipped", "delivered", "completed",
                                          "rejected", "cancelled"}
    assert all(o.user_id == shopper.id and o.items for o in orders)
    assert any(len(o.group.orders) == 2 for o in orders)  # one checkout shared with another seller
    assert all(o.tracking_number for o in orders if o.status in ("shipped", "delivered", "completed")
               and o.delivery_kind == "courier")
    # Every move was audited, and the seller was told about its new orders in the site only.
    assert count(AuditEvent, AuditEvent.action == "order.completed",
                 AuditEvent.object_id.in_([str(o.id) for o in orders])) == sum(o.status == "completed" for o in orders)
    assert count(Notification, Notification.user_id == seller.user_id, Notification.kind == "order_new") >= 2
    assert not [m for m in app.extensions.get("mail_outbox", []) if "Pesanan" in m["subject"]]
    # Spread over the weeks, so the dashboard's chart has something to show.
    board = sales.sales_board(seller)
    assert sum(1 for w in board.weeks if w.orders) >= 8
    assert board.new_orders == 2 and board.top
